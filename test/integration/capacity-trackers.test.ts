import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {checkContract} from '../helpers/json-contract.js';
import {rollResultSchema} from '../../source/headless/roll-report.js';
import {adminStates, rawStat} from '../helpers/raw-haproxy.js';
import {parseOptions} from '../../source/options.js';
import type {RunbookIo} from '../../source/runbook/context.js';
import {readJournal} from '../../source/runbook/journal.js';
import {beginMaintenance, prepareMaintenance} from '../../source/runbook/prepare.js';
import {runStep} from '../../source/runbook/run-step.js';
import {parseTarget} from '../../source/runtime/names.js';
import {runCli, startCli} from '../helpers/run-cli.js';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';
import {startLoad} from '../helpers/load.js';

let bed: TestBed;

/**
 * Capacity counts what HAProxy takes out with the target: the servers that `track` it (in any
 * backend, through chains) inherit its drain, and a server failing its checks is going down.
 */
beforeAll(async () => {
	bed = await startTestBed({
		demos: ['s1', 's2', 's3', 'w1', 't1', 't2', 'y2', 'z2', 'a1', 'a2', 'b1', 'b2', 'u1', 'u2', 'u3', 'd2', 'e1', 'e2', 'x1', 'x2'],
		config: (context) => `${context.global()}
${defaultsSection}
frontend web
    bind 127.0.0.1:${context.frontendPort}
    use_backend solo if { path_beg /solo }
    use_backend chain if { path_beg /chain }
    use_backend trk2 if { path_beg /trk2 }
    use_backend trk if { path_beg /trk }
    use_backend yb if { path_beg /yb }
    use_backend yc if { path_beg /yc }
    use_backend app2 if { path_beg /app2 }
    use_backend app3 if { path_beg /app3 }
    use_backend app if { path_beg /app }
    use_backend xsrc if { path_beg /xsrc }
    default_backend webapps

backend webapps
    default-server check inter 200 fall 2 rise 2
    server s1 127.0.0.1:${context.port('s1')}
    server s2 127.0.0.1:${context.port('s2')}
    server s3 127.0.0.1:${context.port('s3')}

backend solo
    server w1 127.0.0.1:${context.port('w1')} track webapps/s1

backend chain
    server c1 127.0.0.1:${context.port('w1')} track solo/w1
    server c2 127.0.0.1:${context.port('s2')} check inter 200

backend trk
    server t1 127.0.0.1:${context.port('t1')} check inter 200 fall 2 rise 2
    server t2 127.0.0.1:${context.port('t2')} track trk/t1

backend trk2
    server u1 127.0.0.1:${context.port('u1')} check inter 200 fall 2 rise 2
    server u2 127.0.0.1:${context.port('u2')} track trk2/u1
    server u3 127.0.0.1:${context.port('u3')} check inter 200 fall 2 rise 2

backend yb
    server y1 127.0.0.1:${context.port('t1')} check inter 200 fall 2 rise 2
    server y2 127.0.0.1:${context.port('y2')} track yb/y1

backend yc
    server z1 127.0.0.1:${context.port('t1')} check inter 200 fall 2 rise 2
    server z2 127.0.0.1:${context.port('z2')} check inter 200 fall 2 rise 2

backend app
    option httpchk
    server a1 127.0.0.1:${context.port('a1')} check inter 300 fall 40 rise 2
    server a2 127.0.0.1:${context.port('a2')} check inter 300 fall 40 rise 2

backend app2
    option httpchk
    server b1 127.0.0.1:${context.port('b1')} check inter 200 fall 2 rise 2
    server b2 127.0.0.1:${context.port('b2')} check inter 200 fall 2 rise 2

backend app3
    option httpchk
    server d1 127.0.0.1:${context.port('b1')} check inter 200 fall 2 rise 2
    server d2 127.0.0.1:${context.port('d2')} check inter 200 fall 2 rise 2

backend xsrc
    server e1 127.0.0.1:${context.port('e1')} check inter 200 fall 2 rise 2
    server e2 127.0.0.1:${context.port('e2')} check inter 200 fall 2 rise 2

backend xtrk
    server x1 127.0.0.1:${context.port('x1')} track xsrc/e1
    server x2 127.0.0.1:${context.port('x2')} check inter 200 fall 2 rise 2
`,
	});
});

afterAll(async () => {
	await bed?.stop();
});

const common = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/${journal}`, '--yes', '--json', '--proof', 'probe'];
const states = async () => adminStates(await bed.send('show servers state'));
const run = async (args: string[]) => {
	const result = await runCli(args, {timeoutMs: 60_000});
	return {...result, json: checkContract(result.stdout, result.code)};
};

/** After a test that stopped b2 (and started it again): HAProxy's checks see it UP before the next test. */
const b2UpAgain = async () =>
	waitFor('b2 up again', async () => {
		const row = rawStat(await bed.send('show stat')).find((candidate) => candidate['pxname'] === 'app2' && candidate['svname'] === 'b2');
		return row?.['status'] === 'UP' ? row : undefined;
	}, 30_000);

const untouched = async () => {
	const now = await states();
	return Object.entries(now).filter(([, admin]) => admin !== '0');
};

describe('servers that track the target leave rotation with it', () => {
	it('refuses to drain webapps/s1 when solo/w1 tracks it and is the only server of solo: nothing sent (dry run too)', async () => {
		const drain = await run(['drain', 'webapps/s1', ...common('solo.jsonl')]);
		expect(drain.code, drain.stderr).toBe(1);
		expect(drain.json).toMatchObject({ok: false, changed: false, error: {code: 'capacity'}});
		expect(drain.stderr).toContain('backend solo would have no active server serving: solo/w1 tracks webapps/s1 and leaves rotation with it');
		expect(await untouched()).toEqual([]);

		const dry = await run(['drain', 'webapps/s1', ...common('solo.jsonl'), '--dry-run']);
		expect(dry.code, dry.stderr).toBe(1);
		expect(dry.json).toMatchObject({ok: false, changed: false, wouldSend: [], error: {code: 'capacity'}});
		expect(await untouched()).toEqual([]);
	});

	it('refuses to drain trk/t1 when its only other server t2 tracks it (same backend): nothing sent, nobody blamed', async () => {
		const drain = await run(['drain', 'trk/t1', ...common('trk.jsonl')]);
		expect(drain.code, drain.stderr).toBe(1);
		expect(drain.json).toMatchObject({ok: false, changed: false, error: {code: 'capacity'}});
		expect(drain.stderr).toContain('backend trk would have no active server serving: trk/t2 tracks trk/t1 and leaves rotation with it');
		expect(drain.stderr).not.toContain('someone');
		expect(await untouched()).toEqual([]);
	});

	it('a roll of trk stops at t1 before anything is sent (capacity)', async () => {
		const roll = await runCli(['roll', 'trk', ...common('roll.jsonl'), '--exec', 'true'], {timeoutMs: 60_000});
		expect(roll.code, roll.stderr).toBe(1);
		expect(JSON.parse(roll.stdout)).toMatchObject({ok: false, changed: false, stateChanges: 0, error: {code: 'capacity'}});
		expect(roll.stderr).toContain('trk/t2 tracks trk/t1');
		expect(await untouched()).toEqual([]);
	});

	it('a machine (@ADDRESS:PORT) whose server y1 is tracked by y2 is refused as a whole: y2 does not stay', async () => {
		const machine = `@127.0.0.1:${bed.port('t1')}`;
		const drain = await run(['drain', machine, ...common('machine.jsonl')]);
		expect(drain.code, drain.stderr).toBe(1);
		expect(drain.json).toMatchObject({ok: false, changed: false, error: {code: 'capacity'}});
		expect(drain.stderr).not.toContain('y2 stays in rotation');
		expect(drain.json.error?.message).toContain('yb/y2 tracks yb/y1 and leaves rotation with it');
		expect(await untouched()).toEqual([]);
	});
});

describe('the read-back right after the drain', () => {
	it('names the tracker that left with this very drain, and blames someone only for the server they drained meanwhile', async () => {
		const options = parseOptions({socket: [bed.adminSocket], config: bed.configPath, journal: `${bed.dir}/readback.jsonl`, quietTimeout: 5, proof: 'probe'});
		const {context} = await prepareMaintenance(options, parseTarget('trk2/u1'), {interactive: false});
		const io: RunbookIo = {dispatch: (action) => context.store.dispatch(action), ask: async () => true};
		beginMaintenance(context, undefined);
		for (const step of ['validate', 'baseline'] as const) {
			expect(await runStep(step, context, io), JSON.stringify(context.store.getState().steps[step].checks)).toBe('passed');
		}

		// u3, the one server that does not track u1, is drained by another operator just as the drain goes out.
		const client = context.clients[0]!;
		context.clients = [
			{
				...client,
				async setServerState(target, state) {
					const outcome = await client.setServerState(target, state);
					if (state === 'drain') {
						await bed.send('set server trk2/u3 state drain');
					}

					return outcome;
				},
			},
		];
		try {
			expect(await runStep('drain', context, io)).toBe('failed');
			expect(context.store.getState().steps.drain.checks.at(-1)).toMatchObject({
				verdict: 'fail',
				exitCode: 1,
				observed: 'Right after the drain, HAProxy showed no other active server of trk2 serving (u2 DRAIN, u3 DRAIN): trk2/u2 tracks trk2/u1 and left rotation with this drain; someone changed the backend meanwhile, so trk2/u1 was put back to ready at once.',
			});
			const after = await states();
			expect([after['trk2/u1'], after['trk2/u2'], after['trk2/u3']]).toEqual(['0', '0', '8']);
		} finally {
			context.lock.release();
			await bed.send('set server trk2/u3 state ready');
		}
	});
});

describe('a server failing its health checks is no capacity', () => {
	it('refuses to drain app/a1 while a2 is UP but going down (its checks fail): nothing sent', async () => {
		await bed.demo('a2').stop();
		try {
			await waitFor('a2 failing its checks', async () => {
				const row = rawStat(await bed.send('show stat')).find((candidate) => candidate['pxname'] === 'app' && candidate['svname'] === 'a2');
				return row && /^UP \d+\/\d+$/.test(row['status'] ?? '') && row['check_status']?.includes('L4CON') ? row : undefined;
			});
			const drain = await run(['drain', 'app/a1', ...common('failing.jsonl')]);
			expect(drain.code, drain.stderr).toBe(1);
			expect(drain.json).toMatchObject({ok: false, changed: false, error: {code: 'capacity'}});
			expect(drain.stderr).toMatch(/app\/a2 is failing its health checks \(UP \d+\/40, last check L4CON\)/);
			expect(await untouched()).toEqual([]);
		} finally {
			await bed.demo('a2').start();
		}

		await waitFor('a2 passing its checks again', async () => {
			const row = rawStat(await bed.send('show stat')).find((candidate) => candidate['pxname'] === 'app' && candidate['svname'] === 'a2');
			return row?.['status'] === 'UP' && row['check_status'] === 'L7OK' ? row : undefined;
		}, 30_000);
	}, 60_000);

	it('with every server healthy, drains webapps/s2 as before (trackers of s1 are not in the way)', async () => {
		const drain = await run(['drain', 'webapps/s2', ...common('fine.jsonl')]);
		expect(drain.code, drain.stderr).toBe(0);
		expect(drain.stderr).toContain('2 other active servers stay in rotation');
		const restore = await run(['restore', 'webapps/s2', ...common('fine.jsonl')]);
		expect(restore.code, restore.stderr).toBe(0);
		expect(await untouched()).toEqual([]);
	}, 90_000);
});

describe('the rest of the backend going down during confirm', () => {
	it('--proof live: the rest going down while confirm watches live traffic ends the watch then, not at the window\'s end, and puts the target back; not "too few clients"', async () => {
		const load = startLoad(`${bed.url}app2/`, {clients: 2, maxMs: 150_000, paceMs: 50});
		// More new requests than the clients send in the window: the watch goes on until something else ends it.
		const drain = startCli(['drain', 'app2/b1', ...common('live-outage.jsonl').filter((word) => word !== 'probe' && word !== '--proof'), '--proof', 'live', '--requests', '1000', '--proof-window', '120']);
		try {
			await drain.waitForStderr('✓ confirm · Sessions quiet', 60_000);
			expect(await bed.send('set server app2/b2 state maint')).toBe('\n');
			const {code} = await drain.exited;
			expect(code, drain.stderr).toBe(1);
			expect(drain.stderr).toMatch(/✗ confirm · New traffic goes elsewhere: HAProxy shows no server of app2 serving now \(b2 MAINT\): the rest of the backend went down after the drain\./);
			expect(drain.stderr).not.toContain('too few');
			expect(drain.stderr).toContain('so app2/b1, healthy, was put back into rotation at once');
			// The watch it reports ended when the outage was seen, well inside its 120 s window.
			const moved = checkContract(drain.stdout, code).steps.find((step) => step.id === 'confirm')?.checks.find((check) => check.id === 'traffic-moved');
			expect(moved).toMatchObject({verdict: 'fail', evidence: {basis: 'live'}});
			expect(Number(moved?.evidence?.['windowSeconds'])).toBeLessThan(60);
			expect((await states())['app2/b1']).toBe('0');
		} finally {
			drain.child.kill('SIGKILL');
			await load.stop();
			await bed.send('set server app2/b2 state ready');
		}
	}, 180_000);

	it('the rest going down while the drain hold is watched: confirm stops there, not after the sessions and the traffic', async () => {
		const drain = startCli(['drain', 'app2/b1', ...common('hold-outage.jsonl'), '--quiet-timeout', '120']);
		try {
			await drain.waitForStderr('✓ drain · Drain command', 60_000);
			expect(await bed.send('set server app2/b2 state maint')).toBe('\n');
			const {code} = await drain.exited;
			expect(code, drain.stderr).toBe(1);
			expect(drain.stderr).toMatch(/✗ confirm · Drain holds: The drain holds [\d.]+ s after it was set, but HAProxy shows no server of app2 serving now \(b2 MAINT\)/);
			expect(drain.stderr).not.toContain('Sessions quiet');
			expect((await states())['app2/b1']).toBe('0');
		} finally {
			drain.child.kill('SIGKILL');
			await bed.send('set server app2/b2 state ready');
		}
	}, 90_000);

	it('a backend whose servers track the target, left with nothing serving during confirm: the target is put back, said so (exit 1), not "drained and proven"', async () => {
		const journal = `${bed.dir}/tracker-outage.jsonl`;
		const drain = startCli(['drain', 'xsrc/e1', ...common('tracker-outage.jsonl'), '--quiet-timeout', '120']);
		try {
			await drain.waitForStderr('✓ drain · Drain command', 60_000);
			// x1 tracks e1 and left with it; now the other server of xtrk goes too: xtrk has nothing serving.
			expect(await bed.send('set server xtrk/x2 state maint')).toBe('\n');
			const {code} = await drain.exited;
			expect(code, drain.stderr).toBe(1);
			expect(drain.stderr).toMatch(/✗ confirm · Drain holds: The drain holds [\d.]+ s after it was set, but HAProxy shows no server of xtrk serving now \(x1 DRAIN \(tracks xsrc\/e1\), x2 MAINT\): its servers that track xsrc\/e1 left rotation with the drain, and the others went down\./);
			expect(drain.stderr).toContain('xtrk was left with no server serving after the drain, its servers that track xsrc/e1 gone with it (x1 DRAIN (tracks xsrc/e1), x2 MAINT), so xsrc/e1, healthy, was put back into rotation at once ("set server xsrc/e1 state ready"): its trackers serve xtrk again');
			expect(drain.stderr).not.toContain('proven out of rotation');
			const result = checkContract(drain.stdout, code);
			expect(result).toMatchObject({ok: false, error: {code: 'capacity'}});
			expect((await states())['xsrc/e1']).toBe('0');
			expect(readJournal(journal).entries.filter((entry) => entry.event === 'rollback').map((entry) => [entry.command, entry.ok])).toEqual([['set server xsrc/e1 state ready', true]]);
		} finally {
			drain.child.kill('SIGKILL');
			await bed.send('set server xtrk/x2 state ready');
		}
	}, 90_000);

	it('with --force (a tracker leaving with the target, let through): the target is not put back behind the operator\'s back, and the run says so', async () => {
		const drain = await run(['drain', 'trk/t1', ...common('forced.jsonl'), '--force']);
		try {
			expect(drain.code, drain.stderr).toBe(1);
			expect(drain.stderr).toContain('HAProxy shows no server of trk serving (t2 DRAIN), as --force let this drain leave it: trk/t1 stays drained, and HAProxy answers 503 for trk until a server serves again.');
			expect(drain.stderr).not.toContain('was put back into rotation');
			expect((await states())['trk/t1']).toBe('8');
		} finally {
			await bed.send('set server trk/t1 state ready');
		}
	}, 90_000);

	it('puts the healthy target back at once, journals it, and says so (exit 1), instead of blaming the URL', async () => {
		const journal = `${bed.dir}/outage.jsonl`;
		const drain = startCli(['drain', 'app2/b1', ...common('outage.jsonl')]);
		try {
			await drain.waitForStderr('✓ drain · Drain command', 60_000);
			// The rest of the backend dies after the drain: HAProxy takes b2 DOWN within two checks.
			await bed.demo('b2').stop();
			const {code} = await drain.exited;
			expect(code, drain.stderr).toBe(1);
			expect(drain.stderr).toContain('The rest of app2 went down after the drain (b2 DOWN');
			expect(drain.stderr).toContain('so app2/b1, healthy, was put back into rotation at once ("set server app2/b1 state ready")');
			const result = checkContract(drain.stdout, code);
			expect(result).toMatchObject({ok: false, error: {code: 'capacity'}});
			expect(result.error?.message).toMatch(/^The rest of app2 went down after the drain/);
			expect(result.error?.message).not.toContain('URL');
			// The failed probe itself says why: nothing serves the backend.
			expect(drain.stderr).toContain('HAProxy shows no server of app2 serving now (b2 DOWN');
			expect(drain.stderr).not.toContain('Check the URL');
			expect((await states())['app2/b1']).toBe('0');
			const rollbacks = readJournal(journal).entries.filter((entry) => entry.event === 'rollback');
			expect(rollbacks.map((entry) => [entry.command, entry.ok])).toEqual([['set server app2/b1 state ready', true]]);
		} finally {
			drain.child.kill('SIGKILL');
			await bed.demo('b2').start();
		}

		await b2UpAgain();
	}, 90_000);

	it('a roll stopped by it says the put-back in its error (with the failed step) and counts it: changed, 2 state changes', async () => {
		const journal = `${bed.dir}/roll-outage.jsonl`;
		const roll = startCli(['roll', 'app2', '--servers', 'b1', '--exec', 'true', ...common('roll-outage.jsonl')]);
		try {
			await roll.waitForStderr('✓ drain · Drain command', 60_000);
			await bed.demo('b2').stop();
			const {code} = await roll.exited;
			expect(code, roll.stderr).toBe(1);
			const result = rollResultSchema.parse(JSON.parse(roll.stdout));
			expect(result).toMatchObject({ok: false, changed: true, stateChanges: 2, drained: [], error: {code: 'capacity'}});
			expect(result.error?.message).toMatch(/^drain of app2\/b1 did not pass \(confirm: .+\)\. The rest of app2 went down after the drain \(b2 DOWN[^)]*\), so app2\/b1, healthy, was put back into rotation at once/);
			expect((await states())['app2/b1']).toBe('0');
			const rollbacks = readJournal(journal).entries.filter((entry) => entry.event === 'rollback');
			expect(rollbacks.map((entry) => [entry.command, entry.ok])).toEqual([['set server app2/b1 state ready', true]]);
		} finally {
			roll.child.kill('SIGKILL');
			await bed.demo('b2').start();
		}

		await b2UpAgain();
	}, 90_000);

	it('a machine in two backends: the server of the backend that went down is put back, the other stays drained, said so (exit 1)', async () => {
		const machine = `@127.0.0.1:${bed.port('b1')}`;
		const drain = startCli(['drain', machine, ...common('outage-set.jsonl')]);
		try {
			await drain.waitForStderr('app3/d1 ✓ drain · Drain command', 60_000);
			await bed.demo('b2').stop();
			const {code} = await drain.exited;
			expect(code, drain.stderr).toBe(1);
			const result = checkContract(drain.stdout, code);
			expect(result).toMatchObject({ok: false, error: {code: 'capacity'}});
			expect(result.error?.message).toMatch(/^The rest of app2 went down after the drain \(b2 DOWN[^)]*\), so app2\/b1, healthy, was put back into rotation at once/);
			const after = await states();
			expect([after['app2/b1'], after['app3/d1']]).toEqual(['0', '8']);
			const rollbacks = readJournal(`${bed.dir}/outage-set.jsonl`).entries.filter((entry) => entry.event === 'rollback');
			expect(rollbacks.map((entry) => [entry.target, entry.command, entry.ok])).toEqual([['app2/b1', 'set server app2/b1 state ready', true]]);
		} finally {
			drain.child.kill('SIGKILL');
			await bed.send('set server app3/d1 state ready');
			await bed.demo('b2').start();
		}

		await b2UpAgain();
	}, 90_000);
});
