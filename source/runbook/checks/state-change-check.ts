import {passed, warned} from '../check-result.js';
import {AlreadyInRotation, othersServing} from '../change-guards.js';
import type {RunbookContext, RunbookFacts} from '../context.js';
import {changeState, type ChangeOutcome} from '../state-change.js';
import type {CheckDefinition} from '../step-definition.js';
import type {StepId} from '../steps.js';
import {drainSet} from '../../model/server-condition.js';
import {counted} from '../../counted.js';

/** How one step changes the target's state: drain's "Drain command", restore's "Ready command" (titles true whether it was sent or refused). */
type StateChangeSpec = {
	id: string;
	title: string;
	step: StepId;
	state: 'drain' | 'ready';
	/** Why the change is made, shown with the command before the operator's yes. */
	why: string;
	/** The facts that record when it was sent. */
	sentAt: ReadonlyArray<keyof Pick<RunbookFacts, 'drainSentAt' | 'drainSetAt' | 'readySentAt'>>;
};

/**
 * The one check that sends a state change, for drain and restore alike: the change through
 * {@link changeState} (read, refuse what is unsafe, ask, journal, send, read back), the time it
 * was sent, whether the target is now drained, and what HAProxy accepted and showed right after.
 * A note from the change (a lost reply read back applied, an agent left alone) makes it a warning.
 */
export function stateChangeCheck(spec: StateChangeSpec): CheckDefinition {
	return {
		id: spec.id,
		title: spec.title,
		async run(context, io) {
			let outcome: ChangeOutcome;
			try {
				outcome = await changeState(context, io, spec.step, {kind: 'state', state: spec.state}, spec.why);
			} catch (error) {
				// Nothing to send (set ready outside this maintenance): said, not claimed; the checks after it prove what HAProxy does now.
				if (error instanceof AlreadyInRotation) {
					io.dispatch({type: 'drain-changed', drained: false});
					return warned(this.id, this.title, error.message);
				}

				throw error;
			}

			// Sent: when HAProxy applied it, as its reply is journaled (the summary dates it so). Set, the
			// start of the hold confirm watches: once read back, now.
			const now = context.clock.now();
			io.dispatch({type: 'facts-learned', facts: Object.fromEntries(spec.sentAt.map((fact) => [fact, fact === 'drainSetAt' ? now : outcome.appliedAt]))});

			io.dispatch({type: 'drain-changed', drained: spec.state === 'drain'});
			const readBack = readBackText(context, outcome);
			const said = (lead: string) => [lead, readBack].filter((text) => text !== '').join(' ');
			return outcome.notes.length > 0 ? warned(this.id, this.title, said([...outcome.notes, ...outcome.remarks].join(' '))) : passed(this.id, this.title, said([acceptedText(outcome), ...outcome.remarks].join(' ')));
		},
	};
}

/** `"set server B/S state drain" accepted (empty reply) by /run/haproxy/admin.sock.` */
function acceptedText(outcome: ChangeOutcome): string {
	const sockets = [...new Set(outcome.replies.map((reply) => reply.socket))].join(', ');
	return `${outcome.commands.map((line) => `"${line}"`).join(' then ')} accepted (empty reply) by ${sockets}.`;
}

/** A drain's read-back right after it (empty for a change without one). */
function readBackText(context: RunbookContext, outcome: ChangeOutcome): string {
	if (!outcome.after) {
		return '';
	}

	const serving = Math.min(...outcome.after.map((view) => othersServing(context, view).length));
	const drained = outcome.after.every((view) => drainSet(view.server));
	return `Read back right after: ${drained ? 'FDRAIN set' : 'FDRAIN NOT set'}, ${counted(serving, 'other active server')} serving.`;
}
