import {visible} from '../visible-text.js';
import {clockTime} from '../time-format.js';
import {DrainboardError, type ErrorCode} from '../errors.js';
import {capacityAfter, emptiedReasons, emptiedTodo, type BackendCapacity} from '../model/capacity.js';
import {drainSet, isHealthy, outOfRotation} from '../model/server-condition.js';
import type {Server} from '../model/types.js';
import {formatTarget} from '../runtime/names.js';
import {RuntimeApiError} from '../runtime/runtime-error.js';
import {healthText} from './checks/maintain.js';
import type {Change} from './change-plan.js';
import type {RunbookContext} from './context.js';
import {heldText, isOwnMark, isOwnUser, isUnreadable, markTime, type DrainMark} from './drain-mark.js';
import type {TargetView} from './read-target.js';

/** A change refused on what HAProxy shows right before it: nothing was sent. */
export class ChangeRefusedError extends DrainboardError {
	constructor(sentence: string, code: ErrorCode = 'state') {
		super(sentence, 1, {code});
		this.name = 'ChangeRefusedError';
	}
}

/** Capacity once the target leaves, per backend it touches (its own, and those of the servers tracking it); needs a whole snapshot. */
export function capacityOf(context: RunbookContext, view: TargetView): BackendCapacity[] {
	return capacityAfter(view.snapshot, [context.target]);
}

/** The active servers other than the target that stay and take new traffic (not tracking it, checks passing). */
export function othersServing(context: RunbookContext, view: TargetView): Server[] {
	return capacityOf(context, view).find((capacity) => capacity.backend === context.target.backend)?.staying ?? [];
}

/**
 * `app02 DRAIN, app03 DOWN, app04 UP at weight 0`: why each other active server takes no new
 * traffic (a server at weight 0 shows UP, which alone would read as serving).
 */
export function othersText(context: RunbookContext, view: TargetView): string {
	const others = (view.backend?.servers ?? []).filter((server) => server.server !== context.target.server && !server.backup);
	return others.map((server) => `${server.server} ${visible(server.status)}${server.userWeight === 0 ? ' at weight 0' : ''}`).join(', ') || 'no other active server';
}

/** An instance where the drain leaves a backend with no active server serving, and that backend. */
type Emptied = {view: TargetView; capacity: BackendCapacity};

/**
 * The one check a drain must pass, before it is sent and right after (views of whole snapshots):
 * the first instance and backend where no other active server would serve (the target's own
 * backend, or one whose servers track the target), or undefined; --force skips it.
 */
export function emptiedBy(context: RunbookContext, views: readonly TargetView[]): Emptied | undefined {
	if (context.options.force) {
		return undefined;
	}

	for (const view of views) {
		const capacity = capacityOf(context, view).find((candidate) => candidate.emptied);
		if (capacity) {
			return {view, capacity};
		}
	}

	return undefined;
}

/** `backend solo would have no active server serving: solo/w1 tracks webapps/s1 and leaves rotation with it` when trackers or failing checks are why; null otherwise. */
export function emptiedByWhat(capacity: BackendCapacity): {sentence: string; todo: string} | null {
	const reasons = emptiedReasons(capacity);
	return reasons.length === 0 ? null : {sentence: `backend ${capacity.backend} would have no active server serving: ${reasons.join('; ')}`, todo: emptiedTodo(capacity)};
}

const on = (context: RunbookContext, view: TargetView) => (context.clients.length > 1 ? ` at ${view.socket}` : '');

/**
 * Refuses a change that HAProxy, read just now on every instance, shows to be unsafe: the target
 * gone; a drain that leaves no other active server serving (unless --force); `ready` for a
 * target that is not healthy. Runs before the question and again after the operator's yes.
 */
export function refuseUnsafe(context: RunbookContext, change: Change, views: readonly TargetView[]): void {
	const label = formatTarget(context.target);
	for (const view of views) {
		if (!view.server) {
			throw new RuntimeApiError('haproxy-error', view.socket, `HAProxy at ${view.socket} no longer has ${label}; nothing was sent to any instance.`);
		}
	}

	if (change.kind !== 'state') {
		return;
	}

	if (change.state === 'drain') {
		// HAProxy's "state drain" clears FMAINT: it would end someone's maintenance (set by hand, or "disabled"), not add to it.
		const held = views.find((view) => view.server?.adminFlags.includes('FMAINT'));
		if (held?.server) {
			throw new ChangeRefusedError(
				`Right before the drain, HAProxy${on(context, held)} shows ${label} in maintenance (${held.server.adminFlags.join('+')}), so nothing was sent: a drain would end that maintenance (HAProxy's "state drain" clears FMAINT), and its health checks and sticky clients would come back. Whoever put it there brings it back (set server ${label} state ready); drain it then.`,
				'not-serving',
			);
		}

		const empty = emptiedBy(context, views);
		if (empty) {
			const what = emptiedByWhat(empty.capacity);
			throw new ChangeRefusedError(
				what
					? `Right before the drain, HAProxy${on(context, empty.view)} shows that ${what.sentence}, so nothing was sent: ${what.todo}, then retry.`
					: `Right before the drain, HAProxy${on(context, empty.view)} shows no other active server of ${context.target.backend} up and in rotation (${othersText(context, empty.view)}), so nothing was sent: someone changed the backend after validate; look at it, then retry.`,
				'capacity',
			);
		}
	}

	if (change.state === 'ready') {
		const sick = views.find((view) => view.server && !isHealthy(view.server));
		if (sick?.server) {
			throw new ChangeRefusedError(`${label} ${notReadyClause(sick.server, {where: on(context, sick), at: context.clock.now()})}`, heldInMaintenance(sick.server) ? 'other-maintenance' : 'health-timeout');
		}
	}
}

/** Someone's own maintenance (FMAINT, set by hand or `disabled`), which this maintenance never sets: a ready would end it. */
function heldInMaintenance(server: Server): boolean {
	return server.adminFlags.includes('FMAINT');
}

/**
 * Why "state ready" is not sent to a target that is not healthy, after its name: in someone's
 * maintenance (a ready would end it), or unhealthy (the service is to come back first);
 * `withdrawn`: said when a question already asked is taken back (it was healthy then). The read's
 * time (`at`) is said, not "now": the sentence stays on the wizard's screen while the server comes back.
 */
export function notReadyClause(server: Server, {where = '', withdrawn = false, at}: {where?: string; withdrawn?: boolean; at: number}): string {
	return heldInMaintenance(server)
		? `is in maintenance${where} (${server.adminFlags.join('+')}), set outside this maintenance, which only drains: "state ready" was not sent by it, as a ready would end that maintenance; find out who put it there before you restore it.`
		: `was ${withdrawn ? 'no longer healthy' : 'not healthy'}${where} at ${clockTime(at)} (${healthText(server)}), so "state ready" was not sent by this maintenance; bring the service back, and restore once its health check passes.`;
}

/** A `ready` with nothing to do: HAProxy shows the target in rotation already (set ready outside this maintenance). Nothing is sent. */
export class AlreadyInRotation extends DrainboardError {
	constructor(sentence: string) {
		super(sentence, 1, {code: 'state'});
		this.name = 'AlreadyInRotation';
	}
}

/** Throws {@link AlreadyInRotation} when a `ready` would find the target neither drained nor in maintenance on any instance. */
export function refuseNeedless(context: RunbookContext, change: Change, views: readonly TargetView[]): void {
	if (change.kind === 'state' && change.state === 'ready' && views.length > 0 && views.every((view) => view.server && !outOfRotation(view.server))) {
		throw new AlreadyInRotation(`${formatTarget(context.target)} is in rotation already: HAProxy shows it neither drained nor in maintenance${views.length > 1 ? ' on any instance' : ''} (set ready outside this maintenance), so "state ready" was not sent.`);
	}
}

/**
 * Another operator's maintenance that drained the target, from the marks every operator of the
 * host shares (drain-mark.ts): counted only while HAProxy shows the target drained. Bringing it
 * back would end that maintenance under its owner, so it is refused (nothing sent) unless
 * --take-over; with it, the mark is returned for the journal and the notes.
 */
export async function othersDrain(context: RunbookContext, views: readonly TargetView[], signal?: AbortSignal): Promise<DrainMark | null> {
	if (!views.some((view) => drainSet(view.server))) {
		return null;
	}

	const mark = await context.marks.read(context.target, signal);
	if (!mark || isOwnMark(mark, context.journal.file)) {
		return null;
	}

	if (!context.options.takeOver) {
		const label = formatTarget(context.target);
		throw new ChangeRefusedError(
			isUnreadable(mark)
				? `${label} is held by ${heldText(mark)}, so whose maintenance holds it is not known and nothing was sent: find out who drained it, then run drainboard again with --take-over to restore it yourself.`
				: isOwnUser(mark)
				? `${label} is held by your maintenance since ${markTime(mark)}, recorded in journal ${mark.journal}, not in ${context.journal.file}, so nothing was sent: continue it with --journal ${mark.journal}, or run again with --take-over.`
				: `${label} is held by ${heldText(mark)}, so nothing was sent: restoring it would end that maintenance under its owner; leave it to them, or run drainboard again with --take-over to restore it yourself.`,
			'other-maintenance',
		);
	}

	return mark;
}
