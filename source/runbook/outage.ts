import {backendsOfDrain} from '../model/capacity.js';
import {drainSet, isHealthy, summarizeBackend} from '../model/server-condition.js';
import type {Backend} from '../model/types.js';
import {formatTarget} from '../runtime/names.js';
import {visible} from '../visible-text.js';
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

/**
 * What a confirm sees of an outage: the instance and the backend left with no server serving while
 * the target is drained (its own, or one whose servers track it and left with it), and that
 * backend's servers as HAProxy shows them.
 */
export type Outage = {view: TargetView; backend: string; others: string};

/**
 * The first instance whose read shows the target drained and a backend it takes servers from
 * (its own, or a tracker's: {@link backendsOfDrain}) with no server serving; undefined when none.
 * A tracker's backend is seen only in a whole read ({@link readForOutage}).
 */
function outageOf(context: RunbookContext, views: readonly TargetView[]): Outage | undefined {
	for (const view of views) {
		if (!drainSet(view.server)) {
			continue;
		}

		for (const name of backendsOfDrain(view.snapshot, context.target)) {
			const backend = view.snapshot.backends.find((candidate) => candidate.name === name);
			if (backend && summarizeBackend(backend).noneServing) {
				return {view, backend: name, others: name === context.target.backend ? othersText(context, view) : trackerBackendText(context, backend)};
			}
		}
	}

	return undefined;
}

/** `t1 DRAIN (tracks webapps/app03), t2 MAINT`: a tracker's backend as HAProxy shows it. */
function trackerBackendText(context: RunbookContext, backend: Backend): string {
	const label = formatTarget(context.target);
	return backend.servers
		.filter((server) => !server.backup)
		.map((server) => `${server.server} ${server.status}${server.tracked === null ? '' : ` (tracks ${visible(server.tracked)})`}`)
		.join(', ') || `no active server (its servers track ${label})`;
}

/** Whether a server of another backend tracks the target (read once per maintenance: only a reload changes it). */
const tracked = new WeakMap<RunbookContext, Promise<boolean>>();

/** Whether a server of another backend tracks the target: its first call reads every backend once. */
async function trackedElsewhere(context: RunbookContext, signal?: AbortSignal): Promise<boolean> {
	let known = tracked.get(context);
	if (!known) {
		known = readTarget(context, signal, true).then((views) => views.some((view) => backendsOfDrain(view.snapshot, context.target).length > 1));
		// A read that failed is tried again next time, not remembered as "none".
		known.catch(() => tracked.delete(context));
		tracked.set(context, known);
	}

	return known;
}

/** The target's views for telling an outage: of its own backend, or whole when servers of other backends track the target. */
async function readForOutage(context: RunbookContext, signal?: AbortSignal): Promise<TargetView[]> {
	return readTarget(context, signal, await trackedElsewhere(context, signal));
}

/**
 * Whether the reads show an outage while the target is drained: `views` as a check read them (its
 * own backend), and a whole read made now when servers of other backends track the target (their
 * backend empties with it). Null: none.
 */
export async function outageIn(context: RunbookContext, views: readonly TargetView[], signal?: AbortSignal): Promise<Outage | null> {
	const own = outageOf(context, views);
	if (own || !(await trackedElsewhere(context, signal))) {
		return own ?? null;
	}

	return outageOf(context, await readTarget(context, signal, true)) ?? null;
}

/** {@link outageIn} of a read made now; null too when HAProxy does not answer. */
export async function restWentDown(context: RunbookContext, signal?: AbortSignal): Promise<Outage | null> {
	const views = await readTargetPatiently(context, signal);
	return views === null ? null : outageIn(context, views, signal).catch(() => null);
}

/** A confirm check stopped by an outage ({@link outageIn}); `before`: what the check itself saw, if anything. */
export function outageFailure(id: string, title: string, context: RunbookContext, outage: Outage, before = ''): CheckResult {
	const label = formatTarget(context.target);
	const own = outage.backend === context.target.backend;
	return failed(
		id,
		title,
		`${before}${before ? ' ' : ''}HAProxy shows no server of ${outage.backend} serving now (${outage.others}): ${own ? 'the rest of the backend went down after the drain' : `its servers that track ${label} left rotation with the drain, and the others went down`}.`,
		{
			meaning: `Clients of ${outage.backend} get errors now: nothing serves it, not because of the URL or the clients.`,
			todo: `Bring ${label} back now if it is healthy${own ? '' : ` (its trackers in ${outage.backend} come back with it)`}, or another server of ${outage.backend}.`,
		},
	);
}

/**
 * The rest of the backend went down while this maintenance had the target drained (at confirm):
 * HAProxy answers 503. A target that is healthy on every instance is put back at once (`state
 * ready` where it is drained, each journaled as a rollback), as the read-back right after a drain
 * does; one that is not is left as it is. Null when the backend has another server serving, or the
 * target is not drained: nothing to do. The sentence says what was seen and done.
 */
export async function putBackOnOutage(context: RunbookContext, io: RunbookIo, step: StepId): Promise<{sentence: string; putBack: boolean} | null> {
	const views = await readForOutage(context, io.signal).catch(() => null);
	const down = views ? outageOf(context, views) : undefined;
	if (!views || !down) {
		return null;
	}

	const label = formatTarget(context.target);
	const {backend} = down;
	const own = backend === context.target.backend;
	const where = context.clients.length > 1 ? ` on ${down.view.socket}` : '';
	const rest = down.others;
	const wentDown = own ? `The rest of ${backend} went down after the drain${where}` : `${backend} was left with no server serving after the drain${where}, its servers that track ${label} gone with it`;
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
			sentence: `${wentDown} (${rest}), so HAProxy answers 503 now; ${label} is not healthy either (${sick.server ? healthText(sick.server) : 'gone'}), so it was left drained: bring a server of ${backend} back now.`,
		};
	}

	// What a restore would send: ready, and the agent-check this maintenance stopped started again.
	const plan = planChange(context, {kind: 'state', state: 'ready'}, views);
	const detail = own ? `the rest of ${backend} went down after the drain (${rest})` : `${backend} was left with no server serving after the drain (${rest})`;
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
		return {putBack: false, sentence: `${wentDown} (${rest}), so HAProxy answers 503 now; putting ${label} back failed (${stuck.join('; ')}): set it ready by hand now.`};
	}

	io.dispatch({type: 'drain-changed', drained: false});
	await context.marks.end(context.target, context.journal.file, 'ready', io.signal).catch(() => undefined);
	return {
		putBack: true,
		sentence: `${wentDown} (${rest}), so ${label}, healthy, was put back into rotation at once ("${plan.lines.join('" then "')}"): ${own ? `it serves ${backend} alone now` : `its trackers serve ${backend} again`}; bring the other servers back before draining it again.`,
	};
}
