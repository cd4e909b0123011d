import {passed, warned} from '../check-result.js';
import {othersServing} from '../change-guards.js';
import {changeState, type ChangeOutcome} from '../state-change.js';
import type {CheckDefinition} from '../step-definition.js';
import type {RunbookContext} from '../context.js';

const drainSent: CheckDefinition = {
	id: 'drain-sent',
	title: 'Drain sent',
	async run(context, io) {
		const outcome = await changeState(context, io, 'drain', {kind: 'state', state: 'drain'}, 'New requests stop going to the target; its open sessions finish.');
		context.facts.drainSentAt = context.clock.now();
		context.facts.drainSetAt = context.facts.drainSentAt;
		io.dispatch({type: 'drain-changed', drained: true});
		const observed = `${acceptedText(outcome)} ${readBackText(context, outcome)}`;
		return outcome.notes.length > 0 ? warned(this.id, this.title, `${outcome.notes.join(' ')} ${readBackText(context, outcome)}`) : passed(this.id, this.title, observed);
	},
};

/** `"set server B/S state drain" accepted (empty reply) by /run/haproxy/admin.sock.` */
export function acceptedText(outcome: ChangeOutcome): string {
	const sockets = [...new Set(outcome.replies.map((reply) => reply.socket))].join(', ');
	return `${outcome.commands.map((line) => `"${line}"`).join(' then ')} accepted (empty reply) by ${sockets}.`;
}

function readBackText(context: RunbookContext, outcome: ChangeOutcome): string {
	if (!outcome.after) {
		return '';
	}

	const serving = Math.min(...outcome.after.map((view) => othersServing(context, view).length));
	const drained = outcome.after.every((view) => view.server?.adminFlags.includes('FDRAIN'));
	return `Read back right after: ${drained ? 'FDRAIN set' : 'FDRAIN NOT set'}, ${serving} other active server(s) serving.`;
}

export const drainChecks: CheckDefinition[] = [drainSent];
