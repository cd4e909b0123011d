import {sentenceOf} from '../errors.js';
import type {RunbookContext} from '../runbook/context.js';
import {readJournal} from '../runbook/journal.js';
import {unreachableTitle} from '../runbook/run-step.js';
import {restoreHint, statusCommand} from '../runbook/come-back.js';
import type {Server} from '../model/types.js';
import {readTarget, type TargetView} from '../runbook/read-target.js';
import {formatTarget} from '../runtime/names.js';
import {clockTime} from '../time-format.js';
import type {ServerState, TargetEntry} from './result-schema.js';
import {drainSet} from '../model/server-condition.js';
import {agentAgain, agentStartedByReload, reloadedSince} from '../runbook/reloaded.js';

/** The target on each instance (by socket), as read at some moment; undefined where HAProxy did not list it. */
export type TargetServers = Map<string, Server | undefined>;

/** Reads the target on every instance; null when HAProxy does not answer. */
export async function readServers(context: RunbookContext): Promise<TargetServers | null> {
	try {
		return serversOf(await readTarget(context));
	} catch {
		return null;
	}
}

const serversOf = (views: readonly TargetView[]): TargetServers => new Map(views.map((view) => [view.socket, view.server] as const));

const stateOf = (server: Server | undefined): ServerState | null => (server ? {adminFlags: [...server.adminFlags], opStateName: server.opStateName, status: server.status} : null);

/** The `targets` of the `--json` object: the target on each instance, before the run and at its end, both as read from HAProxy. */
export function targetEntries(context: RunbookContext, before: TargetServers | null, after: TargetServers | null): TargetEntry[] {
	return context.clients.map((client) => ({
		socket: client.socket,
		backend: context.target.backend,
		server: context.target.server,
		before: stateOf(before?.get(client.socket)),
		after: stateOf(after?.get(client.socket)),
	}));
}

/**
 * `changed` of the `--json` object: this run had a state change accepted (or read back applied
 * after a lost reply), and HAProxy shows the target's admin state different now from before the
 * run. A change put back, or a drain of a server already drained, is not a change.
 */
export function changedByRun(context: RunbookContext, before: TargetServers | null, after: TargetServers | null): boolean {
	if (!thisRun(context, 'reply')) {
		return false;
	}

	if (before === null || after === null) {
		return true;
	}

	return context.clients.some((client) => before.get(client.socket)?.adminState !== after.get(client.socket)?.adminState);
}

/** Where the target stands when a headless run ends, read from HAProxy then. */
type FinalState = {
	/** FDRAIN on some instance; null when it could not be read. */
	drained: boolean | null;
	/** One sentence for a run that did not pass; null when HAProxy shows what the run set out to do. */
	sentence: string;
	/** The target as read at the end; null when it could not be read. */
	after: TargetServers | null;
};

/**
 * Reads the target again at the end of a run and says where it stands: drained (and how to go
 * on, unless `hint` is false), unchanged since the run began (only then "Nothing was changed"),
 * changed, or unknown.
 */
export async function finalState(context: RunbookContext, before: TargetServers | null, {hint = true}: {hint?: boolean} = {}): Promise<FinalState> {
	const label = formatTarget(context.target);
	let views: Awaited<ReturnType<typeof readTarget>>;
	try {
		views = await readTarget(context);
	} catch (error) {
		const why = sentenceOf(error).replace(/\.$/, '');
		if (!thisRun(context, 'command')) {
			// A check already failed because HAProxy did not answer, or for this very reason: said there, not again.
			const said = Object.values(context.store.getState().steps).some((step) => step.checks.some((check) => check.verdict === 'fail' && (check.title === unreachableTitle || check.observed.includes(why))));
			const readBack = said ? '' : `, and reading ${label} back at the end failed (${why})`;
			return {drained: null, after: null, sentence: `Nothing was sent to HAProxy by this run${readBack}.`};
		}

		return {
			drained: null,
			after: null,
			sentence: `The state of ${label} is unknown: reading it back at the end failed (${why}); check it with "${statusCommand(context)}" before anything else.`,
		};
	}

	const drainedOn = views.filter((view) => drainSet(view.server)).map((view) => view.socket);
	// Without the commands when what ended the run already named them.
	const restore = hint ? ` ${restoreHint(context)}` : '';
	if (drainedOn.length === views.length && views.length > 0) {
		const since = context.facts.drainSentAt ? ` since ${clockTime(context.facts.drainSentAt)}` : '';
		return {drained: true, after: serversOf(views), sentence: `${label} is DRAINED now (out of rotation${since}).${restore}`};
	}

	if (drainedOn.length > 0) {
		const rest = views.map((view) => view.socket).filter((socket) => !drainedOn.includes(socket));
		return {drained: true, after: serversOf(views), sentence: `${label} is DRAINED on ${drainedOn.join(', ')} but in rotation on ${rest.join(', ')}.${restore}`};
	}

	const flags = [...new Set(views.flatMap((view) => view.server?.adminFlags ?? []))].join('+') || 'none';
	// A reload that dropped this run's drain is what put the target back in rotation: not this run.
	const reloaded = thisRun(context, 'reply') ? reloadedSince(context, views) : [];
	if (reloaded.length > 0) {
		const how = reloaded.map((one) => `HAProxy at ${one.socket} was reloaded or restarted during this run (pid ${one.pidBefore} → ${one.pidAfter})`).join(', and ');
		const agent = views.some((view) => agentStartedByReload(context, view)) ? ` ${agentAgain}` : '';
		return {drained: false, after: serversOf(views), sentence: `${label} is in rotation now (admin flags ${flags}, read back now): ${how}, which dropped the drain, not drainboard.${agent}`};
	}

	const unchanged = before !== null && views.every((view) => view.server !== undefined && before.get(view.socket)?.adminState === view.server.adminState);
	if (unchanged) {
		return {drained: false, after: serversOf(views), sentence: thisRun(context, 'reply') ? `${label} is as it was before this run (admin flags ${flags}, read back now): what this run changed was put back.` : 'Nothing was changed on HAProxy by this run.'};
	}

	return {drained: false, after: serversOf(views), sentence: `${label} is not drained now (admin flags ${flags}, read back at the end of this run).`};
}

/** Whether this run (this journal session) meant to send a change (`command`), or had one accepted (`reply`). */
function thisRun(context: RunbookContext, event: 'command' | 'reply'): boolean {
	try {
		return readJournal(context.journal.file).entries.some(
			(entry) =>
				entry.session === context.journal.session &&
				(event === 'command' ? entry.event === 'command' : entry.ok === true && (entry.event === 'reply' || (entry.event === 'check' && entry.check === 'read-back'))),
		);
	} catch {
		return true;
	}
}
