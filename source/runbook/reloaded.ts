import type {Instance} from '../model/types.js';
import type {RunbookContext} from './context.js';
import type {TargetView} from './read-target.js';

/** An instance whose HAProxy process is another one now than when the drain was read set: reloaded or restarted. */
export type Reloaded = {socket: string; pidBefore: number; pidAfter: number; instance: Instance};

/**
 * Whether `now` is another HAProxy process than `before`: another pid, or another start time (a
 * restart that drew the same pid). A start time not known before (an older journal entry) is not
 * held against it. The one comparison behind the wizard's reload alarm, restore's reloads and lost drains.
 */
export function anotherProcess(before: Pick<Instance, 'pid' | 'startTime'>, now: Pick<Instance, 'pid' | 'startTime'>): boolean {
	return before.pid !== now.pid || (before.startTime !== null && before.startTime !== now.startTime);
}

/**
 * The instances of `views` whose pid or start time (`show info`) differs from confirm's read that
 * showed the drain set ({@link RunbookFacts.drainReadOn}), or, before that read, from the run's
 * first read of them: HAProxy there was reloaded or restarted since, and runtime changes not kept in
 * a server-state file are gone.
 */
export function reloadedSince(context: Pick<RunbookContext, 'facts'>, views: readonly Pick<TargetView, 'socket' | 'snapshot'>[]): Reloaded[] {
	const known = context.facts.drainReadOn ?? context.facts.instances;
	return views.flatMap((view) => {
		const before = known.find((instance) => instance.socket === view.socket);
		const now = view.snapshot.instance;
		const changed = before !== undefined && anotherProcess(before, now);
		return changed ? [{socket: view.socket, pidBefore: before.pid, pidAfter: now.pid, instance: now}] : [];
	});
}

/** Said after a reload that dropped the drain, when {@link agentStartedByReload}. */
export const agentAgain = 'The reload also started its agent-check again, which the drain had disabled.';

/**
 * Whether the reload started the target's agent-check again on `view`'s instance: drainboard
 * disabled it for the drain (as confirm read it drained), and the new process runs it, as its
 * configuration says.
 */
export function agentStartedByReload(context: Pick<RunbookContext, 'facts'>, view: Pick<TargetView, 'socket' | 'server'>): boolean {
	const before = context.facts.drainReadOn?.find((instance) => instance.socket === view.socket);
	return before?.agentCheck === 'disabled' && view.server?.agentCheck === 'enabled';
}
