import type {PollView} from '../poll/pool-poller.js';
import type {Server} from '../model/types.js';
import {formatTarget, type Target} from '../runtime/names.js';
import {clockTime} from '../time-format.js';
import type {TargetView} from './read-target.js';
import {drainSet} from '../model/server-condition.js';

/** What one instance showed of the target when it last answered. */
export type TargetSeen = {
	socket: string;
	/** Null when the instance answered without the target, or never answered. */
	server: Server | null;
	/** When that was read (ms since the epoch); null when the instance never answered. */
	readAt: number | null;
	/** Since when the instance does not answer; null while it does. */
	failingSince: number | null;
};

/** The target's state over every instance, as last read. */
export type TargetState = 'drained' | 'not-drained' | 'partly-drained' | 'missing' | 'unknown';

/** The target in the wizard's last poll view; `freshAt` is when HAProxy last answered (the view changes only with its data). */
export function seenInView(view: Pick<PollView, 'pool' | 'health'>, target: Target, freshAt?: number | null): TargetSeen[] {
	return view.health.map((health) => {
		const snapshot = view.pool?.instances.find((candidate) => candidate.instance.socket === health.socket);
		const server = snapshot?.backends.find((backend) => backend.name === target.backend)?.servers.find((candidate) => candidate.server === target.server) ?? null;
		const readAt = snapshot ? (health.ok ? (freshAt ?? health.lastSuccess ?? view.pool?.takenAt ?? null) : (health.lastSuccess ?? view.pool?.takenAt ?? null)) : null;
		return {socket: health.socket, server, readAt, failingSince: health.ok ? null : (health.failingSince ?? null)};
	});
}

/** The target as one read of every instance showed it, at `at`. */
export function seenInRead(views: readonly TargetView[], at: number): TargetSeen[] {
	return views.map((view) => ({socket: view.socket, server: view.server ?? null, readAt: at, failingSince: null}));
}


/** Drained on every instance read, on none, on some; missing; or unknown (never read). */
export function targetState(seen: readonly TargetSeen[]): TargetState {
	const read = seen.filter((one) => one.readAt !== null);
	if (read.length === 0) {
		return 'unknown';
	}

	if (read.some((one) => one.server === null)) {
		return 'missing';
	}

	const drained = read.filter((one) => drainSet(one.server)).length;
	return drained === 0 ? 'not-drained' : drained === read.length ? 'drained' : 'partly-drained';
}

/** True when an instance does not answer now (what is known of it is older). */
export function targetStale(seen: readonly TargetSeen[]): boolean {
	return seen.some((one) => one.failingSince !== null || one.readAt === null);
}

function flagsText(server: Server | null): string {
	if (!server) {
		return 'not in the runtime';
	}

	if (server.adminFlags.length === 0) {
		return 'in rotation, admin flags none';
	}

	const maintenance = server.adminFlags.some((flag) => flag === 'FMAINT' || flag === 'IMAINT' || flag === 'RMAINT');
	return `${maintenance ? 'in maintenance' : drainSet(server) ? 'out of rotation' : 'in rotation'}, admin flags ${server.adminFlags.join('+')}`;
}

/**
 * One sentence (without its final period) on the target's state, from what HAProxy last showed
 * and when: `webapps/app01 is drained (out of rotation), as HAProxy showed at 14:02:11`. When an
 * instance does not answer, it says what was last seen and since when it does not answer.
 * `live`: `seen` is the poll's, which renders only what changed; every read since `since` (the
 * first that showed these admin flags, else the poll's time) showed them (`as HAProxy has shown at
 * every read since 14:02:11`), and the sentence says so.
 */
export function targetStateSentence(target: Target, seen: readonly TargetSeen[], {live = false, since: sameSince}: {live?: boolean; since?: number | null} = {}): string {
	const label = formatTarget(target);
	const state = targetState(seen);
	const times = seen.flatMap((one) => (one.readAt === null ? [] : [one.readAt]));
	const at = times.length > 0 ? clockTime(Math.min(...times)) : '';
	// Live: since the first read that showed these admin flags, not the poll's last change of anything (health, counters).
	const seenSince = live && sameSince !== null && sameSince !== undefined ? clockTime(sameSince) : at;
	const silent = seen.filter((one) => one.failingSince !== null || one.readAt === null);
	const since = silent.map((one) => (one.failingSince === null ? `HAProxy at ${one.socket} has not answered yet` : `HAProxy at ${one.socket} does not answer since ${clockTime(one.failingSince)}`)).join(', ');
	if (state === 'unknown') {
		return `the state of ${label} is unknown: ${since || 'HAProxy has not answered'}`;
	}

	const stale = silent.length > 0;
	const last = stale ? ` when HAProxy last answered, at ${at}; ${since}, so its state now is unknown` : live ? `, as HAProxy has shown at every read since ${seenSince}` : `, as HAProxy showed at ${at}`;
	const verb = stale ? 'was' : 'is';
	if (state === 'drained') {
		return `${label} ${verb} drained (out of rotation)${last}`;
	}

	if (state === 'partly-drained') {
		const drainedOn = seen.filter((one) => drainSet(one.server)).map((one) => one.socket);
		const notOn = seen.filter((one) => one.readAt !== null && !drainSet(one.server)).map((one) => one.socket);
		return `${label} ${verb} drained on ${drainedOn.join(', ')} but not on ${notOn.join(', ')}${last}`;
	}

	if (state === 'missing') {
		const gone = seen.filter((one) => one.readAt !== null && one.server === null).map((one) => one.socket);
		return `${label} ${verb} not in HAProxy at ${gone.join(', ')} (removed, or reloaded without it)${last}`;
	}

	const one = seen.find((candidate) => candidate.server !== null)!;
	const different = seen.some((candidate) => candidate.server !== null && flagsText(candidate.server) !== flagsText(one.server));
	return `${label} ${verb} not drained (${different ? 'admin flags differ between instances' : flagsText(one.server)})${last}`;
}
