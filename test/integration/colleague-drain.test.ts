import {readdirSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {HeadlessResult} from '../../source/headless/report.js';
import {readJournal} from '../../source/runbook/journal.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {sharedLockDir, webConfig} from '../fixtures/web.cfg.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';

/**
 * Two operators with journals of their own on one load balancer: alice drains a server for her
 * work; bob, who cannot read her journal, must not end her maintenance by restoring it unawares.
 */
let bed: TestBed;
let lockDir: string;

beforeAll(async () => {
	bed = await startTestBed({demos: ['s1', 's2', 's3'], config: (context) => webConfig(context, ['s1', 's2', 's3'])});
	lockDir = await sharedLockDir(bed.dir);
});

afterEach(async () => {
	for (const server of ['s1', 's2', 's3']) {
		await bed.send(`set server web/${server} state ready`);
	}
});

afterAll(async () => {
	await bed?.stop();
});

const states = async () => adminStates(await bed.send('show servers state web'));
const as = (user: string) => ({env: {USER: user, SUDO_USER: '', DRAINBOARD_LOCK_DIR: lockDir}});
const common = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', path.join(bed.dir, journal), '--yes', '--json'];
const marks = () => readdirSync(lockDir).filter((name) => name.endsWith('.drained'));

describe("another operator's drain", () => {
	it("bob's restore of the server alice drained is refused, naming her maintenance; nothing is sent; --take-over restores it, journaled", async () => {
		const drain = await runCli(['drain', 'web/s1', ...common('alice.jsonl')], as('alice'));
		expect(drain.code, drain.stderr).toBe(0);
		expect((await states())['web/s1']).toBe('8');
		expect(marks()).toHaveLength(1);

		const refused = await runCli(['restore', 'web/s1', ...common('bob.jsonl')], as('bob'));
		expect(refused.code, refused.stderr).toBe(1);
		const result = JSON.parse(refused.stdout) as HeadlessResult;
		expect(result).toMatchObject({ok: false, changed: false, error: {code: 'other-maintenance'}});
		expect(result.error?.message).toMatch(
			new RegExp(
				`^web/s1 was drained by alice's maintenance at \\d\\d:\\d\\d:\\d\\d \\(journal ${path.join(bed.dir, 'alice.jsonl').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\), so nothing was sent: restoring it would end that maintenance under its owner; leave it to them, or run drainboard again with --take-over to restore it yourself\\.$`,
			),
		);
		expect((await states())['web/s1']).toBe('8');
		expect(readJournal(path.join(bed.dir, 'bob.jsonl')).entries.filter((entry) => entry.event === 'command')).toEqual([]);

		// bob's drain of it sends nothing and says whose drain it is.
		const again = await runCli(['drain', 'web/s1', ...common('bob.jsonl')], as('bob'));
		expect(again.code, again.stderr).toBe(0);
		expect(JSON.parse(again.stdout)).toMatchObject({ok: true, changed: false, drained: true});
		expect(again.stderr).toMatch(/HAProxy shows the target drained by alice's maintenance at \d\d:\d\d:\d\d \(journal .*alice\.jsonl\), which this journal does not have; restoring it needs --take-over/);

		const taken = await runCli(['restore', 'web/s1', ...common('bob.jsonl'), '--take-over'], as('bob'));
		expect(taken.code, taken.stderr).toBe(0);
		expect(JSON.parse(taken.stdout)).toMatchObject({ok: true, changed: true, drained: false});
		expect(taken.stderr).toMatch(/It had been drained by alice's maintenance at \d\d:\d\d:\d\d \(journal .*alice\.jsonl\): that maintenance is over now \(--take-over\)\./);
		expect((await states())['web/s1']).toBe('0');
		const override = readJournal(path.join(bed.dir, 'bob.jsonl')).entries.find((entry) => entry.event === 'override');
		expect(override?.detail).toMatch(/^--take-over: restoring web\/s1, drained by alice's maintenance/);
		expect(marks()).toEqual([]);
	});

	it("alice restores her own drain from her journal without --take-over, and the mark goes with the drain", async () => {
		const drain = await runCli(['drain', 'web/s2', ...common('alice-own.jsonl')], as('alice'));
		expect(drain.code, drain.stderr).toBe(0);
		expect(marks()).toHaveLength(1);
		const restore = await runCli(['restore', 'web/s2', ...common('alice-own.jsonl')], as('alice'));
		expect(restore.code, restore.stderr).toBe(0);
		expect((await states())['web/s2']).toBe('0');
		expect(marks()).toEqual([]);
	});

	it('a drain made outside drainboard (socat) has no mark: restore says it does not know who, and restores it', async () => {
		await bed.send('set server web/s3 state drain');
		const restore = await runCli(['restore', 'web/s3', ...common('bob-socat.jsonl')], as('bob'));
		expect(restore.code, restore.stderr).toBe(0);
		expect(restore.stderr).toContain('drained by someone or something else');
		expect((await states())['web/s3']).toBe('0');
	});
});
