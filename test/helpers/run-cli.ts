import {execFile, spawn} from 'node:child_process';
import {once} from 'node:events';
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {shellWord} from '../../source/runbook/come-back.js';
import {checkCommandContract, underContract} from './json-contract.js';
import {waitFor} from './wait-for.js';

/** The built CLI (`npm run build` runs before the tests). */
export const cliPath = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli.js');

export type CliResult = {code: number | null; stdout: string; stderr: string};

/** Runs `node dist/cli.js …` to completion, without a terminal. */
export async function runCli(args: string[], options: {env?: Record<string, string>; timeoutMs?: number; input?: string; cwd?: string} = {}): Promise<CliResult> {
	return new Promise((resolve, reject) => {
		const child = execFile(
			process.execPath,
			[cliPath, ...args],
			{env: {...process.env, NO_COLOR: '1', ...options.env}, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, cwd: options.cwd},
			(error, stdout, stderr) => {
				const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
				// Every --json output of every test is held to its command's schema.
				if (underContract(args, code)) {
					try {
						checkCommandContract(args, stdout, code);
					} catch (contract) {
						reject(new Error(`drainboard ${args.join(' ')}: ${(contract as Error).message}\nstderr:\n${stderr}`));
						return;
					}
				}

				resolve({code, stdout, stderr});
			},
		);
		child.stdin?.end(options.input ?? '');
	});
}

/** Starts the CLI in the background; the caller reads its output and ends it. */
export function spawnCli(args: string[], env: Record<string, string> = {}) {
	return spawn(process.execPath, [cliPath, ...args], {env: {...process.env, NO_COLOR: '1', ...env}, stdio: ['pipe', 'pipe', 'pipe']});
}

/** The CLI started by {@link startCli}: its process, what it printed so far, and how it ended. */
export type StartedCli = {
	child: ReturnType<typeof spawnCli>;
	readonly stdout: string;
	readonly stderr: string;
	exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
	waitForStderr: (marker: string | RegExp, timeoutMs: number, everyMs?: number) => Promise<void>;
};

/**
 * Starts the CLI in the background ({@link spawnCli}) and collects its output: `stdout` and `stderr`
 * hold all it printed so far, and `exited` resolves on 'close' (the process ended and its output is
 * all read). `waitForStderr` polls until stderr shows `marker`; if it does not within `timeoutMs`,
 * it kills the CLI (SIGKILL) and throws, with the stderr so far. stdin stays open: end it if needed.
 */
export function startCli(args: string[], env: Record<string, string> = {}): StartedCli {
	const child = spawnCli(args, env);
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk: Buffer) => {
		stdout += chunk.toString();
	});
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const closed = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
	return {
		child,
		get stdout() {
			return stdout;
		},
		get stderr() {
			return stderr;
		},
		exited: closed.then(([code, signal]) => ({code, signal})),
		async waitForStderr(marker, timeoutMs, everyMs) {
			const shown = () => (typeof marker === 'string' ? stderr.includes(marker) : stderr.search(marker) !== -1);
			try {
				await waitFor(`stderr to show ${String(marker)}`, () => (shown() ? true : undefined), timeoutMs, everyMs);
			} catch (error) {
				child.kill('SIGKILL');
				throw new Error(`${String(error)}; stderr so far:\n${stderr}`);
			}
		},
	};
}

/**
 * Runs a command line drainboard printed for the operator as it is pasted into a shell: `/bin/sh -c`,
 * `drainboard` on PATH being this build (a wrapper in `dir`/bin), stdin not a terminal (a script, ssh -T).
 */
export async function runPasted(command: string, dir: string): Promise<{code: number | null; stderr: string}> {
	const bin = path.join(dir, 'bin');
	mkdirSync(bin, {recursive: true});
	writeFileSync(path.join(bin, 'drainboard'), `#!/bin/sh\nexec ${shellWord(process.execPath)} ${shellWord(cliPath)} "$@"\n`, {mode: 0o755});
	return new Promise((resolve) => {
		const child = execFile('/bin/sh', ['-c', command], {env: {...process.env, PATH: `${bin}:${process.env['PATH'] ?? ''}`, NO_COLOR: '1'}, timeout: 60_000}, (error, _stdout, stderr) => {
			resolve({code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr});
		});
		child.stdin?.end();
	});
}
