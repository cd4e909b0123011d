import type {JournalEntry} from '../runbook/journal.js';

/** A roll of a backend as the journal tells it: the last one started, and the servers it finished. */
export type RollRecord = {
	backend: string;
	servers: string[];
	startedAt: string;
	startedBy: string;
	done: string[];
	finished: boolean;
};

/** The roll of `backend` that the journal started last, with the servers done since; undefined when none. */
export function lastRoll(entries: readonly JournalEntry[], backend: string): RollRecord | undefined {
	let record: RollRecord | undefined;
	for (const entry of entries) {
		if (entry.target !== backend) {
			continue;
		}

		if (entry.event === 'roll-started') {
			record = {backend, servers: (entry.detail ?? '').split(',').filter(Boolean), startedAt: entry.time, startedBy: entry.user, done: [], finished: false};
			continue;
		}

		if (!record) {
			continue;
		}

		if (entry.event === 'roll-server-done' && entry.detail && !record.done.includes(entry.detail)) {
			record.done.push(entry.detail);
		}

		if (entry.event === 'roll-finished') {
			record.finished = true;
		}
	}

	return record;
}

/** The roll still open: started and not finished (a roll stopped short stays open until it ends). */
export function openRoll(entries: readonly JournalEntry[], backend: string): RollRecord | undefined {
	const record = lastRoll(entries, backend);
	return record && !record.finished ? record : undefined;
}

/**
 * The state changes HAProxy applied to `target` (`set server … state drain|ready`, accepted, or
 * proven by a read-back after a lost reply, or a change taken back), one per instance, journaled by this process since `since` (ms).
 */
export function appliedStateChanges(entries: readonly JournalEntry[], target: string, since: number, pid: number): number {
	const ours = `-${pid.toString(36)}`;
	return entries.filter(
		(entry) =>
			entry.target === target &&
			entry.session.endsWith(ours) &&
			Date.parse(entry.time) >= since &&
			entry.ok === true &&
			(entry.event === 'reply' || entry.event === 'rollback' || (entry.event === 'check' && entry.check === 'read-back')) &&
			/^set server \S+ state (?:drain|ready)$/.test(entry.command ?? ''),
	).length;
}
