import type {JournalEntry} from '../runbook/journal.js';

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
