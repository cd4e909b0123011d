import {once} from 'node:events';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {isAlive} from '../../source/lab/lab.js';
import {startWatchdog} from '../../source/lab/watchdog.js';
import {socketKey} from '../../source/runbook/instance-keys.js';
import {webConfig} from '../fixtures/web.cfg.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';

let bed: TestBed;

beforeAll(async () => {
	bed = await startTestBed({demos: ['s1'], config: (context) => webConfig(context, ['s1'])});
});

afterAll(async () => {
	await bed?.stop();
});

describe("the lab's watchdog", () => {
	it('whose lab is gone, kills no HAProxy that does not run the lab\'s config (one that got the pid since), nor forgets its drain marks: it removes the lab dir only', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-lab-watchdog-test-'));
		const lockDir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-lab-watchdog-locks-'));
		// The pid file names a real HAProxy, run on another config: the host's own, say, with a drain marked on it.
		writeFileSync(path.join(dir, 'haproxy.pid'), String(bed.haproxy.childPid));
		const mark = path.join(lockDir, `drainboard.${os.hostname()}-pid${bed.haproxy.childPid}-t1.web=s1.${process.getuid?.() ?? 0}.drained`);
		writeFileSync(mark, '{}');
		// And under the socket the watchdog is given (a HAProxy with no master): kept as well.
		const socket = path.join(dir, 'admin.sock');
		const bySocket = path.join(lockDir, `drainboard.${socketKey(os.hostname(), socket)}.web=s1.${process.getuid?.() ?? 0}.drained`);
		writeFileSync(bySocket, '{}');
		const watchdog = startWatchdog(dir, lockDir, socket);
		const exited = once(watchdog, 'exit');
		// The pipe ends as it does when the lab's process is gone.
		watchdog.stdin?.end();
		expect(await exited).toEqual([0, null]);
		expect(existsSync(dir)).toBe(false);
		expect(isAlive(bed.haproxy.childPid)).toBe(true);
		expect(existsSync(mark)).toBe(true);
		expect(existsSync(bySocket)).toBe(true);
		rmSync(lockDir, {recursive: true, force: true});
		expect(await bed.send('show info')).toContain(`Pid: ${bed.haproxy.pid}`);
	});
});
