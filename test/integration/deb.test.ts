import {execFile} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {gunzipSync} from 'node:zlib';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {poolConfig, poolDemos} from '../fixtures/pool.cfg.js';
import {assertPackaged, nodelessBin, packaged, runIsolated} from '../helpers/packaged.js';
import {rawServersState} from '../helpers/raw-haproxy.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux} from '../helpers/tmux.js';

const exec = promisify(execFile);
let tmp: string;
let installed: string;
let env: Record<string, string>;
let bed: TestBed;

beforeAll(async () => {
	assertPackaged(packaged.deb);
	tmp = await mkdtemp(path.join(os.tmpdir(), 'drainboard-deb-'));
	installed = path.join(tmp, 'root');
	await exec('dpkg', ['-x', packaged.deb, installed]);
	// A host without Node, with the package's /usr/bin first on PATH.
	env = {PATH: `${installed}/usr/bin:${await nodelessBin(tmp)}`, HOME: tmp, DRAINBOARD_LOCK_DIR: process.env['DRAINBOARD_LOCK_DIR']!};
	bed = await startTestBed({demos: poolDemos, config: poolConfig});
});

afterAll(async () => {
	await bed?.stop();
	await rm(tmp, {recursive: true, force: true});
});

const completionFile = () => path.join(installed, 'usr/share/bash-completion/completions/drainboard');

/** Completes `line` (the cursor at its end) in bash with the package's completion, as a terminal would. */
async function complete(line: string): Promise<string[]> {
	const script = [
		'source "$1"',
		// What bash sets that the completion reads: the line and where the cursor is.
		'COMP_LINE=$2 COMP_POINT=${#2}',
		'_drainboard',
		'printf "%s\\n" "${COMPREPLY[@]}"',
	].join('\n');
	const result = await runIsolated('/bin/bash', ['-c', script, 'bash', completionFile(), line], env);
	expect(result.stderr).toBe('');
	expect(result.code).toBe(0);
	return result.stdout.split('\n').filter(Boolean);
}

describe('the Debian package (dist/drainboard_<version>_amd64.deb), unpacked into a temp root', () => {
	it('holds the executable, its man page, bash completion and licences, all root-owned', async () => {
		const {stdout: listing} = await exec('dpkg-deb', ['--contents', packaged.deb]);
		const files = listing.trim().split('\n').map((line) => line.split(/\s+/));
		expect(files.every(([, owner]) => owner === 'root/root')).toBe(true);
		expect(files.filter(([mode]) => !mode!.startsWith('d')).map((fields) => [fields[0], fields.at(-1)])).toEqual([
			['-rwxr-xr-x', './usr/bin/drainboard'],
			['-rw-r--r--', './usr/share/bash-completion/completions/drainboard'],
			['-rw-r--r--', './usr/share/doc/drainboard/copyright'],
			['-rw-r--r--', './usr/share/man/man1/drainboard.1.gz'],
		]);
		const field = async (name: string) => (await exec('dpkg-deb', ['--field', packaged.deb, name])).stdout.trim();
		expect(await field('Package')).toBe('drainboard');
		expect(await field('Version')).toBe(packaged.version);
		expect(await field('Architecture')).toBe('amd64');
		// The executable's shared libraries, and nothing else: no nodejs.
		expect((await field('Depends')).split(', ').map((item) => item.split(' ')[0]).sort()).toEqual(['libatomic1', 'libc6', 'libgcc-s1', 'libstdc++6']);
		const copyright = readFileSync(path.join(installed, 'usr/share/doc/drainboard/copyright'), 'utf8');
		expect(copyright).toContain(readFileSync(path.join(import.meta.dirname, '..', '..', 'LICENSE'), 'utf8').trim());
		expect(copyright).toContain(readFileSync(packaged.notices, 'utf8'));
	});

	it('runs from there with no node on PATH: --version, --help and status --json', async () => {
		const node = await runIsolated('/bin/sh', ['-c', 'command -v node'], env);
		expect(node.code).not.toBe(0);
		expect(await runIsolated('drainboard', ['--version'], env)).toEqual({code: 0, stdout: `${packaged.version}\n`, stderr: ''});
		const help = await runIsolated('drainboard', ['--help'], env);
		expect(help.code).toBe(0);
		expect(help.stdout).toContain('Exit codes');
		const status = await runIsolated('drainboard', ['status', '--socket', bed.adminSocket, '--json'], env);
		expect(status.code, status.stderr).toBe(0);
		const servers = (JSON.parse(status.stdout) as {servers: Array<{backend: string; server: string}>}).servers;
		const haproxySays = rawServersState(await bed.send('show servers state')).map((row) => `${row['be_name']}/${row['srv_name']}`);
		expect(servers.map((server) => `${server.backend}/${server.server}`)).toEqual(haproxySays);
	});

	it('has a man page made from --help: every flag and command in it', async () => {
		const page = gunzipSync(readFileSync(path.join(installed, 'usr/share/man/man1/drainboard.1.gz'))).toString();
		expect(page).toMatch(/^\.TH DRAINBOARD 1 "\d{4}-\d\d-\d\d" "drainboard \d+\.\d+\.\d+" "User Commands"\n/);
		const help = (await runIsolated('drainboard', ['--help'], env)).stdout;
		const flags = [...new Set(help.match(/--[a-z][a-z-]+/g))];
		expect(flags).toContain('--socket');
		for (const flag of flags) {
			expect(page).toContain(flag.replaceAll('-', '\\-'));
		}

		for (const command of ['status', 'drain', 'restore', 'roll', 'routes', 'lab']) {
			expect(page).toContain(`drainboard ${command}`);
		}

		// The targets and the environment --help lists have sections of their own; every option says what it does.
		expect(page).toMatch(/\.SH TARGETS\n\.nf\n<backend>\/<server> +one server\n/);
		expect(page).toMatch(/\.SH ENVIRONMENT\n\.nf\nDRAINBOARD_LOCK_DIR +where the backend locks live/);
		expect(page).toContain('.B \\-\\-help, \\-\\-version\nprint this text, or the version, and exit');
		expect(page).not.toMatch(/^\.B .*\n(?:\.TP)?$/m);
	});

	it('has a bash completion that parses, and completes commands, flags and the running HAProxy\'s servers', async () => {
		await exec('bash', ['-n', completionFile()]);
		expect(await complete('drainboard dr')).toEqual(['drain']);
		expect(await complete('drainboard status --js')).toEqual(['--json']);
		const servers = rawServersState(await bed.send('show servers state')).map((row) => `${row['be_name']}/${row['srv_name']}`);
		expect(await complete(`drainboard drain --socket ${bed.adminSocket} web`)).toEqual(servers.filter((name) => name.startsWith('web')));
		expect(await complete(`drainboard --socket ${bed.adminSocket} restore api.v2-pool/api`)).toEqual(['api.v2-pool/api-1.v2', 'api.v2-pool/api:2']);
		// Bash puts back what follows the last ':' of the word it completes.
		expect(await complete(`drainboard --socket ${bed.adminSocket} restore api.v2-pool/api:`)).toEqual(['2']);
		// roll and --backend take a backend; --proof its three values.
		const backends = [...new Set(servers.map((name) => name.slice(0, name.indexOf('/'))))];
		expect(await complete(`drainboard roll --socket ${bed.adminSocket} `)).toEqual(backends);
		expect(await complete(`drainboard status --socket ${bed.adminSocket} --backend web`)).toEqual(backends.filter((name) => name.startsWith('web')));
		expect(await complete('drainboard drain --proof ')).toEqual(['auto', 'live', 'probe']);
		// No HAProxy there: nothing to offer, and nothing said.
		expect(await complete(`drainboard drain --socket ${tmp}/none.sock web`)).toEqual([]);
	});

	it('completes in a real bash in a terminal: Tab lists the servers, and a name with a colon whole', async () => {
		const shell = await startCliInTmux(['--norc', '--noprofile'], {program: '/bin/bash', env: {...env, PS1: '$ '}, columns: 200, rows: 20});
		await shell.press([`source ${completionFile()}`, 'Enter']);
		await shell.press([`drainboard drain --socket ${bed.adminSocket} web`, 'Tab'], `drainboard drain --socket ${bed.adminSocket} webapps/`);
		// Two Tabs list the candidates; the first alone shows nothing.
		await shell.send('Tab', 'Tab');
		const servers = rawServersState(await bed.send('show servers state')).map((row) => `${row['be_name']}/${row['srv_name']}`);
		await shell.waitForScreen((screen) => servers.filter((name) => name.startsWith('web')).every((name) => screen.includes(name)));
		await shell.press(['C-c', `drainboard drain --socket ${bed.adminSocket} api.v2-pool/api:`, 'Tab'], (screen) => screen.split('\n').includes(`$ drainboard drain --socket ${bed.adminSocket} api.v2-pool/api:2`));
		await shell.kill();
	});
});
