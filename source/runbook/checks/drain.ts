import type {CheckDefinition} from '../step-definition.js';
import {stateChangeCheck} from './state-change-check.js';

const drainSent = stateChangeCheck({
	id: 'drain-sent',
	title: 'Drain command',
	step: 'drain',
	state: 'drain',
	why: 'New requests stop going to the target; its open sessions finish.',
	sentAt: ['drainSentAt', 'drainSetAt'],
});

export const drainChecks: CheckDefinition[] = [drainSent];
