import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {runExec, stopRunningExecs} from '../../source/runbook/run-exec.js';
import {running} from '../helpers/process-state.js';
import {waitFor} from '../helpers/wait-for.js';

let dir: string | undefined;

afterEach(() => {
	if (dir) {
		rmSync(dir, {recursive: true, force: true});
	}
});

// The pid a command wrote to its file, once that process runs.
const runningPid = async (what: string, pidFile: string): Promise<number> =>
	waitFor(what, () => {
		try {
			const pid = Number(readFileSync(pidFile, 'utf8'));
			return pid > 0 && running(pid) ? pid : undefined;
		} catch {
			return undefined;
		}
	});

describe('roll --exec stopped (drainboard itself stopped)', () => {
	it('ends everything the command started, not only its shell, before stop resolves', async () => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-exec-'));
		const pidFile = path.join(dir, 'sleep.pid');
		// The shell waits for a command it started, as a script waits for ssh or systemctl.
		const exec = runExec(`sh -c 'echo $$ > ${pidFile}; exec sleep 120'; exit 1`, {backend: 'webapps', server: 'app01', address: '127.0.0.1', port: 1}, () => undefined);
		const sleepPid = await runningPid('the command to start its sleep', pidFile);
		await exec.stop();
		expect(await exec.done).toEqual({exitCode: null, signal: 'SIGTERM'});
		await waitFor('the sleep to end', () => (running(sleepPid) ? undefined : true), 5000, 20);
	});

	it('stopRunningExecs waits for a command that ignores SIGTERM: SIGKILL after the grace, then it resolves', async () => {
		dir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-exec-'));
		const pidFile = path.join(dir, 'stubborn.pid');
		const exec = runExec(`trap '' TERM; echo $$ > ${pidFile}; while :; do sleep 0.1; done`, {backend: 'webapps', server: 'app01', address: '127.0.0.1', port: 1}, () => undefined);
		const shellPid = await runningPid('the command to start', pidFile);
		expect(await stopRunningExecs()).toBe(true);
		// Resolved only once the command is gone: no wait needed to see it.
		expect(running(shellPid)).toBe(false);
		expect(await exec.done).toEqual({exitCode: null, signal: 'SIGKILL'});
		expect(await stopRunningExecs()).toBe(false);
	}, 15_000);
});
