import type {Instance} from '../model/types.js';
import type {RunbookContext} from './context.js';
import type {TargetView} from './read-target.js';

/** An instance whose HAProxy process is another one now than when the drain was read set: reloaded or restarted. */
export type Reloaded = {socket: string; pidBefore: number; pidAfter: number; instance: Instance};

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
		const changed = before !== undefined && (before.pid !== now.pid || (before.startTime !== null && before.startTime !== now.startTime));
		return changed ? [{socket: view.socket, pidBefore: before.pid, pidAfter: now.pid, instance: now}] : [];
	});
}
