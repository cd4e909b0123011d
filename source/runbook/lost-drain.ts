import {outOfRotation} from '../model/server-condition.js';
import {formatTarget, type Target} from '../runtime/names.js';
import {clockTime} from '../time-format.js';
import type {TargetView} from './read-target.js';
import type {MaintenanceRecord} from './resume.js';

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
	const drainAt = record.drainSentAt === null ? '' : ` at ${clockTime(record.drainSentAt)}`;
	return views.flatMap((view) => {
		// Drained still, or in maintenance now (not in rotation either way): not a lost drain.
		if (!view.server || outOfRotation(view.server)) {
			return [];
		}

		const now = view.snapshot.instance;
		const before = record.drainInstances?.find((instance) => instance.socket === view.socket);
		const flags = view.server.adminFlags.length > 0 ? view.server.adminFlags.join('+') : 'ready (no admin flags)';
		if (before?.pid === null || before?.pid === undefined) {
			return [
				`The drain${drainAt} is gone from HAProxy at ${view.socket}, which shows ${label} ${flags}: someone set it, or a reload dropped the drain (the journal has no pid to tell which), and it went back into rotation during the maintenance.`,
			];
		}

		if (before.pid !== now.pid || (before.startTime !== null && before.startTime !== now.startTime)) {
			const started = now.startTime === null ? '' : `, started at ${clockTime(now.startTime * 1000)}`;
			return [
				`HAProxy at ${view.socket} was reloaded or restarted after the drain${drainAt} (pid ${before.pid} → ${now.pid}${started}): the drain is gone, and ${label} went back into rotation during the maintenance.`,
			];
		}

		// No time for the ready: HAProxy's last change (lastchg) moves with the operational state only (UP,
		// DOWN), and a drain or a ready sent to a running server leaves it as it was (seen on 2.8 and 3.4).
		return [
			`Someone or something else changed ${label} on ${view.socket} after the drain${drainAt}: HAProxy (same process, pid ${now.pid}) shows it ${flags}, so it went back into rotation during the maintenance.`,
		];
	});
}
