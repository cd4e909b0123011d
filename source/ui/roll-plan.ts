import {drainSet, outOfRotation} from '../model/server-condition.js';
import type {Backend, Server} from '../model/types.js';
import type {ProxyName} from '../runtime/names.js';

/**
 * A roll in the wizard: the servers of one backend, each in turn through a whole maintenance.
 * Only one of them is ever being maintained: the next is offered once the one before has ended
 * (restored and proven) or was left before anything was drained. Pure: the app holds one.
 */
export type RollPlan = {
	backend: ProxyName;
	/** In the order HAProxy lists them (the configuration's). */
	servers: readonly string[];
	/** The server offered next (or being maintained); `servers.length` once every one was taken. */
	index: number;
	/** What became of each server taken so far. */
	outcomes: ReadonlyMap<string, RollOutcome>;
};

type RollOutcome = 'done' | 'skipped' | 'left';

/** A roll of `servers`; those in `done` (finished earlier in a roll the journal holds open) are passed over. */
export function startRoll(backend: ProxyName, servers: readonly string[], done: readonly string[] = []): RollPlan {
	const outcomes = new Map<string, RollOutcome>(servers.filter((server) => done.includes(server)).map((server) => [server, 'done']));
	return {backend, servers, index: nextOpen(servers, outcomes, 0), outcomes};
}

/** The first index from `from` whose server is not done yet; `servers.length` when none is left. */
function nextOpen(servers: readonly string[], outcomes: ReadonlyMap<string, RollOutcome>, from: number): number {
	let index = from;
	while (index < servers.length && outcomes.get(servers[index]!) === 'done') {
		index++;
	}

	return index;
}

/** The server the roll offers now; undefined once every server was taken. */
export function currentServer(plan: RollPlan): string | undefined {
	return plan.servers[plan.index];
}

/** The plan after the current server's maintenance ended (`done`), was skipped, or was left before its drain (offered again). */
export function afterServer(plan: RollPlan, outcome: RollOutcome): RollPlan {
	const server = currentServer(plan);
	if (server === undefined) {
		return plan;
	}

	const outcomes = new Map(plan.outcomes).set(server, outcome);
	return {...plan, outcomes, index: outcome === 'left' ? plan.index : nextOpen(plan.servers, outcomes, plan.index + 1)};
}

/** `2 of 5 · app02`: where the roll stands, for the wizard's top line. */
export function rollPosition(plan: RollPlan): string {
	const server = currentServer(plan);
	return server === undefined ? `${plan.servers.length} of ${plan.servers.length}` : `${plan.index + 1} of ${plan.servers.length} · ${server}`;
}

/** `app01 ✓ · app02 skipped · app03 …`: each server with what became of it. */
export function rollSummary(plan: RollPlan): string {
	return plan.servers
		.map((server) => {
			const outcome = plan.outcomes.get(server);
			return `${server} ${outcome === 'done' ? '✓' : outcome === 'skipped' ? 'skipped' : outcome === 'left' ? 'not done' : '…'}`;
		})
		.join(' · ');
}

/** The servers of the roll HAProxy shows out of rotation (drained or in maintenance), each as the first instance that shows it so. */
function outOfRotationNow(plan: RollPlan, backends: ReadonlyArray<Backend | undefined>): Map<string, Server> {
	const out = new Map<string, Server>();
	for (const row of backends.flatMap((backend) => backend?.servers ?? [])) {
		if (plan.servers.includes(row.server) && outOfRotation(row) && !out.has(row.server)) {
			out.set(row.server, row);
		}
	}

	return out;
}

/** `app01 (FDRAIN)`, `app01 (FDRAIN) and app02 (FMAINT)` */
function namedWithFlags(out: ReadonlyMap<string, Server>): string {
	const named = [...out.values()].map((row) => `${row.server} (${row.adminFlags.join('+')})`);
	return named.length <= 1 ? named.join('') : `${named.slice(0, -1).join(', ')} and ${named.at(-1)!}`;
}

/**
 * What the roll screen says of the current server beyond the plan: when HAProxy shows it out of
 * rotation now, that skipping it leaves it so (start takes up its maintenance). Empty otherwise.
 */
export function skipWarning(plan: RollPlan, backends: ReadonlyArray<Backend | undefined>): string {
	const server = currentServer(plan);
	const row = server === undefined ? undefined : outOfRotationNow(plan, backends).get(server);
	return row === undefined ? '' : ` ${row.server} is out of rotation now (${row.adminFlags.join('+')}): skipping it leaves it out, and this roll does not put it back.`;
}

/**
 * The roll's end, counted, from its outcomes and what HAProxy shows now: how many were done, which
 * were skipped, and any server of the roll still out of rotation (a skipped one left drained, or
 * one someone took out meanwhile), which this roll did not put back.
 */
export function rollEnd(plan: RollPlan, backends: ReadonlyArray<Backend | undefined>): string {
	const done = plan.servers.filter((server) => plan.outcomes.get(server) === 'done');
	const skipped = plan.servers.filter((server) => plan.outcomes.get(server) === 'skipped');
	const counts = [`${done.length} of ${plan.servers.length} done`, ...(skipped.length > 0 ? [`skipped: ${skipped.join(', ')}`] : [])].join('; ');
	const out = outOfRotationNow(plan, backends);
	const left = out.size === 0 ? '' : ` Still out of rotation, not put back by this roll: ${namedWithFlags(out)}.`;
	return `The roll of ${plan.backend} is over (${counts}).${left}`;
}

/**
 * Why the current server may not start now: another server of the roll is out of rotation
 * (drained or in maintenance) on one of the instances, as HAProxy last showed them. A roll takes
 * one server out at a time, as the headless roll does. How to put it back depends on who took it
 * out: a maintenance the journal holds open (`openTargets`, `backend/server`) is taken up from the
 * grid; a drain no maintenance of the journal made (by hand, another tool, another journal) and a
 * maintenance (which restore does not undo) are put back by whoever made them. Null when it may start.
 */
export function rollBlocked(plan: RollPlan, backends: ReadonlyArray<Backend | undefined>, openTargets: ReadonlySet<string> = new Set()): string | null {
	const server = currentServer(plan);
	const other = server === undefined ? undefined : [...outOfRotationNow(plan, backends).values()].find((row) => row.server !== server);
	if (server === undefined || other === undefined) {
		return null;
	}

	const label = `${plan.backend}/${other.server}`;
	const putBack = !drainSet(other)
		? `: it is in maintenance, not drained, which restore does not undo; whoever put it there brings it back (set server ${label} state ready); or skip ${server}.`
		: openTargets.has(label)
			? ` (stop the roll, then Enter on ${other.server} in the grid takes up its maintenance), or skip ${server}.`
			: `: no maintenance in this journal drained it (someone did by hand, with another tool, or with drainboard and another journal), so whoever drained it puts it back (set server ${label} state ready, or their drainboard restore); or skip ${server}.`;
	return `${label} is out of rotation (${other.adminFlags.join('+')}); a roll takes one server out at a time, so ${server} is not started. Put ${other.server} back first${putBack}`;
}
