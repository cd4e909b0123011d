import {describe, expect, it} from 'vitest';
import {isServing} from '../../source/model/server-condition.js';
import type {Probe} from '../../source/probe/probe.js';
import {runStep} from '../../source/runbook/run-step.js';
import type {StepId} from '../../source/runbook/steps.js';
import {engineHarness, FakeClock, FakeHaproxy, type EngineHarness} from '../helpers/fake-runtime.js';

const pool = () => new FakeHaproxy(['app01', 'app02', 'app03']);

/** Real clients: `perTick` requests round robin over the serving servers at each clock tick, and sticky ones that stay on one server. */
function realClients(haproxy: FakeHaproxy, clock: FakeClock, perTick: number, sticky?: {server: string; perTick: number}) {
	let next = 0;
	clock.onSleep = () => {
		const serving = haproxy.servers.filter((server) => isServing(server));
		for (let index = 0; index < perTick && serving.length > 0; index++) {
			const server = serving[next++ % serving.length]!;
			server.requestsTotal = (server.requestsTotal ?? 0) + 1;
			server.lbTotal = (server.lbTotal ?? 0) + 1;
		}

		if (sticky) {
			const server = haproxy.server(sticky.server);
			server.requestsTotal = (server.requestsTotal ?? 0) + sticky.perTick;
		}
	};
}

/** A probe that must never be used: live proof sends nothing. */
function forbiddenProbe(haproxy: FakeHaproxy): Probe {
	return {
		...haproxy.probe(),
		send: async () => {
			throw new Error('a request was sent');
		},
	};
}

async function through(harness: EngineHarness, steps: StepId[]) {
	for (const step of steps) {
		const outcome = await runStep(step, harness.context, harness.io);
		if (outcome !== 'passed') {
			throw new Error(`${step} ${outcome}: ${JSON.stringify(harness.state().steps[step].checks.at(-1))}`);
		}
	}
}

const check = (harness: EngineHarness, step: StepId, id: string) => harness.state().steps[step].checks.find((result) => result.id === id);
const liveLines = (harness: EngineHarness) => harness.actions.flatMap((action) => (action.type === 'live-updated' ? action.lines : []));

describe('--proof live', () => {
	it('proves a whole maintenance from real clients, sending nothing', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		realClients(haproxy, clock, 3);
		const harness = engineHarness(haproxy, clock, {proof: 'live'});
		harness.io.dispatch({type: 'probe-set', probe: forbiddenProbe(haproxy), source: harness.context.probeSource});
		await through(harness, ['validate', 'baseline', 'drain', 'confirm']);
		expect(check(harness, 'baseline', 'listener')?.observed).toContain('Real clients are the proof (--proof live): no request is sent');
		expect(check(harness, 'baseline', 'baseline-traffic')).toMatchObject({verdict: 'pass', evidence: {basis: 'live', sent: 0, chosen: null}});
		expect(check(harness, 'baseline', 'baseline-traffic')?.observed).toMatch(/^Live traffic over [\d.]+ s, nothing sent: req_tot grew /);
		const moved = check(harness, 'confirm', 'traffic-moved');
		expect(moved?.verdict).toBe('pass');
		expect(moved?.evidence).toMatchObject({basis: 'live', targetDelta: 0, sent: 0});
		expect(Number(moved?.evidence?.['othersDelta'])).toBeGreaterThanOrEqual(10);
		expect(Number(moved?.evidence?.['windowSeconds'])).toBeLessThan(30);
		await through(harness, ['maintain', 'restore']);
		expect(check(harness, 'restore', 'traffic-returns')).toMatchObject({verdict: 'pass', evidence: {basis: 'live'}});
		expect(Number(check(harness, 'restore', 'traffic-returns')?.evidence?.['targetDelta'])).toBeGreaterThan(0);
	});

	it('shows the live rates while it waits', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		realClients(haproxy, clock, 1);
		const harness = engineHarness(haproxy, clock, {proof: 'live'});
		await through(harness, ['validate', 'baseline', 'drain', 'confirm']);
		expect(liveLines(harness)).toContainEqual(expect.stringMatching(/^Live traffic, \d+ s of 30 s: app0[23] \+\d+ \([\d.]+\/s\), .*app01 \+0; waiting for 10 new requests on the others\.$/));
	});

	it('says in one sentence how little it saw when no client came in the window, and changes nothing', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock(), {proof: 'live'});
		harness.io.dispatch({type: 'probe-set', probe: forbiddenProbe(haproxy), source: harness.context.probeSource});
		await through(harness, ['validate']);
		expect(await runStep('baseline', harness.context, harness.io)).toBe('failed');
		const traffic = check(harness, 'baseline', 'baseline-traffic');
		expect(traffic?.observed).toBe('No request reached backend webapps in 30 s of live traffic (nothing sent): too little to tell whether app01 serves.');
		expect(traffic?.todo).toBe('Retry when the backend is busier, give a longer --proof-window, or use --proof probe.');
		expect(haproxy.sent).toEqual([]);
	});

	it('says how many new requests the others served when too few came to show traffic goes elsewhere', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		realClients(haproxy, clock, 3);
		const harness = engineHarness(haproxy, clock, {proof: 'live', proofWindowMs: 2000});
		await through(harness, ['validate', 'baseline', 'drain']);
		let budget = 4;
		clock.onSleep = () => {
			if (budget > 0) {
				budget--;
				haproxy.server('app02').requestsTotal! += 1;
			}
		};

		expect(await runStep('confirm', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'confirm', 'traffic-moved')?.observed).toMatch(
			/^Only [0-4] new requests reached the other servers in 2 s of live traffic \(nothing sent; 10 needed to show new traffic goes elsewhere\), and app01 got 0\.$/,
		);
	});

	it('reports sticky clients on the drained target with their count, and asks before going on', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		const harness = engineHarness(haproxy, clock, {proof: 'live'});
		harness.context.backendFacts = {...harness.context.backendFacts!, persistence: ['cookie SRV insert']};
		realClients(haproxy, clock, 3);
		await through(harness, ['validate', 'baseline', 'drain']);
		realClients(haproxy, clock, 3, {server: 'app01', perTick: 1});
		harness.answers.push(false);
		expect(await runStep('confirm', harness.context, harness.io)).toBe('failed');
		const moved = check(harness, 'confirm', 'traffic-moved');
		expect(moved?.verdict).toBe('fail');
		expect(moved?.observed).toMatch(/Load balancing picked the target 0 times, but \d+ requests? from sticky clients still reached it \(persistence: cookie SRV insert\)\.$/);
		expect(moved?.observed).not.toContain('goes to the other servers');
		expect(Number(moved?.evidence?.['stickyRequests'])).toBeGreaterThan(0);
		expect(moved?.evidence?.['stickyRequests']).toBe(moved?.evidence?.['targetDelta']);
		expect(harness.prompts.at(-1)).toMatchObject({kind: 'question', question: expect.stringMatching(/^\d+ requests? from sticky clients still reached app01 after the drain\. Continue anyway\?$/)});
	});
});

describe('--proof live with persistence', () => {
	it('watches at least 5 s for sticky clients before saying new traffic goes elsewhere, though the others were busy at once', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		const harness = engineHarness(haproxy, clock, {proof: 'live'});
		harness.context.backendFacts = {...harness.context.backendFacts!, persistence: ['cookie SRV insert']};
		realClients(haproxy, clock, 12);
		await through(harness, ['validate', 'baseline', 'drain']);
		// Busy others (12 a tick: --requests at the first read); one sticky client that comes back after 3 s.
		const drainedAt = clock.now();
		let cameBack = false;
		clock.onSleep = (time) => {
			for (const name of ['app02', 'app03']) {
				const server = haproxy.server(name);
				server.requestsTotal = (server.requestsTotal ?? 0) + 6;
				server.lbTotal = (server.lbTotal ?? 0) + 6;
			}

			if (!cameBack && time - drainedAt >= 3000) {
				cameBack = true;
				const target = haproxy.server('app01');
				target.requestsTotal = (target.requestsTotal ?? 0) + 1;
			}
		};
		harness.answers.push(false);
		expect(await runStep('confirm', harness.context, harness.io)).toBe('failed');
		const moved = check(harness, 'confirm', 'traffic-moved');
		expect(moved?.observed).toMatch(/but 1 request from sticky clients still reached it \(persistence: cookie SRV insert\)\.$/);
		expect(liveLines(harness)).toContainEqual(expect.stringMatching(/^Live traffic, \d s of 30 s: .*; watching 5 s for sticky clients \(cookie SRV insert\)\.$/));
	});

	it('ends as soon as the others served enough when nothing keeps clients on a server', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		const harness = engineHarness(haproxy, clock, {proof: 'live'});
		realClients(haproxy, clock, 12);
		await through(harness, ['validate', 'baseline', 'drain', 'confirm']);
		expect(Number(check(harness, 'confirm', 'traffic-moved')?.evidence?.['windowSeconds'])).toBeLessThan(1);
	});
});

describe('--proof auto', () => {
	it('uses live traffic when the backend is busy, and says so', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		realClients(haproxy, clock, 4);
		const harness = engineHarness(haproxy, clock, {proof: 'auto'});
		harness.io.dispatch({type: 'probe-set', probe: forbiddenProbe(haproxy), source: harness.context.probeSource});
		await through(harness, ['validate', 'baseline']);
		const traffic = check(harness, 'baseline', 'baseline-traffic');
		expect(traffic?.evidence).toMatchObject({basis: 'live', sent: 0});
		expect(traffic?.evidence?.['chosen']).toMatch(/^--proof auto chose live: the backend served \d+ in [\d.]+ s$/);
	});

	it('sends a probe when the backend is quiet, and says so', async () => {
		const harness = engineHarness(pool(), new FakeClock(), {proof: 'auto'});
		await through(harness, ['validate', 'baseline']);
		const traffic = check(harness, 'baseline', 'baseline-traffic');
		expect(traffic?.evidence).toMatchObject({basis: 'probe', sent: 10, chosen: '--proof auto chose a probe: the backend served 0 in 3 s, fewer than 10'});
	});

	it('sends a probe at once when HAProxy shows the backend idle longer than the sample', async () => {
		const haproxy = pool();
		haproxy.backendLastSession = 40;
		const clock = new FakeClock();
		const harness = engineHarness(haproxy, clock, {proof: 'auto'});
		await through(harness, ['validate']);
		const before = clock.now();
		await through(harness, ['baseline']);
		expect(clock.now()).toBe(before);
		expect(check(harness, 'baseline', 'baseline-traffic')?.evidence).toMatchObject({basis: 'probe', sent: 10, chosen: "--proof auto chose a probe: HAProxy shows the backend's last session 40 s ago"});
	});

	it('samples when the backend had a session within the sample time', async () => {
		const haproxy = pool();
		haproxy.backendLastSession = 1;
		const clock = new FakeClock();
		realClients(haproxy, clock, 4);
		const harness = engineHarness(haproxy, clock, {proof: 'auto'});
		await through(harness, ['validate', 'baseline']);
		expect(check(harness, 'baseline', 'baseline-traffic')?.evidence).toMatchObject({basis: 'live', sent: 0});
	});

	it('without a listener URL and without traffic, says both', async () => {
		const harness = engineHarness(pool(), new FakeClock(), {proof: 'auto'});
		harness.io.dispatch({type: 'probe-set', probe: null, source: 'no frontend routes to backend webapps'});
		await through(harness, ['validate']);
		expect(await runStep('baseline', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'baseline', 'listener')?.verdict).toBe('warn');
		expect(check(harness, 'baseline', 'baseline-traffic')?.observed).toBe(
			'Too little live traffic for --proof auto (the backend served 0 in 3 s, 10 needed), and no listener URL to probe instead: no frontend routes to backend webapps.',
		);
	});
});
