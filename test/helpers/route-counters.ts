import {setTimeout as delay} from 'node:timers/promises';
import type {Route} from '../../source/config/routes.js';
import {probeFor, targetFromUrl} from '../../source/probe/create-probe.js';
import {rawStat} from './raw-haproxy.js';
import type {TestBed} from './test-bed.js';

/** Per backend, the sum over its servers of HTTP responses (`req_tot`) and of sessions (`stot`). */
type Counters = Map<string, {requests: number; sessions: number}>;

export async function counters(bed: TestBed): Promise<Counters> {
	const sums: Counters = new Map();
	for (const row of rawStat(await bed.send('show stat -1 4 -1'))) {
		const sum = sums.get(row['pxname']!) ?? {requests: 0, sessions: 0};
		sums.set(row['pxname']!, {requests: sum.requests + Number(row['req_tot'] || 0), sessions: sum.sessions + Number(row['stot'] || 0)});
	}

	return sums;
}

/** The backends whose servers' counters moved: requests in mode http, sessions in mode tcp. */
export function moved(before: Counters, after: Counters): Record<string, number> {
	const changes: Record<string, number> = {};
	for (const [name, now] of after) {
		const then = before.get(name) ?? {requests: 0, sessions: 0};
		const change = now.requests - then.requests || now.sessions - then.sessions;
		if (change !== 0) {
			changes[name] = change;
		}
	}

	return changes;
}

/** Sends a route's probe three times; what HAProxy counted, and whether the requests succeeded. */
export async function sendProbe(bed: TestBed, route: Route): Promise<{moved: Record<string, number>; ok: boolean[]; answers: string[]}> {
	const probe = route.probe!;
	const target = targetFromUrl(probe.url, {host: probe.host ?? undefined, proxyProtocol: probe.proxyProtocol, from: probe.from}, {});
	const before = await counters(bed);
	const attempts = await probeFor({...target, sni: probe.sni}).send(3);
	// HAProxy may count a request just after its client has the reply: read until the backend shows
	// all three (at most 5 s), then compare; a route that went elsewhere shows in the last reading.
	const deadline = Date.now() + 5000;
	let after = await counters(bed);
	while ((moved(before, after)[route.backend] ?? 0) < 3 && Date.now() < deadline) {
		await delay(50);
		after = await counters(bed);
	}

	return {
		moved: moved(before, after),
		ok: attempts.map((attempt) => attempt.ok),
		// What each attempt got, so that a count that falls short says why.
		answers: attempts.map((attempt) => attempt.error ?? String(attempt.status)),
	};
}

