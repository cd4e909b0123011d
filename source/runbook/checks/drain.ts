import {passed} from '../check-result.js';
import {changeState} from '../state-change.js';
import type {CheckDefinition} from '../step-definition.js';

const drainSent: CheckDefinition = {
	id: 'drain-sent',
	title: 'Drain sent',
	async run(context, io) {
		const outcome = await changeState(context, io, 'drain', {kind: 'state', state: 'drain'}, 'New requests stop going to the target; its open sessions finish.');
		context.facts.drainSentAt = context.clock.now();
		io.dispatch({type: 'drain-changed', drained: true});
		return passed(this.id, this.title, `"${outcome.command}" accepted (empty reply) by ${outcome.replies.map((reply) => reply.socket).join(', ')}.`);
	},
};

export const drainChecks: CheckDefinition[] = [drainSent];
