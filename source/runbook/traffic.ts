import type {StatRecord} from '../decode/stat.js';
import {summarizeAttempts, type ProbeAttempt} from '../probe/probe.js';
import type {RunbookContext, RunbookIo} from './context.js';

/** Per-server counters of the target's backend on one instance: the traffic counter, and lbtot. */
type InstanceCounters = {socket: string; pid: number; startTime: number | null; counters: Map<string, number>; picks: Map<string, number>};

/** What a burst of probe traffic did: how it went, and where it landed by the counters. */
export type TrafficEvidence = {
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
	/** An instance restarted during the burst: its counters cannot be compared. */
	restarted: string[];
	servedBy: Record<string, number>;
	counter: 'req_tot' | 'stot';
};

async function readCounters(context: RunbookContext, counter: 'req_tot' | 'stot', signal?: AbortSignal): Promise<InstanceCounters[]> {
	return Promise.all(
		context.clients.map(async (client) => {
			const [info, stats] = await Promise.all([client.info(signal), client.stat(context.target.backend, signal)]);
			const counters = new Map<string, number>();
			const picks = new Map<string, number>();
			for (const row of stats.filter((stat: StatRecord) => stat.kind === 'server')) {
				counters.set(row.service, counter === 'req_tot' ? (row.requestsTotal ?? 0) : row.totalSessions);
				picks.set(row.service, row.lbTotal ?? 0);
			}

			return {socket: client.socket, pid: info.pid, startTime: info.startTime, counters, picks};
		}),
	);
}

/**
 * Sends `count` requests through the listener and reads the backend's per-server counters
 * before and after, on every instance. Counters are compared only while an instance's
 * (pid, start time) is unchanged.
 */
export async function measureTraffic(context: RunbookContext, io: RunbookIo, count: number): Promise<TrafficEvidence> {
	const probe = context.probe;
	if (!probe) {
		throw new Error('no listener URL');
	}

	const counter = context.facts.mode === 'tcp' || probe.kind === 'tcp' ? 'stot' : 'req_tot';
	const before = await readCounters(context, counter, io.signal);
	const attempts = await probe.send(count, {signal: io.signal, serverNames: context.facts.serverNames});
	const after = await readCounters(context, counter, io.signal);
	const deltas: Record<string, number> = {};
	let targetPicks = 0;
	const restarted: string[] = [];
	for (const instance of after) {
		const earlier = before.find((candidate) => candidate.socket === instance.socket);
		if (!earlier || earlier.pid !== instance.pid || earlier.startTime !== instance.startTime) {
			restarted.push(instance.socket);
			continue;
		}

		for (const [server, value] of instance.counters) {
			deltas[server] = (deltas[server] ?? 0) + Math.max(0, value - (earlier.counters.get(server) ?? value));
		}

		const picks = instance.picks.get(context.target.server) ?? 0;
		targetPicks += Math.max(0, picks - (earlier.picks.get(context.target.server) ?? picks));
	}

	const summary = summarizeAttempts(attempts);
	const targetDelta = deltas[context.target.server] ?? 0;
	const total = Object.values(deltas).reduce((sum, value) => sum + value, 0);
	return {
		attempts,
		succeeded: summary.succeeded,
		failed: summary.failed,
		firstError: summary.firstError,
		deltas,
		targetDelta,
		targetPicks,
		othersDelta: total - targetDelta,
		noise: Math.max(0, total - summary.succeeded),
		restarted,
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
