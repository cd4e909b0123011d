import {seenSettled, type Alarm, type RunbookState} from '../../runbook/state.js';
import {targetStale, targetState, targetStateSentence, type TargetSeen} from '../../runbook/target-state.js';
import type {Target} from '../../runtime/names.js';

/** What the app says after it ends, from the wizard's last read of the target. */
export type ExitNote = {
	target: Target;
	/** The command that comes back to this maintenance (flags and journal); null in the lab. */
	comeBack: string | null;
	seen: TargetSeen[];
	/** This maintenance drained the target (or resumed one that had), and has not restored it. */
	drainedByMaintenance: boolean;
	/** The alarms on screen (a reload, someone else's change): why the drain may be gone. */
	alarms: readonly Alarm[];
	/** HAProxy's last answer came after this maintenance's last step or change (seenSettled). */
	settled: boolean;
	/** This maintenance ended (restored): a drain HAProxy shows now is not its own. */
	finished?: boolean;
};

/** The note for the state the wizard ends in. */
export function exitNoteOf(target: Target, comeBack: string | null, state: RunbookState, seen: TargetSeen[]): ExitNote {
	return {target, comeBack, seen, drainedByMaintenance: state.drained && !state.finished, alarms: state.alarms, settled: seenSettled(state), finished: state.finished};
}

/**
 * The lines printed after the app ends: the target's state as HAProxy last showed it (drained,
 * back in rotation and why, or unknown since when), and how to come back. Null when there is
 * nothing to say (no drain of this maintenance, and HAProxy shows none).
 */
export function exitNoteText(note: ExitNote): string | null {
	const state = targetState(note.seen);
	const sentence = targetStateSentence(note.target, note.seen);
	if (note.comeBack === null) {
		// The lab: its HAProxy, journal and socket are gone with it; a command naming them would not work.
		return state === 'drained' || state === 'partly-drained' || note.drainedByMaintenance ? `${sentence}. The lab's HAProxy stopped with the lab; drainboard lab starts a fresh one.` : null;
	}

	const resume = note.comeBack;
	if ((state === 'drained' || state === 'partly-drained') && note.finished) {
		return `${sentence}: drained again after this maintenance ended, so not by it. drainboard status says whose drain it is.`;
	}

	if (state === 'drained' || state === 'partly-drained') {
		return `${sentence}. To resume: ${resume}`;
	}

	if (!note.drainedByMaintenance) {
		return null;
	}

	if (state === 'unknown' || targetStale(note.seen) || !note.settled) {
		return `${sentence}; this maintenance had drained it. To see where it stands and resume: ${resume}`;
	}

	const why = note.alarms.filter((alarm) => alarm.reapply).at(-1);
	const cause = why ? `. ${why.message.replace(/ Press r to re-apply[^.]*\.$/, '')}` : ' (set ready outside this wizard, or dropped by a reload).';
	return `${sentence}: it went back into rotation during the maintenance${cause} The maintenance is not finished; to start again: ${resume}`;
}
