import {formatTarget} from '../../runtime/names.js';
import {clockTime, shortDuration, shownSecondsApart} from '../../time-format.js';
import {failed, passed, warned} from '../check-result.js';
import {everywhere, perInstance, readTarget, type TargetView} from '../read-target.js';
import type {RunbookContext} from '../context.js';
import type {Server} from '../../model/types.js';
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
			// Its own drain or maintenance with the agent-check running again: the agent answered before this read.
			if (view.server && ownOut(view.server.adminFlags) && view.server.agentCheck === 'enabled') {
				return drainedAgain(this, context, view, view.server, {});
			}

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

/**
 * With an agent-check running again (restore started the one the drain stopped), the ready is read
 * until the hold time after it was sent, as confirm watches the drain hold: an agent answering
 * "drain" or "maint" takes the server out of rotation again within its interval.
 */
const readyHolds: CheckDefinition = {
	id: 'ready-holds',
	title: 'Ready holds',
	async applies(context, io) {
		return (await readTarget(context, io.signal)).some((view) => view.server?.agentCheck === 'enabled');
	},
	async run(context, io) {
		const {holdMs} = context.options;
		const since = context.facts.readySentAt ?? context.clock.now();
		let reads = 0;
		for (;;) {
			const views = await readTarget(context, io.signal);
			reads++;
			const held = context.clock.now() - since;
			const again = views.find((view) => view.server && ownOut(view.server.adminFlags));
			if (again?.server) {
				return drainedAgain(this, context, again, again.server, {reads});
			}

			if ((held >= holdMs && reads >= 2) || io.signal?.aborted) {
				return passed(this.id, this.title, `HAProxy still shows ${formatTarget(context.target)} ready ${seconds(held)} s after the ready was sent (${reads} reads)${everywhere(context)}, with its agent-check running: the agent leaves it in rotation.`, {evidence: {reads, heldMs: held}});
			}

			io.dispatch({type: 'live-updated', step: 'restore', lines: [`Watching the ready hold with the agent-check running: ${Math.floor(Math.min(held, holdMs) / 1000)} s of ${holdMs / 1000} s`]});
			await context.clock.sleep(Math.min(500, Math.max(50, since + holdMs - context.clock.now())), io.signal);
		}
	},
};

/** Milliseconds as seconds with one decimal. */
function seconds(ms: number): number {
	return Math.round(ms / 100) / 10;
}

/** Its own flags only: an inherited one (IDRAIN, IMAINT) is the tracked server's, said by drain-cleared. */
function ownOut(flags: readonly string[]): boolean {
	return flags.some((flag) => flag === 'FDRAIN' || flag === 'FMAINT');
}

/**
 * The target out of rotation again after the ready, with its agent-check running again: said the
 * same by drain-cleared (the agent answered before its read) and ready-holds (during the hold).
 */
function drainedAgain(check: {id: string; title: string}, context: RunbookContext, view: TargetView, server: Server, evidence: {reads?: number}) {
	const held = context.clock.now() - (context.facts.readySentAt ?? context.clock.now());
	const state = server.adminFlags.includes('FDRAIN') ? 'drained' : 'in maintenance';
	// The answer that sets it: "drain" sets FDRAIN, "maint" FMAINT (HAProxy's status then says "(agent)").
	const cause = server.agentCheck === 'enabled' ? `: its agent-check, running again since this restore, likely answered "${state === 'drained' ? 'drain' : 'maint'}"` : '';
	return failed(check.id, check.title, perInstance(context, view.socket, `HAProxy shows ${formatTarget(context.target)} ${state} again ${seconds(held)} s after the ready (admin flags ${server.adminFlags.join('+')}, status "${server.status}")${cause}.`), {
		todo: 'Make the agent answer "ready" (or stop it with "disable agent"), then restore again.',
		evidence: {...evidence, heldMs: held},
	});
}

const trafficReturns = trafficProof({
	id: 'traffic-returns',
	title: 'Traffic returns',
	step: 'restore',
	expect: 'target-serves',
	whyNone: async () => ({
		meaning: 'It may still be starting (slowstart ramps its weight up), or its weight is 0.',
		todo: 'Retry in a few seconds; if it still gets none, look at its weight and health in the grid.',
	}),
});

const summary: CheckDefinition = {
	id: 'summary',
	title: 'Summary',
	async run(context) {
		const {drainSentAt, readySentAt} = context.facts;
		// What was sent and when, not "out of rotation for": nobody watched it in between (a headless drain
		// ends at confirm; a drain undone and made again by hand meanwhile would not show here).
		const window = drainSentAt && readySentAt ? `Drain sent ${clockTime(drainSentAt)}, ready sent ${clockTime(readySentAt)}: ${shortDuration(shownSecondsApart(drainSentAt, readySentAt))} apart. ` : '';
		const missing = context.journal.missingNote();
		if (missing) {
			return warned(this.id, this.title, `${window}${missing}`);
		}

		return passed(this.id, this.title, `${window}Every step is in the journal ${context.journal.file}.`);
	},
};

export const restoreChecks: CheckDefinition[] = [readySent, drainCleared, readyHolds, trafficReturns, summary];
