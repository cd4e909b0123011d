import {clockTime, shortDuration} from '../../time-format.js';
import {failed, passed, warned} from '../check-result.js';
import {everywhere, perInstance, readTarget} from '../read-target.js';
import {stateChangeCheck} from './state-change-check.js';
import type {CheckDefinition} from '../step-definition.js';
import {trafficProof} from './traffic-proof.js';

const readySent = stateChangeCheck({
	id: 'ready-sent',
	title: 'Ready command',
	step: 'restore',
	state: 'ready',
	why: 'The target goes back into rotation and gets new requests again.',
	sentAt: ['readySentAt'],
});

const drainCleared: CheckDefinition = {
	id: 'drain-cleared',
	title: 'Drain bit gone',
	async run(context, io) {
		const views = await readTarget(context, io.signal);
		for (const view of views) {
			const flags = view.server?.adminFlags ?? [];
			if (flags.includes('FDRAIN') || flags.includes('FMAINT') || flags.includes('RMAINT')) {
				return failed(this.id, this.title, perInstance(context, view.socket, `HAProxy still shows admin flags ${flags.join('+')}.`), {todo: 'Retry; if it stays, someone else is changing this server.'});
			}

			if (flags.includes('IDRAIN') || flags.includes('IMAINT')) {
				return warned(this.id, this.title, perInstance(context, view.socket, `FDRAIN is gone, but ${flags.join('+')} is inherited from ${view.server?.tracked ?? 'the tracked server'}; "ready" cannot clear that.`), {
					todo: `Restore ${view.server?.tracked ?? 'the tracked server'} too.`,
				});
			}
		}

		return passed(this.id, this.title, `No drain or maintenance flag is left on the target${everywhere(context)}.`);
	},
};

const trafficReturns = trafficProof({
	id: 'traffic-returns',
	title: 'Traffic returns',
	step: 'restore',
	expect: 'target-serves',
	whyNone: async () => ({
		meaning: 'It may still be starting (slowstart ramps its weight up), or its weight is 0.',
		todo: 'Retry in a few seconds; if it still gets none, look at its weight and health in the grid.',
	}),
	passMeaning: (traffic) => `The target ${traffic.basis === 'live' ? 'served' : 'answered'} ${traffic.targetDelta} of them: it is back in rotation.`,
});

const summary: CheckDefinition = {
	id: 'summary',
	title: 'Summary',
	async run(context) {
		const {drainSentAt, readySentAt} = context.facts;
		// What was sent and when, not "out of rotation for": nobody watched it in between (a headless drain
		// ends at confirm; a drain undone and made again by hand meanwhile would not show here).
		const window = drainSentAt && readySentAt ? `Drain sent ${clockTime(drainSentAt)}, ready sent ${clockTime(readySentAt)}: ${shortDuration((readySentAt - drainSentAt) / 1000)} apart. ` : '';
		const missing = context.journal.missingNote();
		if (missing) {
			return warned(this.id, this.title, `${window}${missing}`);
		}

		return passed(this.id, this.title, `${window}Every step is in the journal ${context.journal.file}.`);
	},
};

export const restoreChecks: CheckDefinition[] = [readySent, drainCleared, trafficReturns, summary];
