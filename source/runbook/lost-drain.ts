import type {Instance, Server} from '../model/types.js';
import {drainSet, inMaintenance, outOfRotation} from '../model/server-condition.js';
import {formatTarget, type Target} from '../runtime/names.js';
import {clockTime} from '../time-format.js';
import type {TargetView} from './read-target.js';
import type {JournalEntry} from './journal.js';
import {underWay} from './live-process.js';
import {anotherProcess} from './reloaded.js';
import type {MaintenanceRecord} from './resume.js';

/**
 * What undid a drain HAProxy no longer shows, on one instance, from the journal's drain entry and
 * HAProxy's process now: `reload` (its pid or start time differs from the drain's: reloaded or
 * restarted), `change` (the same process: someone or something set the server ready), `unknown`
 * (the journal has no pid of that instance to tell which), `removed` (HAProxy has no such server
 * now: `del server`, or a reload with another configuration), `maintenance` (someone put the server
 * into maintenance, which cleared the drain: out of rotation, but not by that maintenance).
 */
type DrainUndone = UndoneInPlace | {how: 'removed'} | {how: 'maintenance'};

/** {@link DrainUndone} of a server HAProxy still has. */
type UndoneInPlace = {how: 'reload'; pidBefore: number} | {how: 'change'} | {how: 'unknown'};

/** {@link DrainUndone} of `record`'s drain on the instance at `socket`, which is `now`. */
function drainUndoneBy(record: Pick<MaintenanceRecord, 'drainInstances'>, socket: string, now: Pick<Instance, 'pid' | 'startTime'>): UndoneInPlace {
	// By its socket, else by its process (the drain made through the same HAProxy's other socket).
	const before = record.drainInstances?.find((instance) => instance.socket === socket) ?? record.drainInstances?.find((instance) => instance.pid === now.pid && instance.startTime === now.startTime);
	if (before?.pid === null || before?.pid === undefined) {
		return {how: 'unknown'};
	}

	return anotherProcess({pid: before.pid, startTime: before.startTime}, now) ? {how: 'reload', pidBefore: before.pid} : {how: 'change'};
}

/**
 * What undid the drain of an open maintenance that HAProxy no longer shows, instance by instance,
 * in the words of the wizard's alarms: a reload or restart (the pid or start time in the journal's
 * drain entry differs from HAProxy's now), or someone or something that set the server ready in the
 * same process. Empty when the maintenance did not drain it, or HAProxy still shows the drain.
 */
export function lostDrainWarnings(record: MaintenanceRecord | undefined, views: readonly TargetView[], target: Target): string[] {
	if (!record || record.finished || !record.drainSent || record.readySent) {
		return [];
	}

	const label = formatTarget(target);
	// A drain found made and taken up: the journal knows when it was taken up, not when it was made.
	const drainAt = record.drainSentAt === null ? '' : record.drainFound ? ` (found already set, taken up at ${clockTime(record.drainSentAt)})` : ` at ${clockTime(record.drainSentAt)}`;
	return views.flatMap((view) => {
		// Drained still, or in maintenance now (not in rotation either way): not a lost drain.
		if (!view.server || outOfRotation(view.server)) {
			return [];
		}

		const now = view.snapshot.instance;
		const flags = view.server.adminFlags.length > 0 ? view.server.adminFlags.join('+') : 'ready (no admin flags)';
		const undone = drainUndoneBy(record, view.socket, now);
		switch (undone.how) {
			case 'unknown': {
				return [
					`The drain${drainAt} is gone from HAProxy at ${view.socket}, which shows ${label} ${flags}: someone set it, or a reload dropped the drain (the journal has no pid to tell which), and it went back into rotation during the maintenance.`,
				];
			}

			case 'reload': {
				const started = now.startTime === null ? '' : `, started at ${clockTime(now.startTime * 1000)}`;
				return [
					`HAProxy at ${view.socket} was reloaded or restarted after the drain${drainAt} (pid ${undone.pidBefore} → ${now.pid}${started}): the drain is gone, and ${label} went back into rotation during the maintenance.`,
				];
			}

			case 'change': {
				// No time for the ready: HAProxy's last change (lastchg) moves with the operational state only (UP,
				// DOWN), and a drain or a ready sent to a running server leaves it as it was (seen on 2.8 and 3.4).
				return [
					`Someone or something else changed ${label} on ${view.socket} after the drain${drainAt}: HAProxy (same process, pid ${now.pid}) shows it ${flags}, so it went back into rotation during the maintenance.`,
				];
			}
		}
	});
}

/** An open maintenance whose drain HAProxy no longer shows on one instance: the server is in rotation there, or HAProxy has it no more. */
export type GoneDrain = {
	/** The instance that shows it in rotation, or no longer has it. */
	socket: string;
	/** `backend/server`, as HAProxy names it (as the journal does when HAProxy has it no more). */
	target: string;
	/** Who started the maintenance, and when (the journal's ISO time). */
	startedBy: string;
	startedAt: string;
	/** When HAProxy accepted the drain (ms since the epoch), as the journal says; null for a drain found made (its time is not known). */
	drainedAt: number | null;
	/** The maintenance found the drain made and took it up (it did not drain it). */
	tookUp: boolean;
	undone: DrainUndone;
	/** HAProxy's pid now. */
	pid: number;
	/** HAProxy's status text of the server now (`UP`, `DOWN`, …); null when HAProxy has it no more. */
	status: string | null;
	/** Who runs that maintenance now (another drainboard still running: live-process.ts), as a clause; null when nobody does or it was not asked. */
	underWay: string | null;
};

/**
 * The open maintenances of `records` (resume.ts's openDrainRecords of the journal's entries about
 * this instance) whose server `instance` shows in rotation now: neither drained nor in maintenance;
 * in the order of `servers` (HAProxy's). With `read` (the backends whose every server is in
 * `servers`: `all`, or their names), also those whose server HAProxy has no more, after them, in
 * the journal's order: their drain is gone with the server.
 */
export function drainsGone(records: readonly MaintenanceRecord[], instance: Pick<Instance, 'socket' | 'pid' | 'startTime'>, servers: Iterable<Server>, read?: 'all' | ReadonlySet<string>, entries?: readonly JournalEntry[]): GoneDrain[] {
	const open = records.filter((record) => !record.finished && record.drainSent && !record.readySent);
	if (open.length === 0) {
		return [];
	}

	const byTarget = new Map(open.map((record) => [record.target, record]));
	const gone: GoneDrain[] = [];
	const shown = new Set<string>();
	const of = (record: MaintenanceRecord, undone: DrainUndone, status: string | null): GoneDrain => ({
		socket: instance.socket,
		target: record.target,
		startedBy: record.startedBy,
		startedAt: record.startedAt,
		drainedAt: record.drainFound ? null : record.drainSentAt,
		tookUp: record.drainFound === true,
		undone,
		pid: instance.pid,
		status,
		underWay: entries ? (underWay(record, entries)?.clause ?? null) : null,
	});
	for (const server of servers) {
		const name = `${server.backend}/${server.server}`;
		shown.add(name);
		const record = byTarget.get(name);
		if (record && !outOfRotation(server)) {
			gone.push(of(record, drainUndoneBy(record, instance.socket, instance), server.status));
		} else if (record && inMaintenance(server) && !drainSet(server)) {
			gone.push(of(record, {how: 'maintenance'}, server.status));
		}
	}

	if (read !== undefined) {
		for (const record of open) {
			const backend = record.target.slice(0, record.target.indexOf('/'));
			if (!shown.has(record.target) && (read === 'all' || read.has(backend))) {
				gone.push(of(record, {how: 'removed'}, null));
			}
		}
	}

	return gone;
}
