import {execFile} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdir, symlink} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {findHaproxy} from '../../source/config/find-haproxy.js';
import packageJson from '../../package.json' with {type: 'json'};
import type {CliResult} from './run-cli.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What `npm run package` makes (npm test runs it before the tests). */
export const packaged = {
	executable: path.join(root, 'dist', 'drainboard-linux-x64'),
	deb: path.join(root, 'dist', `drainboard_${packageJson.version}_amd64.deb`),
	notices: path.join(root, 'dist', 'THIRD_PARTY_NOTICES'),
	version: packageJson.version,
};

/** Fails with what to run when `npm run package` has not made a file yet. */
export function assertPackaged(file: string): string {
	if (!existsSync(file)) {
		throw new Error(`${path.relative(root, file)} is missing: run "npm run package" (npm test does) before these tests.`);
	}

	return file;
}

/**
 * A directory to be the whole PATH of a host without Node: `haproxy` (the binary the tests use,
 * HAPROXY_BIN or the installed one) and the few tools the bash completion calls, nothing else.
 */
export async function nodelessBin(dir: string): Promise<string> {
	const bin = path.join(dir, 'bin');
	await mkdir(bin, {recursive: true});
	await symlink(await findHaproxy(process.env['HAPROXY_BIN']), path.join(bin, 'haproxy'));
	for (const tool of ['timeout', 'grep', 'sed']) {
		await symlink(`/usr/bin/${tool}`, path.join(bin, tool));
	}

	return bin;
}

/** Runs a program with exactly `env` as its environment (what `env -i` gives it), to completion. */
export async function runIsolated(program: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliResult> {
	return new Promise((resolve) => {
		const child = execFile(program, args, {env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024}, (error, stdout, stderr) => {
			resolve({code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr});
		});
		child.stdin?.end();
	});
}
