import {DrainboardError, type ErrorCode} from '../errors.js';
import {drainSet, isHealthy, isServing, outOfRotation} from '../model/server-condition.js';
import type {Server} from '../model/types.js';
import {formatTarget} from '../runtime/names.js';
import {RuntimeApiError} from '../runtime/runtime-error.js';
import {healthText} from './checks/maintain.js';
import type {Change} from './change-plan.js';
import type {RunbookContext} from './context.js';
import {heldText, isOwnMark, isOwnUser, markTime, type DrainMark} from './drain-mark.js';
import type {TargetView} from './read-target.js';

/** A change refused on what HAProxy shows right before it: nothing was sent. */
export class ChangeRefusedError extends DrainboardError {
	constructor(sentence: string, code: ErrorCode = 'state') {
		super(sentence, 1, {code});
		this.name = 'ChangeRefusedError';
	}
}

/** The active servers other than the target that take new traffic. */
export function othersServing(context: RunbookContext, view: TargetView): Server[] {
	return (view.backend?.servers ?? []).filter((server) => server.server !== context.target.server && !server.backup && isServing(server));
}

/** `app02 DRAIN, app03 DOWN` */
export function othersText(context: RunbookContext, view: TargetView): string {
	const others = (view.backend?.servers ?? []).filter((server) => server.server !== context.target.server && !server.backup);
	return others.map((server) => `${server.server} ${server.status}`).join(', ') || 'no other active server';
}

/**
 * The one check a drain must pass, before it is sent and right after: the first instance where
 * no other active server of the backend serves (so draining the target empties the backend), or
 * undefined; --force skips it.
 */
export function emptiedBy(context: RunbookContext, views: readonly TargetView[]): TargetView | undefined {
	return context.options.force ? undefined : views.find((view) => othersServing(context, view).length === 0);
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
		const empty = emptiedBy(context, views);
		if (empty) {
			throw new ChangeRefusedError(
				`Right before the drain, HAProxy${on(context, empty)} shows no other active server of ${context.target.backend} up and in rotation (${othersText(context, empty)}), so nothing was sent: someone changed the backend after validate; look at it, then retry.`,
				'capacity',
			);
		}
	}

	if (change.state === 'ready') {
		const sick = views.find((view) => view.server && !isHealthy(view.server));
		if (sick) {
			throw new ChangeRefusedError(
				`${label} is not healthy now${on(context, sick)} (${healthText(sick.server)}), so "state ready" was not sent by this maintenance; bring the service back, and restore once its health check passes.`,
				'health-timeout',
			);
		}
	}
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
			isOwnUser(mark)
				? `${label} is held by your maintenance since ${markTime(mark)}, recorded in journal ${mark.journal}, not in ${context.journal.file}, so nothing was sent: continue it with --journal ${mark.journal}, or run again with --take-over.`
				: `${label} is held by ${heldText(mark)}, so nothing was sent: restoring it would end that maintenance under its owner; leave it to them, or run drainboard again with --take-over to restore it yourself.`,
			'other-maintenance',
		);
	}

	return mark;
}
