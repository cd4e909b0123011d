import {drainSet, isHealthy, summarizeBackend} from '../model/server-condition.js';
import {formatTarget} from '../runtime/names.js';
import {othersText} from './change-guards.js';
import {commandLine, planChange} from './change-plan.js';
import {sendPutBack} from './read-back.js';
import {failed, type CheckResult} from './check-result.js';
import {healthText} from './checks/maintain.js';
import type {RunbookContext, RunbookIo} from './context.js';
import {readTarget, readTargetPatiently, type TargetView} from './read-target.js';
import type {StepId} from './steps.js';

/**
 * Whether confirm stops as soon as the rest of the backend goes down after the drain: headless
 * (the run then puts a healthy target back at once), and not under --force (the operator let the
 * backend be left with nothing serving). The wizard raises its alarm and offers b instead.
 */
export function stopsAtOutage(context: RunbookContext): boolean {
	return !context.options.interactive && !context.options.force;
}

/** The instance whose read shows the target drained and no server of its backend serving (the rest went down). */
function outageView(views: readonly TargetView[]): TargetView | undefined {
	return views.find((view) => view.backend && drainSet(view.server) && summarizeBackend(view.backend).noneServing);
}

/** {@link outageView}'s backend in words: the others as HAProxy shows them; null when there is no outage. */
export function outageIn(context: RunbookContext, views: readonly TargetView[]): string | null {
	const down = outageView(views);
	return down ? othersText(context, down) : null;
}

/** {@link outageIn} of a read made now; null too when HAProxy does not answer. */
export async function restWentDown(context: RunbookContext, signal?: AbortSignal): Promise<string | null> {
	const views = await readTargetPatiently(context, signal);
	return views === null ? null : outageIn(context, views);
}

/** A confirm check stopped by the outage of the rest of the backend (`others`: {@link outageIn}); `before`: what the check itself saw, if anything. */
export function outageFailure(id: string, title: string, context: RunbookContext, others: string, before = ''): CheckResult {
	return failed(id, title, `${before}${before ? ' ' : ''}HAProxy shows no server of ${context.target.backend} serving now (${others}): the rest of the backend went down after the drain.`, {
		meaning: 'Clients of the backend get errors now: nothing serves it, not because of the URL or the clients.',
		todo: `Bring ${formatTarget(context.target)} back now if it is healthy, or another server of ${context.target.backend}.`,
	});
}

/**
 * The rest of the backend went down while this maintenance had the target drained (at confirm):
 * HAProxy answers 503. A target that is healthy on every instance is put back at once (`state
 * ready` where it is drained, each journaled as a rollback), as the read-back right after a drain
 * does; one that is not is left as it is. Null when the backend has another server serving, or the
 * target is not drained: nothing to do. The sentence says what was seen and done.
 */
export async function putBackOnOutage(context: RunbookContext, io: RunbookIo, step: StepId): Promise<{sentence: string; putBack: boolean} | null> {
	const views = await readTarget(context, io.signal).catch(() => null);
	const down = views ? outageView(views) : undefined;
	if (!views || !down) {
		return null;
	}

	const label = formatTarget(context.target);
	const backend = context.target.backend;
	const where = context.clients.length > 1 ? ` on ${down.socket}` : '';
	const rest = othersText(context, down);
	if (context.options.force) {
		// --force let the backend be left with nothing serving (a tracker leaving with the target, say): not undone behind the operator's back.
		return {
			putBack: false,
			sentence: `HAProxy shows no server of ${backend} serving${where} (${rest}), as --force let this drain leave it: ${label} stays drained, and HAProxy answers 503 for ${backend} until a server serves again.`,
		};
	}

	const sick = views.find((view) => !view.server || !isHealthy(view.server));
	if (sick) {
		return {
			putBack: false,
			sentence: `The rest of ${backend} went down after the drain${where} (${rest}), so HAProxy answers 503 now; ${label} is not healthy either (${sick.server ? healthText(sick.server) : 'gone'}), so it was left drained: bring a server of ${backend} back now.`,
		};
	}

	// What a restore would send: ready, and the agent-check this maintenance stopped started again.
	const plan = planChange(context, {kind: 'state', state: 'ready'}, views);
	const detail = `the rest of ${backend} went down after the drain (${rest})`;
	const stuck: string[] = [];
	for (const client of context.clients) {
		if (!drainSet(views.find((view) => view.socket === client.socket)?.server)) {
			continue;
		}

		for (const command of plan.bySocket.get(client.socket) ?? []) {
			const sent = commandLine(context.target, command);
			const outcome = await sendPutBack(context, client, command, io.signal);
			if (outcome.applied) {
				context.journal.appendGuarded({step, event: 'rollback', command: sent, socket: client.socket, ok: true, reply: outcome.reply, detail: outcome.note === undefined ? detail : `${detail}; ${outcome.note}`});
			} else {
				stuck.push(`${client.socket}: ${outcome.sentence.replace(/\.$/, '')}`);
				context.journal.appendGuarded({step, event: 'rollback', command: sent, socket: client.socket, ok: false, reply: outcome.sentence, detail});
				break;
			}
		}
	}

	if (stuck.length > 0) {
		io.dispatch({type: 'drain-changed', drained: true});
		return {putBack: false, sentence: `The rest of ${backend} went down after the drain${where} (${rest}), so HAProxy answers 503 now; putting ${label} back failed (${stuck.join('; ')}): set it ready by hand now.`};
	}

	io.dispatch({type: 'drain-changed', drained: false});
	await context.marks.end(context.target, context.journal.file, 'ready', io.signal).catch(() => undefined);
	return {
		putBack: true,
		sentence: `The rest of ${backend} went down after the drain${where} (${rest}), so ${label}, healthy, was put back into rotation at once ("${plan.lines.join('" then "')}"): it serves ${backend} alone now; bring the other servers back before draining it again.`,
	};
}
