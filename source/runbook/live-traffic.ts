import {restWentDown, stopsAtOutage} from './outage.js';
import type {RunbookContext, RunbookIo} from './context.js';
import type {StepId} from './steps.js';
import {judgeTraffic, ratePerSecond, type Expectation} from './traffic-judge.js';
import {compareCounters, counterFor, readCounters, type InstanceCounters, type TrafficEvidence} from './traffic.js';


/** How often live counters are read while waiting for evidence. */
const readEveryMs = 500;

/**
 * How long confirm watches live traffic at least when the backend keeps clients on their server
 * (a cookie, a stick table, use-server): busy others reach --requests within a read, and a sticky
 * client that comes back every few seconds would not have shown yet.
 */
const stickyWatchMs = 5000;

/** The backend's counters on every instance, and when they were read. */
type CountersAt = {counters: InstanceCounters[]; at: number};

/** What `--proof auto` saw of the backend before choosing: live when it served `requests` in the sample. */
type BackendSample = {
	from: CountersAt;
	served: number;
	seconds: number;
	busy: boolean;
	/** Set when HAProxy's lastsess showed the backend idle longer than the sample: seconds since its last session (null: never), no sample taken. */
	idle?: number | null;
};

/**
 * Seconds since the backend's last session on any instance (lastsess), null when it never had
 * one; undefined when an instance gave no backend row (then only a sample can tell).
 */
function idleSeconds(counters: readonly InstanceCounters[]): number | null | undefined {
	if (counters.length === 0 || counters.some((instance) => instance.lastSession === undefined)) {
		return undefined;
	}

	const seen = counters.map((instance) => instance.lastSession).filter((value): value is number => typeof value === 'number');
	return seen.length === 0 ? null : Math.min(...seen);
}

async function countersNow(context: RunbookContext, io: RunbookIo): Promise<CountersAt> {
	return {counters: await readCounters(context, counterFor(context, null), io.signal), at: context.clock.now()};
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/**
 * `--proof auto`: counts the backend's traffic for a few seconds (`autoSampleMs`), ending as
 * soon as it served `requests`. Busy means real clients are enough evidence: nothing need be sent.
 * A backend whose last session (HAProxy's lastsess) is older than the sample is quiet at once.
 */
export async function sampleBackend(context: RunbookContext, io: RunbookIo, step: StepId): Promise<BackendSample> {
	const from = await countersNow(context, io);
	const {requests, autoSampleMs} = context.options;
	const idle = idleSeconds(from.counters);
	if (idle !== undefined && (idle === null || idle * 1000 >= autoSampleMs)) {
		return {from, served: 0, seconds: 0, busy: false, idle};
	}

	for (;;) {
		await context.clock.sleep(Math.max(50, Math.min(readEveryMs, from.at + autoSampleMs - context.clock.now())), io.signal);
		const after = await readCounters(context, counterFor(context, null), io.signal);
		const elapsed = context.clock.now() - from.at;
		const compared = compareCounters(from.counters, after, context.target.server);
		const served = compared.targetDelta + compared.othersDelta;
		if (served >= requests || elapsed >= autoSampleMs || compared.restarted.length > 0 || io.signal?.aborted) {
			return {from, served, seconds: seconds(elapsed), busy: served >= requests && compared.restarted.length === 0};
		}

		io.dispatch({type: 'live-updated', step, lines: [`Choosing the proof (--proof auto): counting the backend's own traffic, ${served} of the ${requests} requests that would make it the proof so far (${Math.floor(elapsed / 1000)} s of ${Math.round(autoSampleMs / 1000)} s); fewer, and a probe is sent.`]});
	}
}

/**
 * Live proof: nothing is sent. Reads the backend's per-server counters on every instance every
 * half second, from `from` (or now), and ends as soon as the evidence is enough for `expect`, or
 * when `proofWindowMs` is over (thin traffic is then `too-little` for the check to say). With
 * persistence, "new traffic goes elsewhere" waits {@link stickyWatchMs} (within the window) for
 * sticky clients to show. Shows the rates while it waits.
 */
export async function watchLiveTraffic(context: RunbookContext, io: RunbookIo, how: {step: StepId; expect: Expectation; chosen: string | null; from?: CountersAt}): Promise<TrafficEvidence> {
	const from = how.from ?? (await countersNow(context, io));
	const {requests, proofWindowMs} = context.options;
	const counter = counterFor(context, null);
	const persistence = context.backendFacts?.persistence ?? [];
	const watchAtLeast = how.expect === 'target-idle' && persistence.length > 0 ? Math.min(proofWindowMs, stickyWatchMs) : 0;
	for (;;) {
		const after = await readCounters(context, counter, io.signal);
		const elapsed = context.clock.now() - from.at;
		const compared = compareCounters(from.counters, after, context.target.server);
		const final = elapsed >= proofWindowMs || Boolean(io.signal?.aborted);
		const judgement = judgeTraffic(how.expect, compared, {basis: 'live', requests, final, activeWithinSeconds: proofWindowMs / 1000});
		const tooSoon = judgement === 'pass' && elapsed < watchAtLeast && !io.signal?.aborted;
		// Headless confirm does not wait out the window while nothing serves the backend: the check says so, and the run puts the target back.
		const down = how.step === 'confirm' && judgement === 'wait' && stopsAtOutage(context) ? await restWentDown(context, io.signal) : null;
		if ((judgement !== 'wait' && !tooSoon) || compared.restarted.length > 0 || down !== null) {
			return {basis: 'live', chosen: how.chosen, windowSeconds: seconds(elapsed), attempts: [], succeeded: 0, failed: 0, firstError: null, ...compared, noise: 0, servedBy: {}, counter};
		}

		const sticky = tooSoon ? `watching ${Math.round(watchAtLeast / 1000)} s for sticky clients (${persistence.join('; ')})` : null;
		// Served through some instance, waited for through another that carries traffic: which one is said.
		const elsewhere = how.expect === 'target-serves' && compared.targetDelta > 0 ? compared.perInstance.filter((instance) => instance.target === 0).map((instance) => instance.socket) : [];
		const waitingFor = sticky ?? (elsewhere.length > 0 ? `waiting for ${context.target.server} to serve through ${elsewhere.join(', ')} too` : null);
		io.dispatch({type: 'live-updated', step: how.step, lines: [liveLine(context, compared.deltas, elapsed, how.expect, waitingFor)]});
		await context.clock.sleep(Math.max(50, Math.min(readEveryMs, from.at + proofWindowMs - context.clock.now())), io.signal);
	}
}

/** `Live traffic, 3 s of 30 s: app02 +8 (2.7/s), app03 +4 (1.3/s), app01 +0; waiting for 10 new requests on the others.` */
function liveLine(context: RunbookContext, deltas: Record<string, number>, elapsedMs: number, expect: Expectation, waitingFor: string | null): string {
	const target = context.target.server;
	const rates = Object.entries({[target]: 0, ...deltas})
		.sort((a, b) => b[1] - a[1])
		.map(([server, delta]) => `${server} +${delta}${delta > 0 ? ` (${ratePerSecond(delta, elapsedMs)}/s)` : ''}`)
		.join(', ');
	const noun = counterFor(context, null) === 'stot' ? 'connections' : 'requests';
	const waiting = waitingFor ?? (expect === 'target-serves' ? `waiting for ${target} to serve` : `waiting for ${context.options.requests} new ${noun} on the others`);
	return `Live traffic, ${Math.floor(elapsedMs / 1000)} s of ${Math.round(context.options.proofWindowMs / 1000)} s: ${rates}; ${waiting}.`;
}
