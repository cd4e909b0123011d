import type {PollView} from '../poll/pool-poller.js';
import type {OpenDrain} from '../runbook/resume.js';
import {sinceTime} from '../time-format.js';
import {drainSet, inMaintenance, outOfRotation} from '../model/server-condition.js';

/**
 * The grid's ⚠ line for the open drains HAProxy shows: the key, the server and what became of it
 * first, as a narrow terminal cuts the end (a long user name must not push "drained" off the
 * screen), then whose maintenance and when (local time; the day when not today).
 */
export function resumeBanner(resumable: readonly OpenDrain[], now: number): string | null {
	const [first] = resumable;
	if (!first) {
		return null;
	}

	// A server of a maintenance of several: r takes up the whole maintenance, by its pattern.
	const together = first.set === undefined ? [first] : resumable.filter((drain) => drain.set === first.set);
	const rest = resumable.length - together.length;
	const more = rest > 0 ? ` (and ${rest} more)` : '';
	const by = `${first.startedBy}'s maintenance of ${sinceTime(first.startedAt, now)}`;
	return first.set === undefined
		? `⚠ r resumes ${first.target}: left drained by ${by}${more}`
		: `⚠ r resumes ${first.set}: ${together.map((drain) => drain.target).join(', ')} left drained by ${by}${more}`;
}

/** The grid's ⚠ line for a drained server whose maintenance another drainboard runs now: no r (it would be refused). */
export function underWayBanner(busy: readonly OpenDrain[]): string | null {
	const [first] = busy;
	if (!first?.underWay) {
		return null;
	}

	const more = busy.length > 1 ? ` (and ${busy.length - 1} more)` : '';
	return `⚠ ${first.target} drained: under way elsewhere, ${first.underWay}${more}`;
}

/**
 * The grid's ⚠ line for open maintenances whose drain HAProxy no longer shows (the server in
 * rotation: a reload without a server-state file, or someone set it ready; or in maintenance,
 * `state maint`, which clears a drain: `to MAINT`): the server and that its drain is gone first
 * (a narrow terminal cuts the end), then whose maintenance and when. r (or Enter on the server) opens its
 * wizard, which says what the journal holds and starts a new maintenance that closes that one;
 * `drainboard restore` closes it too.
 */
export function lostDrainBanner(lost: readonly OpenDrain[], now: number, inMaintenance: (label: string) => boolean = () => false): string | null {
	const [first] = lost;
	if (!first) {
		return null;
	}

	const more = lost.length > 1 ? ` (and ${lost.length - 1} more)` : '';
	// In maintenance now (state maint clears the drain): out of rotation, but not by that maintenance.
	const to = inMaintenance(first.target) ? ' to MAINT' : '';
	return `⚠ r opens ${first.target}: drain lost${to} (${first.startedBy}'s maintenance of ${sinceTime(first.startedAt, now)})${more}`;
}

/** HAProxy's last poll shows the target (`backend/server`) on the first instance in rotation: neither drained nor in maintenance. */
export function inRotationInView(view: PollView, label: string): boolean {
	const server = serverInView(view, label);
	return server !== undefined && !outOfRotation(server);
}

/** The target (`backend/server`) in HAProxy's last poll, first instance; undefined when it does not show it. */
export function serverInView(view: PollView, label: string) {
	const slash = label.indexOf('/');
	return view.pool?.instances[0]?.backends.find((backend) => backend.name === label.slice(0, slash))?.servers.find((candidate) => candidate.server === label.slice(slash + 1));
}

/** HAProxy's last poll shows the target (`backend/server`) in maintenance (MAINT) on the first instance, not drained. */
export function inMaintenanceInView(view: PollView, label: string): boolean {
	const server = serverInView(view, label);
	return server !== undefined && inMaintenance(server) && !drainSet(server);
}

/** HAProxy's last poll shows the target (`backend/server`) drained on the first instance. */
export function drainedInView(view: PollView, label: string): boolean {
	return drainSet(serverInView(view, label));
}

/** HAProxy's last poll shows the target (`backend/server`) at all. */
export function inView(view: PollView, label: string): boolean {
	return serverInView(view, label) !== undefined;
}
