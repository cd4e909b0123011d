import {mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {checkContract} from '../helpers/json-contract.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {sharedLockDir} from '../fixtures/web.cfg.js';
import {statusJsonSchema} from '../../source/headless/status-schema.js';

/**
 * A configuration that loads a server-state file (as packaged HAProxy setups with a reload script
 * do): HAProxy reads it at each start and reload, and keeps a drain only when `show servers state`
 * was written to it just before. HAProxy started without the file (it says "Can't open"); what
 * validate says of it comes from the file as it is now, not from the configuration alone.
 */
let bed: TestBed;
let lockDir: string;
const stateFile = () => path.join(bed.dir, 'state', 'servers');

beforeAll(async () => {
	bed = await startTestBed({
		demos: webappsDemos,
		config: (context) => webappsConfig(context, [`server-state-base ${context.dir}/state`, 'server-state-file servers']).replace('\nbackend webapps\n', '\nbackend webapps\n    load-server-state-from-file global\n'),
	});
	lockDir = await sharedLockDir(bed.dir);
});

afterAll(async () => {
	await bed?.stop();
});

const dryRun = async (journal: string) => {
	const run = await runCli(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', path.join(bed.dir, journal), '--dry-run', '--json']);
	const json = checkContract(run.stdout, run.code);
	expect(run.code, run.stderr).toBe(0);
	return json.steps.flatMap((step) => step.checks).find((check) => check.id === 'warnings')!;
};

describe('a configuration that loads a server-state file', () => {
	it('warns when the file is not there now (a reload would drop the drain), and says what keeps the drain when it is; nothing sent', async () => {
		rmSync(stateFile(), {force: true});
		const missing = await dryRun('missing.jsonl');
		expect(missing.verdict).toBe('warn');
		expect(missing.observed).toContain(`The configuration loads the server-state file ${stateFile()}, but there is no such file now: a reload drops the drain unless "show servers state" is written to it first.`);
		expect(missing.observed).not.toContain('No server-state file is loaded');

		// Written as a reload script does, from HAProxy itself.
		mkdirSync(path.dirname(stateFile()), {recursive: true});
		writeFileSync(stateFile(), await bed.send('show servers state'));
		const present = await dryRun('present.jsonl');
		expect(present).toMatchObject({verdict: 'pass'});
		expect(present.observed).toBe(`No persistence, no trackers; the configuration loads the server-state file ${stateFile()} at each reload, which keeps the drain when "show servers state" is written to it just before.`);
		expect(adminStates(await bed.send('show servers state webapps'))['webapps/app01']).toBe('0');
	});
});

describe('a drain kept across a reload with -sf and no master by the server-state file', () => {
	const as = (user: string) => ({env: {USER: user, SUDO_USER: '', DRAINBOARD_LOCK_DIR: lockDir}});
	const common = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', path.join(bed.dir, journal), '--yes', '--json'];

	it("is still alice's maintenance for status and for bob's restore (refused, nothing sent) on the new process; hers restores it", async () => {
		const drain = await runCli(['drain', 'webapps/app02', ...common('alice-kept.jsonl')], as('alice'));
		expect(drain.code, drain.stderr).toBe(0);
		// As a reload script does: the state written from HAProxy, then a new process that reads it.
		mkdirSync(path.dirname(stateFile()), {recursive: true});
		writeFileSync(stateFile(), await bed.send('show servers state'));
		const before = bed.haproxy.pid;
		await bed.haproxy.reload();
		expect(bed.haproxy.pid).not.toBe(before);
		expect(adminStates(await bed.send('show servers state webapps'))['webapps/app02']).toBe('8');

		const status = await runCli(['status', '--socket', bed.adminSocket, '--json'], as('bob'));
		expect(status.code, status.stderr).toBe(0);
		const owner = statusJsonSchema.parse(JSON.parse(status.stdout)).drains.find((drained) => drained.server === 'webapps/app02');
		expect(owner?.by).toMatchObject({user: 'alice', journal: path.join(bed.dir, 'alice-kept.jsonl')});

		const refused = await runCli(['restore', 'webapps/app02', ...common('bob-kept.jsonl')], as('bob'));
		expect(refused.code, refused.stderr).toBe(1);
		expect(JSON.parse(refused.stdout)).toMatchObject({ok: false, changed: false, error: {code: 'other-maintenance', message: expect.stringMatching(/^webapps\/app02 is held by alice's maintenance since /) as unknown}});
		expect(adminStates(await bed.send('show servers state webapps'))['webapps/app02']).toBe('8');

		const hers = await runCli(['restore', 'webapps/app02', ...common('alice-kept.jsonl')], as('alice'));
		expect(hers.code, hers.stderr).toBe(0);
		expect(adminStates(await bed.send('show servers state webapps'))['webapps/app02']).toBe('0');
	}, 90_000);
});
