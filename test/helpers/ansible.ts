import {execFile} from 'node:child_process';
import {mkdir, writeFile} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';

/** The playbooks of the Ansible test (the README shows the same tasks). */
export const playbookDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ansible');

/** One host's line of the play recap. */
export type Recap = {ok: number; changed: number; unreachable: number; failed: number; skipped: number};

export type PlaybookRun = {code: number | null; stdout: string; stderr: string; recap: Recap};

/** Ansible's environment: every directory it writes to inside `dir`, its own config file, no colour. */
async function ansibleEnv(dir: string): Promise<NodeJS.ProcessEnv> {
	const home = path.join(dir, 'ansible');
	await mkdir(path.join(home, 'tmp'), {recursive: true});
	await writeFile(path.join(home, 'ansible.cfg'), '[defaults]\n');
	return {
		...process.env,
		ANSIBLE_CONFIG: path.join(home, 'ansible.cfg'),
		ANSIBLE_HOME: home,
		ANSIBLE_LOCAL_TEMP: path.join(home, 'tmp'),
		ANSIBLE_REMOTE_TEMP: path.join(home, 'tmp'),
		ANSIBLE_COLLECTIONS_PATH: path.join(home, 'collections'),
		ANSIBLE_NOCOLOR: '1',
		ANSIBLE_RETRY_FILES_ENABLED: 'false',
		ANSIBLE_LOCALHOST_WARNING: 'false',
		ANSIBLE_DEPRECATION_WARNINGS: 'false',
	};
}

/** Finds ansible-playbook on PATH; missing, the test fails with how to install it (it never skips). */
export async function findAnsiblePlaybook(dir: string): Promise<string> {
	const env = await ansibleEnv(dir);
	return new Promise((resolve, reject) => {
		execFile('ansible-playbook', ['--version'], {timeout: 30_000, env}, (error, stdout) => {
			if (error) {
				reject(new Error(`ansible-playbook is not installed: the Ansible test needs it (sudo apt-get install -y ansible-core, or run .ci/setup): ${error.message}`));
				return;
			}

			resolve(stdout.split('\n')[0] ?? '');
		});
	});
}

/**
 * Runs ansible-playbook on localhost (connection local, no network), with every directory Ansible
 * writes to inside `dir` (ANSIBLE_HOME, its local and remote temp dirs, its config file), no
 * colour, and the variables given (as a JSON file passed with -e @file).
 */
export async function runPlaybook(dir: string, playbook: string, variables: Record<string, unknown>, options: {check?: boolean; timeoutMs?: number} = {}): Promise<PlaybookRun> {
	const env = await ansibleEnv(dir);
	const varsFile = path.join(dir, 'ansible', `vars-${Date.now()}.json`);
	await writeFile(varsFile, JSON.stringify({ansible_python_interpreter: '/usr/bin/python3', ...variables}));
	const args = ['-i', 'localhost,', '-c', 'local', '-e', `@${varsFile}`, ...(options.check ? ['--check'] : []), path.join(playbookDir, playbook)];
	return new Promise((resolve) => {
		execFile('ansible-playbook', args, {cwd: dir, env, timeout: options.timeoutMs ?? 240_000, maxBuffer: 16 * 1024 * 1024}, (error, stdout, stderr) => {
			const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
			resolve({code, stdout, stderr, recap: recapOf(stdout)});
		});
	});
}

/** The localhost line of the play recap: `localhost : ok=9 changed=9 unreachable=0 failed=0 skipped=0 …`. */
export function recapOf(stdout: string): Recap {
	const line = /^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)/m.exec(stdout);
	if (!line) {
		return {ok: -1, changed: -1, unreachable: -1, failed: -1, skipped: -1};
	}

	const [ok, changed, unreachable, failed, skipped] = line.slice(1).map(Number) as [number, number, number, number, number];
	return {ok, changed, unreachable, failed, skipped};
}
