import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {rollResultSchema} from '../../source/headless/roll-report.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';

// A roll stopped by another server out of rotation names a way to put it back that works.
let bed: TestBed;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
	await waitFor('webapps checked UP', async () => ((await bed.send('show stat webapps 4 -1')).split('\n').filter((row) => /,UP,.*,L7OK,/.test(row)).length === 3 ? true : undefined), 15_000);
});

afterEach(async () => {
	for (const server of ['app01', 'app02', 'app03']) {
		await bed.send(`set server webapps/${server} state ready`);
	}
});

afterAll(async () => {
	await bed?.stop();
});

const flags = () => ['--socket', bed.adminSocket, '--config', bed.configPath];
const states = async () => adminStates(await bed.send('show servers state webapps'));
const roll = async (journal: string) => runCli(['roll', 'webapps', ...flags(), '--journal', journal, '--yes', '--json', '--exec', 'true'], {timeoutMs: 60_000});

describe('a roll stopped because another server is out of rotation', () => {
	it('drained by your maintenance of another journal: the restore it advises names that journal, and works', async () => {
		const other = path.join(bed.dir, 'op2.jsonl');
		const drain = await runCli(['drain', 'webapps/app02', ...flags(), '--journal', other, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);

		const refused = await roll(path.join(bed.dir, 'roll.jsonl'));
		expect(refused.code, refused.stderr).toBe(1);
		expect(rollResultSchema.parse(JSON.parse(refused.stdout))).toMatchObject({ok: false, changed: false, error: {code: 'capacity'}});
		const advised = `drainboard restore webapps/app02 --yes --socket ${bed.adminSocket} --config ${bed.configPath} --journal ${other}`;
		expect(refused.stderr).toContain(`Put app02 back first (${advised}: the journal of your maintenance that drained it).`);

		// The advised command, as the shell reads it: it closes that maintenance.
		const restore = await runCli(advised.split(' ').slice(1));
		expect(restore.code, restore.stderr).toBe(0);
		expect(await states()).toEqual({'webapps/app01': '0', 'webapps/app02': '0', 'webapps/app03': '0'});
	});

	it('in maintenance (state maint): no restore is advised, since restore does not undo it', async () => {
		expect(await bed.send('set server webapps/app03 state maint')).toBe('\n');
		const refused = await roll(path.join(bed.dir, 'roll-maint.jsonl'));
		expect(refused.code, refused.stderr).toBe(1);
		expect(refused.stderr).toContain(
			'webapps/app03 is out of rotation (FMAINT); a roll takes one server out at a time, so app01 is not drained. Put app03 back first: it is in maintenance, not drained, which restore does not undo; whoever put it there brings it back (set server webapps/app03 state ready).',
		);
		expect(refused.stderr).not.toContain('drainboard restore');
		expect((await states())['webapps/app01']).toBe('0');
	});
});
