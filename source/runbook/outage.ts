import {drainSet, summarizeBackend} from '../model/server-condition.js';
import {formatTarget} from '../runtime/names.js';
import {othersText} from './change-guards.js';
import {failed, type CheckResult} from './check-result.js';
import type {RunbookContext} from './context.js';
import {readTargetPatiently, type TargetView} from './read-target.js';

/**
 * Whether confirm stops as soon as the rest of the backend goes down after the drain: headless
 * (the run then puts a healthy target back at once), and not under --force (the operator let the
 * backend be left with nothing serving). The wizard raises its alarm and offers b instead.
 */
export function stopsAtOutage(context: RunbookContext): boolean {
	return !context.options.interactive && !context.options.force;
}

/** In `views`, the target drained and no server of its backend serving (the rest went down): the others as HAProxy shows them, else null. */
export function outageIn(context: RunbookContext, views: readonly TargetView[]): string | null {
	const down = views.find((view) => view.backend && drainSet(view.server) && summarizeBackend(view.backend).noneServing);
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
