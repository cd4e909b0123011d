import {readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {targetFromUrl} from '../../source/probe/create-probe.js';
import type {Probe} from '../../source/probe/probe.js';
import {failureCode} from '../../source/runbook/failure-code.js';
import {Journal, JournalError, readJournal} from '../../source/runbook/journal.js';
import {runStep} from '../../source/runbook/run-step.js';
import type {StepId} from '../../source/runbook/steps.js';
import {clockTime} from '../../source/time-format.js';
import {engineHarness, FakeClock, FakeHaproxy, type EngineHarness} from '../helpers/fake-runtime.js';
import {scratchDir} from '../helpers/scratch.js';

const pool = () => new FakeHaproxy(['app01', 'app02', 'app03']);

async function through(harness: EngineHarness, steps: StepId[]) {
	for (const step of steps) {
		const outcome = await runStep(step, harness.context, harness.io);
		if (outcome !== 'passed') {
			throw new Error(`${step} ${outcome}: ${JSON.stringify(harness.state().steps[step].checks.at(-1))}`);
		}
	}
}

const check = (harness: EngineHarness, step: StepId, id: string) => harness.state().steps[step].checks.find((result) => result.id === id);

describe('validate', () => {
	it('passes on a healthy pool and records what it saw', async () => {
		const harness = engineHarness(pool(), new FakeClock());
		expect(await runStep('validate', harness.context, harness.io)).toBe('passed');
		expect(harness.state().current).toBe('baseline');
		expect(check(harness, 'validate', 'capacity')?.observed).toBe('2 other active servers stay in rotation with 67% of the weight (sessions now: app02 0, app03 0).');
		expect(harness.context.facts.serverNames).toEqual(['app01', 'app02', 'app03']);
	});

	it('refuses to take the last serving server, and stays on validate', async () => {
		const haproxy = pool();
		haproxy.set('app02', {adminState: 0x01, opState: 0});
		haproxy.set('app03', {opState: 0, status: 'DOWN'});
		const harness = engineHarness(haproxy, new FakeClock());
		expect(await runStep('validate', harness.context, harness.io)).toBe('failed');
		expect(harness.state().current).toBe('validate');
		expect(harness.state().steps.validate.status).toBe('failed');
		expect(check(harness, 'validate', 'capacity')).toMatchObject({verdict: 'fail', override: {kind: 'force'}});
		expect(check(harness, 'validate', 'capacity')?.observed).toContain('HAProxy would answer 503');
	});

	it('lets --force pass the capacity gate, and journals it', async () => {
		const haproxy = pool();
		haproxy.set('app02', {adminState: 0x08});
		haproxy.set('app03', {userWeight: 0});
		const harness = engineHarness(haproxy, new FakeClock(), {force: true});
		expect(await runStep('validate', harness.context, harness.io)).toBe('passed');
		expect(check(harness, 'validate', 'capacity')).toMatchObject({verdict: 'warn'});
		expect(check(harness, 'validate', 'capacity')?.observed).toContain('Passed by --force (journaled).');
		expect(readJournal(harness.journalFile).entries.some((entry) => entry.event === 'override' && entry.check === 'capacity')).toBe(true);
	});

	it('says a backup would be all that is left', async () => {
		const haproxy = new FakeHaproxy(['app01', 'spare']);
		haproxy.set('spare', {backup: true});
		const harness = engineHarness(haproxy, new FakeClock());
		expect(await runStep('validate', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'validate', 'capacity')?.observed).toContain('Only backup server spare would take the traffic.');
	});

	it('needs a level admin socket (exit 3)', async () => {
		const haproxy = pool();
		haproxy.level = 'operator';
		const harness = engineHarness(haproxy, new FakeClock());
		expect(await runStep('validate', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'validate', 'socket-admin')).toMatchObject({verdict: 'fail', exitCode: 3});
	});

	it('names an unknown server and lists the real ones', async () => {
		const harness = engineHarness(pool(), new FakeClock(), {}, 'webapps/app09');
		expect(await runStep('validate', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'validate', 'target-exists')?.observed).toBe('backend webapps has no server app09; it has app01, app02, app03.');
	});

	it('blocks on an invalid configuration, shows warnings without blocking, and can skip the check', async () => {
		let harness = engineHarness(pool(), new FakeClock());
		harness.context.checkConfig = async () => ({ok: false, exitCode: 1, warnings: [], alerts: ["[ALERT] (1) : config : parsing [/etc/haproxy/haproxy.cfg:12] : unknown keyword 'servr'"], output: ''});
		expect(await runStep('validate', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'validate', 'config-valid')?.observed).toContain("unknown keyword 'servr'");

		harness = engineHarness(pool(), new FakeClock());
		harness.context.checkConfig = async () => ({ok: true, exitCode: 0, warnings: ['[WARNING] (1) : a warning'], alerts: [], output: ''});
		expect(await runStep('validate', harness.context, harness.io)).toBe('passed');
		expect(check(harness, 'validate', 'config-valid')).toMatchObject({verdict: 'warn'});
		expect(check(harness, 'validate', 'config-valid')?.observed).toContain('haproxy -c warned 1 time(s): [WARNING] (1) : a warning');

		// More than two: the count, and which of them are quoted.
		harness = engineHarness(pool(), new FakeClock());
		harness.context.checkConfig = async () => ({ok: true, exitCode: 0, warnings: ['[WARNING] one.', '[WARNING] two.', '[WARNING] three.'], alerts: [], output: ''});
		expect(await runStep('validate', harness.context, harness.io)).toBe('passed');
		expect(check(harness, 'validate', 'config-valid')?.observed).toContain('haproxy -c warned 3 time(s) (the first 2): [WARNING] one. [WARNING] two.');

		harness = engineHarness(pool(), new FakeClock(), {skipValidate: true});
		harness.context.checkConfig = {missing: 'HAProxy is not installed.'};
		expect(await runStep('validate', harness.context, harness.io)).toBe('passed');
		expect(check(harness, 'validate', 'config-valid')).toMatchObject({verdict: 'skip'});
	});

	it('warns about persistence, trackers and a missing server-state file', async () => {
		const haproxy = pool();
		haproxy.set('app03', {tracked: 'webapps/app01'});
		const harness = engineHarness(haproxy, new FakeClock());
		harness.context.backendFacts = {name: 'webapps', mode: 'http', balance: 'roundrobin', persistence: ['cookie SERVERID insert indirect'], serverStateFile: null, loadsServerState: false, uncertain: []};
		expect(await runStep('validate', harness.context, harness.io)).toBe('passed');
		const warnings = check(harness, 'validate', 'warnings');
		expect(warnings?.verdict).toBe('warn');
		expect(warnings?.observed).toContain('Persistence (cookie SERVERID insert indirect) keeps its users on a drained server');
		expect(warnings?.observed).toContain('No server-state file is loaded');
		expect(warnings?.observed).toContain('Tracking servers inherit the drain: webapps/app03.');
	});

	it.each([
		[
			'forced (state maint, disable server)',
			{adminState: 0x01, opState: 0, status: 'MAINT'},
			'webapps/app01 is in maintenance (HAProxy shows MAINT, admin flags FMAINT): it is already out of rotation, so there is nothing to drain; whoever put it in maintenance brings it back (set server webapps/app01 state ready).',
		],
		[
			'disabled in the configuration',
			{adminState: 0x05, opState: 0, status: 'MAINT'},
			'webapps/app01 is in maintenance, "disabled" in the configuration (HAProxy shows MAINT, admin flags FMAINT+CMAINT): it is already out of rotation, so there is nothing to drain; "set server webapps/app01 state ready" enables it until the next reload, and taking "disabled" off its server line keeps it so.',
		],
		[
			'inherited from the server it tracks',
			{adminState: 0x02, opState: 0, status: 'MAINT (via webapps/app02)', tracked: 'webapps/app02'},
			'webapps/app01 is in maintenance through webapps/app02, which it tracks (HAProxy shows MAINT (via webapps/app02), admin flags IMAINT): it is already out of rotation, so there is nothing to drain; it comes back with webapps/app02 ("set server webapps/app02 state ready", or whoever put that one in maintenance).',
		],
		[
			'for want of DNS resolution',
			{adminState: 0x20, opState: 0, status: 'MAINT (resolution)'},
			'webapps/app01 is in maintenance because its name does not resolve (HAProxy shows MAINT (resolution), admin flags RMAINT): it is already out of rotation, so there is nothing to drain; it comes back when DNS resolves its name again.',
		],
	] as const)('refuses a target in maintenance %s, saying how it comes back; nothing is sent and no lock taken', async (_kind, state, sentence) => {
		const haproxy = pool();
		haproxy.set('app01', state);
		const harness = engineHarness(haproxy, new FakeClock());
		expect(await runStep('validate', harness.context, harness.io)).toBe('failed');
		expect(harness.state().steps.validate.checks.map((result) => [result.id, result.verdict])).toEqual([
			['target-exists', 'pass'],
			['not-in-maintenance', 'fail'],
		]);
		const refusal = check(harness, 'validate', 'not-in-maintenance')!;
		expect(refusal.observed).toBe(sentence);
		// --allow-down is offered where its drain keeps the maintenance; "state drain" would end FMAINT.
		expect(refusal.todo?.includes('--allow-down')).toBe((state.adminState & 0x01) === 0);
		expect(failureCode(refusal)).toBe('not-serving');
		expect(refusal.exitCode ?? 1).toBe(1);
		expect(refusal.override).toBeUndefined();
		expect(haproxy.sent).toEqual([]);
		expect(harness.context.lock.isHeld).toBe(false);
	});

	it('lets --allow-down take a target in maintenance through the server it tracks (IMAINT) on purpose, with a warning', async () => {
		const haproxy = pool();
		haproxy.set('app01', {adminState: 0x02, opState: 0, status: 'MAINT (via webapps/app02)'});
		const harness = engineHarness(haproxy, new FakeClock(), {allowDown: true});
		expect(await runStep('validate', harness.context, harness.io)).toBe('passed');
		expect(check(harness, 'validate', 'not-in-maintenance')).toMatchObject({verdict: 'warn'});
		expect(check(harness, 'validate', 'not-in-maintenance')?.observed).toContain('drained on purpose with --allow-down');
	});

	it('refuses a target in MAINT set by hand or "disabled" (FMAINT) even with --allow-down: "state drain" would end that maintenance', async () => {
		for (const adminState of [0x01, 0x05]) {
			const haproxy = pool();
			haproxy.set('app01', {adminState, opState: 0, status: 'MAINT'});
			const harness = engineHarness(haproxy, new FakeClock(), {allowDown: true});
			expect(await runStep('validate', harness.context, harness.io)).toBe('failed');
			const refusal = check(harness, 'validate', 'not-in-maintenance')!;
			expect(refusal.verdict).toBe('fail');
			expect(refusal.observed).toContain('--allow-down does not drain it, since HAProxy\'s "state drain" ends a maintenance set by hand or by "disabled" (FMAINT becomes FDRAIN)');
			expect(failureCode(refusal)).toBe('not-serving');
			expect(haproxy.sent).toEqual([]);
		}
	});

	it.each([
		['drained (by this drainboard or another)', {adminState: 0x08, status: 'DRAIN'}],
		['drained and DOWN while its work goes on', {adminState: 0x08, opState: 0, status: 'DOWN'}],
		['DOWN (the baseline says so)', {opState: 0, status: 'DOWN'}],
	] as const)('does not take a target that is %s for one in maintenance', async (_kind, state) => {
		const haproxy = pool();
		haproxy.set('app01', state);
		const harness = engineHarness(haproxy, new FakeClock());
		await runStep('validate', harness.context, harness.io);
		expect(check(harness, 'validate', 'not-in-maintenance')).toMatchObject({verdict: 'pass'});
	});

	it('turns an unreachable HAProxy into a failed check with exit 3', async () => {
		const haproxy = pool();
		haproxy.reachable = false;
		const harness = engineHarness(haproxy, new FakeClock());
		expect(await runStep('validate', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'validate', 'target-exists')).toMatchObject({verdict: 'fail', exitCode: 3, observed: 'Nothing answers on /fake/admin.sock (connection refused).'});
	});
});

describe('baseline', () => {
	it('passes when the target gets some of the traffic, with per-server counts', async () => {
		const harness = engineHarness(pool(), new FakeClock());
		await through(harness, ['validate']);
		expect(await runStep('baseline', harness.context, harness.io)).toBe('passed');
		expect(check(harness, 'baseline', 'baseline-traffic')).toMatchObject({
			verdict: 'pass',
			evidence: {sent: 10, succeeded: 10, targetDelta: 4, othersDelta: 6},
		});
	});

	it('stops and explains when the target got none (weight 0)', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate']);
		haproxy.set('app01', {userWeight: 0});
		expect(await runStep('baseline', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'baseline', 'baseline-traffic')?.meaning).toBe('The target has weight 0, so it gets no new traffic.');
	});

	it('lets the operator continue knowingly with hash balancing, or stop', async () => {
		const haproxy = pool();
		haproxy.algorithm = 'source';
		let harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate']);
		harness.answers.push(false);
		expect(await runStep('baseline', harness.context, harness.io)).toBe('failed');
		expect(harness.prompts.at(-1)).toMatchObject({kind: 'question'});

		harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate']);
		expect(await runStep('baseline', harness.context, harness.io)).toBe('passed');
		expect(check(harness, 'baseline', 'baseline-traffic')?.observed).toContain('The operator continued knowingly (journaled).');
	});

	it('fails when requests fail, naming the first error', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate']);
		// Every server weighted out after validate, still UP: HAProxy has nowhere to send the requests.
		for (const name of ['app01', 'app02', 'app03']) {
			haproxy.set(name, {userWeight: 0});
		}

		expect(await runStep('baseline', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'baseline', 'baseline-traffic')?.observed).toContain('10 of 10 requests through http://127.0.0.1:8080/ failed (first: HTTP 503)');
	});

	it('sends no request to measure a target HAProxy shows DOWN: it serves nothing, said from that read', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate']);
		haproxy.set('app01', {opState: 0, status: 'DOWN', checkStatus: 'L4CON'});
		expect(await runStep('baseline', harness.context, harness.io)).toBe('failed');
		const refused = check(harness, 'baseline', 'baseline-traffic')!;
		expect(refused.observed).toBe('webapps/app01 is DOWN (op state stopped, check L4CON): it serves nothing, so no request was sent to measure it.');
		expect(refused.meaning).toContain('--allow-down drains it on purpose');
		expect(failureCode(refused)).toBe('not-serving');
		expect(refused.evidence).toBeUndefined();
	});

	it('asks for a listener when none is known', async () => {
		const harness = engineHarness(pool(), new FakeClock());
		await through(harness, ['validate']);
		harness.io.dispatch({type: 'probe-set', probe: null, source: 'no frontend routes to backend webapps'});
		expect(await runStep('baseline', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'baseline', 'listener')?.todo).toContain('--url');
	});
});

describe('drain', () => {
	it('shows the exact command, sends nothing on no, and goes back to pending', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline']);
		harness.answers.push(false);
		expect(await runStep('drain', harness.context, harness.io)).toBe('cancelled');
		expect(harness.prompts.at(-1)).toMatchObject({kind: 'command', command: 'set server webapps/app01 state drain'});
		expect(haproxy.sent).toEqual([]);
		expect(harness.state().steps.drain.status).toBe('pending');
		expect(harness.state().current).toBe('drain');
	});

	it('journals the command before sending it, then the reply', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline']);
		expect(await runStep('drain', harness.context, harness.io)).toBe('passed');
		expect(haproxy.sent).toEqual(['set server webapps/app01 state drain']);
		const events = readJournal(harness.journalFile).entries.filter((entry) => entry.step === 'drain').map((entry) => entry.event);
		expect(events).toEqual(['command', 'reply', 'check', 'step-passed']);
		expect(harness.state().drained).toBe(true);
	});

	it.each([
		['it is a device', '/dev/full', /is refused because it is not a regular file \(a device\); no change was sent to HAProxy/],
		['its directory cannot be made', 'FILE/sub/journal.jsonl', /cannot be written because its directory cannot be created; "set server webapps\/app01 state drain" was not sent to HAProxy/],
	])('sends nothing when the journal cannot be written: %s', async (_case, file, message) => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline']);
		const blocker = path.join(scratchDir('drainboard-file-'), 'not-a-directory');
		writeFileSync(blocker, 'not a directory');
		harness.context.journal = new Journal(file.replace('FILE', blocker));
		expect(await runStep('drain', harness.context, harness.io)).toBe('failed');
		expect(haproxy.sent).toEqual([]);
		expect(check(harness, 'drain', 'drain-sent')?.observed).toMatch(message);
		expect(harness.state().drained).toBe(false);
	});

	it('reports HAProxy refusing the change', async () => {
		const haproxy = pool();
		haproxy.replies.set('set server webapps/app01 state drain', 'Permission denied\n');
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline']);
		expect(await runStep('drain', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'drain', 'drain-sent')).toMatchObject({verdict: 'fail', exitCode: 3});
	});
});

describe('confirm', () => {
	it('counts the drain\'s hold up to what it waits for, also for a drain set long before confirm (resumed): never "8 s of 3 s"', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		const harness = engineHarness(haproxy, clock, {holdMs: 3000});
		await through(harness, ['validate', 'baseline', 'drain']);
		// The run was stopped after the drain; confirm runs 8 s later.
		clock.time += 8000;
		expect(await runStep('confirm', harness.context, harness.io)).toBe('passed');
		const live = harness.actions.flatMap((action) => (action.type === 'live-updated' && action.step === 'confirm' ? action.lines : []));
		const watching = live.filter((line) => line.startsWith('Watching the drain hold: '));
		expect(watching.length).toBeGreaterThan(0);
		expect(watching.every((line) => line === 'Watching the drain hold: 3 s of 3 s')).toBe(true);
		expect(check(harness, 'confirm', 'drain-holds')?.observed).toMatch(/^HAProxy still shows FDRAIN 8(\.\d)? s after the drain was set \(2 reads\)/);
	});

	it('proves the drain: bit set, no new traffic to the target, sessions gone', async () => {
		const haproxy = pool();
		haproxy.set('app01', {currentSessions: 3});
		const clock = new FakeClock();
		let ticks = 0;
		const harness = engineHarness(haproxy, clock);
		// Sessions fall once confirm waits for them, after it watched the drain hold.
		clock.onSleep = () => {
			if (harness.state().steps.confirm.checks.some((check) => check.id === 'drain-holds')) {
				ticks++;
				haproxy.set('app01', {currentSessions: Math.max(0, 3 - ticks)});
			}
		};

		await through(harness, ['validate', 'baseline', 'drain']);
		expect(await runStep('confirm', harness.context, harness.io)).toBe('passed');
		expect(check(harness, 'confirm', 'traffic-moved')?.evidence).toMatchObject({targetDelta: 0, succeeded: 10});
		expect(check(harness, 'confirm', 'sessions-quiet')?.observed).toBe('Sessions on the target fell from 3 to 0 in 2 s.');
	});

	it('counts requests that reach the drained target outside the probe\'s burst, less those in flight when confirm began', async () => {
		const judged = async (grew: number, inFlight: number) => {
			const haproxy = pool();
			const clock = new FakeClock();
			const harness = engineHarness(haproxy, clock);
			await through(harness, ['validate', 'baseline', 'drain']);
			haproxy.set('app01', {currentSessions: inFlight});
			let once = false;
			// While the drain is watched: the requests in flight end, and clients held on the target come back.
			clock.onSleep = () => {
				if (!once && harness.state().steps.confirm.checks.length > 0) {
					once = true;
					haproxy.server('app01').requestsTotal! += grew;
					haproxy.set('app01', {currentSessions: 0});
				}
			};

			await runStep('confirm', harness.context, harness.io);
			return check(harness, 'confirm', 'traffic-moved');
		};

		const inFlight = await judged(2, 2);
		expect(inFlight).toMatchObject({verdict: 'pass', evidence: {targetDelta: 0, confirmTargetDelta: 2, outsideProbe: 2, inFlightAtConfirm: 2}});
		expect(inFlight?.observed).toMatch(/Over all of confirm's [\d.]+ s, from its first read after the drain: app01 \+2, 0 during the probe's burst, 2 outside it, which the probe did not send; 2 were in flight on it when confirm began, and may be among those\./);
		const sticky = await judged(7, 2);
		expect(sticky).toMatchObject({verdict: 'warn', evidence: {targetDelta: 0, outsideProbe: 7, stickyRequests: 5}});
		expect(sticky?.observed).toMatch(/Load balancing picked the target 0 times, but 5 requests from sticky clients still reached it in the [\d.]+ s since confirm began/);
	});

	it('offers to send the drain again when someone set the target back', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline', 'drain']);
		haproxy.set('app01', {adminState: 0});
		expect(await runStep('confirm', harness.context, harness.io)).toBe('passed');
		expect(harness.prompts.at(0)).toMatchObject({kind: 'command', command: 'set server webapps/app01 state drain'});
		expect(haproxy.sent.filter((command) => command.endsWith('drain'))).toHaveLength(2);
	});

	it('fails when the target still receives new traffic', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline', 'drain']);
		const probe: Probe = {
			url: 'http://127.0.0.1:8080/',
			kind: 'http',
			target: targetFromUrl('http://127.0.0.1:8080/'),
			send: async (count) => {
				haproxy.server('app01').requestsTotal! += 2;
				haproxy.server('app01').lbTotal = (haproxy.server('app01').lbTotal ?? 0) + 2;
				haproxy.server('app02').requestsTotal! += count - 2;
				return Array.from({length: count}, () => ({ok: true, status: 200, servedBy: null, error: null, ms: 1}));
			},
		};
		harness.io.dispatch({type: 'probe-set', probe, source: 'from --url'});
		expect(await runStep('confirm', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'confirm', 'traffic-moved')?.observed).toContain('The target still got 2.');
	});

	it('times out on sessions that never end, and offers to close them in the wizard', async () => {
		const haproxy = pool();
		haproxy.set('app01', {currentSessions: 2});
		let harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline', 'drain']);
		expect(await runStep('confirm', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'confirm', 'sessions-quiet')?.observed).toBe('2 session(s) still open on the target after 5 s.');
		const live = harness.actions.flatMap((action) => (action.type === 'live-updated' ? action.lines : []));
		expect(live.at(-1)).toMatch(/^Sessions on app01: 2 \(waited \d s of 5 s\)$/);

		haproxy.set('app01', {adminState: 0, currentSessions: 2});
		harness = engineHarness(haproxy, new FakeClock(), {interactive: true});
		await through(harness, ['validate', 'baseline', 'drain']);
		expect(await runStep('confirm', harness.context, harness.io)).toBe('passed');
		expect(haproxy.sent.at(-1)).toBe('shutdown sessions server webapps/app01');
		expect(check(harness, 'confirm', 'sessions-quiet')?.observed).toContain('Closed with "shutdown sessions server" (journaled); now 0.');
	});
});

describe('maintain and restore', () => {
	it('refuses while the target is down, times out, then passes once it is healthy and stays so', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		const harness = engineHarness(haproxy, clock);
		await through(harness, ['validate', 'baseline', 'drain', 'confirm']);
		haproxy.set('app01', {opState: 0, status: 'DOWN', checkStatus: 'L4CON'});
		expect(await runStep('maintain', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'maintain', 'health-back')?.observed).toBe('app01 is not healthy: DOWN · L4CON (TCP connection refused). Waited 10 s of 10 s (--ready-timeout).');
		expect(check(harness, 'maintain', 'health-back')?.evidence).toEqual({healthAtStart: 'DOWN · L4CON (TCP connection refused)', waitedSeconds: 10, readyTimeoutSeconds: 10, healthy: false});
		expect(harness.state().current).toBe('maintain');

		const cameBackAt = clock.now() + 3000;
		clock.onSleep = (time) => {
			if (time >= cameBackAt) {
				haproxy.set('app01', {opState: 2, status: 'DRAIN', checkStatus: 'L7OK'});
			}
		};

		expect(await runStep('maintain', harness.context, harness.io)).toBe('passed');
		expect(check(harness, 'maintain', 'health-back')?.observed).toBe('app01 is DRAIN · L7OK (HTTP check passed), seen healthy for 2 s.');
		expect(check(harness, 'maintain', 'health-back')?.evidence).toMatchObject({healthAtStart: 'DOWN · L4CON (TCP connection refused)', healthy: true, healthyForSeconds: 2});
	});

	it('the wizard\'s wait ends at once when someone puts the target into maintenance: HAProxy checks no server in maintenance', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		const harness = engineHarness(haproxy, clock, {interactive: true});
		await through(harness, ['validate', 'baseline', 'drain', 'confirm']);
		haproxy.set('app01', {opState: 0, status: 'DOWN', checkStatus: 'L4CON'});
		const started = clock.now();
		clock.onSleep = (time) => {
			if (time >= started + 2000) {
				// set server … state maint: FMAINT, and FDRAIN cleared.
				haproxy.set('app01', {adminState: 1, status: 'MAINT', checkStatus: undefined});
			}
		};

		expect(await runStep('maintain', harness.context, harness.io)).toBe('failed');
		expect(clock.now() - started).toBeLessThan(5000);
		const result = check(harness, 'maintain', 'health-back');
		expect(result?.observed).toBe(
			'Someone or something else put webapps/app01 into maintenance while drainboard waited for its health check: HAProxy shows admin flags FMAINT, not drained (MAINT · no check result yet). HAProxy does not health-check a server in maintenance, so the wait ends here. Nothing was sent.',
		);
		expect(result?.todo).toContain('set it to drain (set server webapps/app01 state drain) and you press Enter again');
		expect(haproxy.sent).not.toContain('set server webapps/app01 state ready');
	});

	it('what the health wait finds at its first read happened before the wait, and is said so: a maintenance, a ready', async () => {
		const maint = pool();
		const first = engineHarness(maint, new FakeClock(), {interactive: true});
		await through(first, ['validate', 'baseline', 'drain', 'confirm']);
		maint.set('app01', {adminState: 1, status: 'MAINT', checkStatus: undefined});
		expect(await runStep('maintain', first.context, first.io)).toBe('failed');
		expect(check(first, 'maintain', 'health-back')?.observed).toMatch(/^Someone or something else put webapps\/app01 into maintenance before drainboard began to wait for its health check: /);

		const ready = pool();
		const second = engineHarness(ready, new FakeClock(), {interactive: true});
		await through(second, ['validate', 'baseline', 'drain', 'confirm']);
		ready.set('app01', {adminState: 0, status: 'UP'});
		expect(await runStep('maintain', second.context, second.io)).toBe('failed');
		const observed = check(second, 'maintain', 'health-back')?.observed ?? '';
		expect(observed).toMatch(/(drainboard found it so as it began to wait for its health check|found as drainboard began to wait for its health check)/);
		expect(observed).not.toContain('while drainboard waited');
	});

	it('restores: ready sent, drain gone, traffic back, and a summary', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline', 'drain', 'confirm', 'maintain']);
		expect(await runStep('restore', harness.context, harness.io)).toBe('passed');
		expect(haproxy.sent.at(-1)).toBe('set server webapps/app01 state ready');
		expect(check(harness, 'restore', 'traffic-returns')?.evidence?.['targetDelta']).toBeGreaterThan(0);
		expect(check(harness, 'restore', 'summary')?.observed).toMatch(/^Drain sent \d\d:\d\d:\d\d, ready sent \d\d:\d\d:\d\d: \d+s apart\. Every step is in the journal /);
		expect(harness.state().finished).toBe(true);
		expect(harness.state().drained).toBe(false);
		const events = readFileSync(harness.journalFile, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as {event: string}).event);
		expect(events.at(-1)).toBe('finished');
	});

	it('dates the drain when HAProxy applied it, as the journal does: not after the read-back and the drain note that follow', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		const harness = engineHarness(haproxy, clock);
		const [client] = harness.context.clients;
		const setServerState = client!.setServerState;
		let appliedAt: number | undefined;
		client!.setServerState = async (...args) => {
			const reply = await setServerState(...args);
			appliedAt ??= clock.now();
			return reply;
		};
		// The drain's note, written after the read-back, ends in the next second (a busy host, a slow disk).
		const marks = harness.context.marks;
		const write = marks.write.bind(marks);
		marks.write = async (...args) => {
			clock.time = (Math.floor(clock.time / 1000) + 1) * 1000 + 500;
			return write(...args);
		};
		await through(harness, ['validate', 'baseline', 'drain', 'confirm', 'maintain', 'restore']);
		expect(harness.context.facts.drainSentAt).toBe(appliedAt);
		expect(check(harness, 'restore', 'summary')?.observed).toMatch(new RegExp(`^Drain sent ${clockTime(appliedAt!)}, `));
	});

	it('remembers an entry the journal lost along the way, and the summary says the journal is incomplete', async () => {
		const haproxy = pool();
		// The journal is swapped below: the drain's mark names the first one, so the restore takes it over.
		const harness = engineHarness(haproxy, new FakeClock(), {takeOver: true});
		await through(harness, ['validate', 'baseline', 'drain', 'confirm', 'maintain']);
		// The journal's directory is a file for a moment: the alarm entry is lost (best effort, as the wizard does).
		const blocker = path.join(os.tmpdir(), `drainboard-blocker-${process.pid}-${Date.now()}`);
		writeFileSync(blocker, 'not a directory');
		const journal = new Journal(path.join(blocker, 'journal.jsonl'));
		harness.context.journal = journal;
		expect(() => journal.append({step: 'maintain', event: 'alarm', detail: 'a reload'})).toThrow(JournalError);
		rmSync(blocker);
		expect(await runStep('restore', harness.context, harness.io)).toBe('passed');
		expect(haproxy.sent.at(-1)).toBe('set server webapps/app01 state ready');
		expect(check(harness, 'restore', 'summary')).toMatchObject({
			verdict: 'warn',
			observed: expect.stringMatching(
				new RegExp(`\\. The journal ${journal.file} is missing 1 entry of this run because its directory cannot be created: keep this output as the record of what was done, and fix the journal before the next run\\.$`),
			) as unknown,
		});
		expect(check(harness, 'restore', 'summary')?.observed).not.toContain('Every step is in the journal');
		expect(journal.missing).toBe(1);
		journal.close();
		rmSync(path.dirname(journal.file), {recursive: true, force: true});
	});
});

describe('waiting through a HAProxy outage', () => {
	it('keeps waiting for health while HAProxy does not answer, and passes once it does', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		const harness = engineHarness(haproxy, clock);
		await through(harness, ['validate', 'baseline', 'drain', 'confirm']);
		haproxy.reachable = false;
		const backAt = clock.now() + 4000;
		clock.onSleep = (time) => {
			haproxy.reachable = time >= backAt;
		};

		expect(await runStep('maintain', harness.context, harness.io)).toBe('passed');
		const live = harness.actions.flatMap((action) => (action.type === 'live-updated' && action.step === 'maintain' ? action.lines : []));
		expect(live[0]).toMatch(/^HAProxy does not answer; waiting for it \(the step keeps its place\) \(0 s of 10 s\)$/);
		expect(harness.state().current).toBe('restore');
	});

	it('fails with exit 3 when HAProxy never comes back', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline', 'drain', 'confirm']);
		haproxy.reachable = false;
		expect(await runStep('maintain', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'maintain', 'health-back')).toMatchObject({verdict: 'fail', exitCode: 3});
	});
});
