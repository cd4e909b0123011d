import {mkdtemp, readdir, rm} from 'node:fs/promises';
import os from 'node:os';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {HeadlessResult} from '../../source/headless/report.js';
import {isAlive} from '../../source/lab/lab.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {assertPackaged, nodelessBin, packaged, runIsolated} from '../helpers/packaged.js';
import {adminStates, rawServersState} from '../helpers/raw-haproxy.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';

let tmp: string;
let env: Record<string, string>;
let bed: TestBed;
let session: TmuxSession | undefined;

beforeAll(async () => {
	assertPackaged(packaged.executable);
	tmp = await mkdtemp(path.join(os.tmpdir(), 'drainboard-exe-'));
	// A host without Node: the executable runs with this environment only.
	// The test run's lock directory, as every other run of the suite: never the host's /run/lock.
	env = {PATH: await nodelessBin(tmp), HOME: tmp, TMPDIR: tmp, DRAINBOARD_LOCK_DIR: process.env['DRAINBOARD_LOCK_DIR']!};
	bed = await startTestBed({demos: webappsDemos, config: webappsConfig});
});

afterEach(async () => {
	await session?.kill();
	session = undefined;
});

afterAll(async () => {
	await bed?.stop();
	await rm(tmp, {recursive: true, force: true});
});

const run = async (args: string[]) => runIsolated(packaged.executable, args, env);

describe('the single executable (dist/drainboard-linux-x64) on a PATH without node', () => {
	it('has no node to lean on, and says its version', async () => {
		const node = await runIsolated('/bin/sh', ['-c', 'command -v node'], env);
		expect(node.code).not.toBe(0);
		expect(node.stdout).toBe('');
		const version = await run(['--version']);
		expect(version).toEqual({code: 0, stdout: `${packaged.version}\n`, stderr: ''});
	});

	it('status --json shows the running HAProxy\'s servers', async () => {
		const status = await run(['status', '--socket', bed.adminSocket, '--json']);
		expect(status.code, status.stderr).toBe(0);
		const json = JSON.parse(status.stdout) as {instances: Array<{socket: string}>; servers: Array<{backend: string; server: string}>};
		expect(json.instances.map((instance) => instance.socket)).toEqual([bed.adminSocket]);
		const haproxySays = rawServersState(await bed.send('show servers state')).map((row) => `${row['be_name']}/${row['srv_name']}`);
		expect(json.servers.map((server) => `${server.backend}/${server.server}`)).toEqual(haproxySays);
	});

	it('drains and restores a server headless (--yes), proven against HAProxy', async () => {
		const common = ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', path.join(tmp, 'journal.jsonl'), '--yes', '--json'];
		const drain = await run(['drain', 'webapps/app02', ...common]);
		expect(drain.code, drain.stderr).toBe(0);
		expect((JSON.parse(drain.stdout) as HeadlessResult).steps.map((step) => [step.id, step.ok])).toEqual([
			['validate', true],
			['baseline', true],
			['drain', true],
			['confirm', true],
		]);
		expect(adminStates(await bed.send('show servers state'))['webapps/app02']).toBe('8');
		const restore = await run(['restore', 'webapps/app02', ...common]);
		expect(restore.code, restore.stderr).toBe(0);
		expect(JSON.parse(restore.stdout)).toMatchObject({ok: true, drained: false});
		expect(adminStates(await bed.send('show servers state'))['webapps/app02']).toBe('0');
	});

	it('with DEV=true says React DevTools are not there, and goes on', async () => {
		// In a terminal (the lab), with what it says on stderr kept in a file.
		const stderrFile = path.join(tmp, 'dev-stderr.txt');
		const dev = await startCliInTmux(['-c', `exec "$0" lab 2>${stderrFile}`, packaged.executable], {program: '/bin/sh', env: {...env, DEV: 'true'}, columns: 100, rows: 30});
		try {
			await dev.waitForScreen((current) => current.includes('● app01'), 20_000);
			await dev.press('q');
			expect(await dev.exited()).toBe(0);
		} finally {
			await dev.kill();
		}

		const said = readFileSync(stderrFile, 'utf8');
		expect(said).toContain('so Ink tried to import `react-devtools-core`,\nbut this failed as it was not installed.');
		expect(said).toContain('drainboard lab ended: HAProxy and the demo servers are stopped');
	});

	it('runs the lab in a terminal: a real HAProxy, the grid, and nothing left after q', async () => {
		session = await startCliInTmux(['lab'], {program: packaged.executable, env, columns: 100, rows: 30});
		const screen = await session.waitForScreen((current) => ['app01', 'app02', 'app03', 'api1', 'api2'].every((name) => new RegExp(`● ${name} .* UP +1 +0 L7OK`).test(current)), 20_000);
		expect(screen.split('\n')[0]).toMatch(/^LAB · s stops\/starts the demo server under the cursor · q ends the lab *$/);
		const haproxyPid = Number(/HAProxy \d+\.\d+\.\d+\S* {2}pid (\d+)/.exec(screen)?.[1]);
		expect(isAlive(haproxyPid)).toBe(true);
		await session.send('q');
		expect(await session.exited()).toBe(0);
		expect(isAlive(haproxyPid)).toBe(false);
		expect((await readdir(tmp)).filter((name) => name.startsWith('drainboard-lab-'))).toEqual([]);
	});
});
