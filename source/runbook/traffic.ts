import {isFirstBalancing, isHashBalancing, sourcePersistence} from '../config/backend-facts.js';
import type {StatRecord} from '../decode/stat.js';
import {summarizeAttempts, type Probe, type ProbeAttempt} from '../probe/probe.js';
import type {RunbookContext, RunbookIo} from './context.js';
import type {TrafficBasis} from './traffic-judge.js';
import {anotherProcess} from './reloaded.js';

/** Per-server counters of the target's backend on one instance: the traffic counter, and lbtot. */
export type InstanceCounters = {
	socket: string;
	pid: number;
	startTime: number | null;
	counters: Map<string, number>;
	picks: Map<string, number>;
	/** The backend row's lastsess: seconds since its last session, null when never; undefined when HAProxy gave no backend row. */
	lastSession?: number | null;
	/** The target's current sessions (scur) at this read: requests in flight on it, which count when they end. */
	targetSessions?: number;
};

/**
 * Confirm by a probe: the target's counter over the whole confirm, from its first read after the
 * drain (`confirmFrom`) to a read after the probe, so that clients who reach the drained target
 * outside the probe's burst (sticky ones) are seen too, apart from the burst's own.
 */
export type ConfirmWindow = {
	seconds: number;
	/** The target's growth over the whole window, summed over instances. */
	targetDelta: number;
	/** Times load balancing picked the target over the whole window (lbtot). */
	targetPicks: number;
	/** The target's growth outside the probe's burst: requests the probe did not send. */
	outsideProbe: number;
	/** Requests in flight on the target when the window began (its scur then): they may count in `outsideProbe`. */
	inFlight: number;
	/** Instances whose (pid, start time) changed since the window began. */
	restarted: string[];
};

/**
 * One instance's share of a window: its target's growth and its other servers', and the backend's
 * lastsess at the later read (seconds since its last session; null never, absent unknown).
 */
type InstanceDelta = {socket: string; target: number; others: number; lastSession?: number | null};

/** Two reads of every instance compared: growth per server summed over instances, and each instance's share. */
type Compared = {deltas: Record<string, number>; targetDelta: number; othersDelta: number; targetPicks: number; restarted: string[]; perInstance: InstanceDelta[]};

/** What a window of traffic did: how the probe went (none sent with live proof), and where it landed by the counters. */
export type TrafficEvidence = {
	/** Real clients' requests (`live`, nothing sent) or the probe's burst. */
	basis: TrafficBasis;
	/** Why this basis (with --proof auto: how busy the backend was), null when the operator chose it. */
	chosen: string | null;
	/** Seconds between the two counter reads compared. */
	windowSeconds: number;
	attempts: ProbeAttempt[];
	succeeded: number;
	failed: number;
	firstError: string | null;
	/** Counter growth per server, summed over instances (req_tot in HTTP mode, stot in TCP mode). */
	deltas: Record<string, number>;
	targetDelta: number;
	/** Times load balancing picked the target (lbtot): 0 for a drained server. */
	targetPicks: number;
	othersDelta: number;
	/** More counted than sent: other clients' traffic is in the numbers too. */
	noise: number;
	/** An instance restarted during the window: its counters cannot be compared. */
	restarted: string[];
	/** Each instance's share (instances that restarted left out): with several, the proof is said for each. */
	perInstance: InstanceDelta[];
	servedBy: Record<string, number>;
	counter: 'req_tot' | 'stot';
	/** A probe's confirm: the target over the whole confirm, not the burst alone. */
	confirmWindow?: ConfirmWindow;
};

/** Requests that reached the target outside the probe's burst and cannot be ones in flight when confirm began: from clients that are not the probe. */
export function notFromProbe(traffic: Pick<TrafficEvidence, 'confirmWindow'>): number {
	return traffic.confirmWindow ? Math.max(0, traffic.confirmWindow.outsideProbe - traffic.confirmWindow.inFlight) : 0;
}

/** The counter that counts traffic: requests in HTTP mode, sessions (connections) in TCP mode. */
export function counterFor(context: RunbookContext, probe: Probe | null): 'req_tot' | 'stot' {
	return context.facts.mode === 'tcp' || probe?.kind === 'tcp' ? 'stot' : 'req_tot';
}

/** Reads the backend's per-server counters on every instance, with each instance's (pid, start time). */
export async function readCounters(context: RunbookContext, counter: 'req_tot' | 'stot', signal?: AbortSignal): Promise<InstanceCounters[]> {
	return Promise.all(
		context.clients.map(async (client) => {
			const [info, stats] = await Promise.all([client.info(signal), client.stat(context.target.backend, signal)]);
			const counters = new Map<string, number>();
			const picks = new Map<string, number>();
			for (const row of stats.filter((stat: StatRecord) => stat.kind === 'server')) {
				counters.set(row.service, counter === 'req_tot' ? (row.requestsTotal ?? 0) : row.totalSessions);
				picks.set(row.service, row.lbTotal ?? 0);
			}

			const backend = stats.find((stat: StatRecord) => stat.kind === 'backend');
			const target = stats.find((stat: StatRecord) => stat.kind === 'server' && stat.service === context.target.server);
			return {
				socket: client.socket,
				pid: info.pid,
				startTime: info.startTime,
				counters,
				picks,
				...(backend ? {lastSession: backend.secondsSinceLastSession} : {}),
				...(target ? {targetSessions: target.currentSessions} : {}),
			};
		}),
	);
}

/** Growth between two reads, per server summed over instances; an instance whose (pid, start time) changed is left out and named. */
export function compareCounters(before: readonly InstanceCounters[], after: readonly InstanceCounters[], target: string): Compared {
	const deltas: Record<string, number> = {};
	let targetPicks = 0;
	const restarted: string[] = [];
	const perInstance: InstanceDelta[] = [];
	for (const instance of after) {
		const earlier = before.find((candidate) => candidate.socket === instance.socket);
		if (!earlier || anotherProcess(earlier, instance)) {
			restarted.push(instance.socket);
			continue;
		}

		const own: InstanceDelta = {socket: instance.socket, target: 0, others: 0, ...(instance.lastSession === undefined ? {} : {lastSession: instance.lastSession})};
		for (const [server, value] of instance.counters) {
			const delta = Math.max(0, value - (earlier.counters.get(server) ?? value));
			deltas[server] = (deltas[server] ?? 0) + delta;
			own[server === target ? 'target' : 'others'] += delta;
		}

		perInstance.push(own);

		const picks = instance.picks.get(target) ?? 0;
		targetPicks += Math.max(0, picks - (earlier.picks.get(target) ?? picks));
	}

	const targetDelta = deltas[target] ?? 0;
	const total = Object.values(deltas).reduce((sum, value) => sum + value, 0);
	return {deltas, targetDelta, othersDelta: total - targetDelta, targetPicks, restarted, perInstance};
}

/** The backend's balance as HAProxy names it, else its config line; null when neither says (HAProxy's default). */
export function balanceOf(context: RunbookContext): string | null {
	return context.facts.algorithm ?? context.backendFacts?.balance ?? null;
}

/** The rule that holds a probe's one address on one server (`stick on src`), or null. */
export function probePinnedBy(context: RunbookContext): string | null {
	return sourcePersistence(context.backendFacts?.persistence ?? []);
}

/** At most this many probe requests in all when follow-up bursts look for the target (see {@link measureTraffic}). */
export const probeCeiling = 200;

/**
 * How many probe requests may be sent in all for "the target serves": the first burst, then
 * follow-up bursts while the target has got none (they stop as soon as it has). Random
 * balancing (HAProxy's default from 3.3) misses one server of n in k requests with chance
 * (1 − 1/n)^k: 7 requests per server keep that under 0.1 %. Roundrobin and leastconn reach it
 * within n. More requests from the same client do not help a hash or `first` balance, nor a
 * stick table that keeps the client's address on its server (`pinned`).
 */
export function probeBudget(count: number, serverCount: number, algorithm: string | null, pinned = false): number {
	if (pinned || (algorithm !== null && (isHashBalancing(algorithm) || isFirstBalancing(algorithm)))) {
		return count;
	}

	return Math.max(count, Math.min(probeCeiling, Math.max(count * 4, 7 * serverCount)));
}

/**
 * Sends `count` requests through the listener and reads the backend's per-server counters
 * before and after, on every instance. Counters are compared only while an instance's
 * (pid, start time) is unchanged. With `untilTarget`, follow-up bursts of `count` go out while
 * the target has got none, up to {@link probeBudget} requests in all; the evidence covers them all.
 */
export async function measureTraffic(context: RunbookContext, io: RunbookIo, count: number, chosen: string | null = null, untilTarget = false): Promise<TrafficEvidence> {
	const probe = context.probe;
	if (!probe) {
		throw new Error('no listener URL');
	}

	const counter = counterFor(context, probe);
	const budget = untilTarget ? probeBudget(count, context.facts.serverNames.length, balanceOf(context), probePinnedBy(context) !== null) : count;
	const before = await readCounters(context, counter, io.signal);
	const started = context.clock.now();
	const attempts: ProbeAttempt[] = [];
	let compared: ReturnType<typeof compareCounters>;
	do {
		const burst = Math.min(count, budget - attempts.length);
		attempts.push(...(await probe.send(burst, {signal: io.signal, serverNames: context.facts.serverNames})));
		// Each burst is judged on a fresh read before the next goes out.
		compared = compareCounters(before, await readCounters(context, counter, io.signal), context.target.server);
		// More bursts help only while every answered request reached the backend (else they go elsewhere too).
	} while (
		untilTarget &&
		compared.targetDelta === 0 &&
		compared.othersDelta >= attempts.length &&
		attempts.length < budget &&
		compared.restarted.length === 0 &&
		attempts.every((attempt) => attempt.ok) &&
		!io.signal?.aborted
	);

	const summary = summarizeAttempts(attempts);
	return {
		basis: 'probe',
		chosen,
		windowSeconds: Math.round((context.clock.now() - started) / 100) / 10,
		attempts,
		succeeded: summary.succeeded,
		failed: summary.failed,
		firstError: summary.firstError,
		...compared,
		noise: Math.max(0, compared.targetDelta + compared.othersDelta - summary.succeeded),
		servedBy: summary.servedBy,
		counter,
	};
}

/** `app01 +4, app02 +3` (largest first; servers that got nothing are left out, except `always`). */
export function formatDeltas(deltas: Record<string, number>, always?: string): string {
	const entries = Object.entries(deltas)
		.filter(([server, delta]) => delta > 0 || server === always)
		.sort((a, b) => b[1] - a[1]);
	return entries.length === 0 ? 'nothing' : entries.map(([server, delta]) => `${server} +${delta}`).join(', ');
}
