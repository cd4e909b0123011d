import {mkdirSync, rmSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {checkContract} from '../helpers/json-contract.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';

/**
 * A configuration that loads a server-state file (as packaged HAProxy setups with a reload script
 * do): HAProxy reads it at each start and reload, and keeps a drain only when `show servers state`
 * was written to it just before. HAProxy started without the file (it says "Can't open"); what
 * validate says of it comes from the file as it is now, not from the configuration alone.
 */
let bed: TestBed;
const stateFile = () => path.join(bed.dir, 'state', 'servers');

beforeAll(async () => {
	bed = await startTestBed({
		demos: webappsDemos,
		config: (context) => webappsConfig(context, [`server-state-base ${context.dir}/state`, 'server-state-file servers']).replace('\nbackend webapps\n', '\nbackend webapps\n    load-server-state-from-file global\n'),
	});
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
