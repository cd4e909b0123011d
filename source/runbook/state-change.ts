import {sentenceOf} from '../errors.js';
import {commands, type ServerAdminState} from '../runtime/commands.js';
import {formatTarget} from '../runtime/names.js';
import {RuntimeApiError} from '../runtime/runtime-error.js';
import type {Server} from '../model/types.js';
import type {RunbookContext, RunbookIo} from './context.js';
import {readTarget} from './read-target.js';
import type {StepId} from './steps.js';

/** The operator declined a prompt: the step goes back to pending, nothing was changed. */
export class Cancelled extends Error {
	constructor() {
		super('cancelled by the operator');
		this.name = 'Cancelled';
	}
}

/** What was sent and what each instance answered. */
export type ChangeOutcome = {command: string; replies: Array<{socket: string; ok: boolean; reply: string}>};

type Change = {kind: 'state'; state: ServerAdminState} | {kind: 'shutdown-sessions'};

/** The admin state to send to put a server back as it was: maint, drain, or ready. */
export function adminStateOf(server: Pick<Server, 'adminFlags'>): ServerAdminState {
	return server.adminFlags.includes('FMAINT') ? 'maint' : server.adminFlags.includes('FDRAIN') ? 'drain' : 'ready';
}

/**
 * Shows the exact command, waits for the operator's yes, journals the intent (a journal that
 * cannot be written stops here, before anything is sent), reads the target on every instance (one
 * that does not answer, or lacks the server, stops here too), then sends the command instance by
 * instance and journals each reply. When an instance fails midway, the instances already changed
 * are put back to the state they had, each journaled, and the error says what happened where.
 * Throws {@link Cancelled} on no.
 */
export async function changeState(context: RunbookContext, io: RunbookIo, step: StepId, change: Change, why: string): Promise<ChangeOutcome> {
	const command = change.kind === 'state' ? commands.setServerState(context.target, change.state) : commands.shutdownSessions(context.target);
	const yes = await io.ask({kind: 'command', id: `${step}:${command}`, command, why, sockets: context.clients.map((client) => client.socket)});
	if (!yes) {
		throw new Cancelled();
	}

	context.journal.append({step, event: 'command', command, detail: why});
	const before = new Map<string, ServerAdminState>();
	for (const view of await readTarget(context, io.signal)) {
		if (!view.server) {
			throw new RuntimeApiError('haproxy-error', view.socket, `HAProxy at ${view.socket} no longer has ${formatTarget(context.target)}; nothing was changed on any instance.`);
		}

		before.set(view.socket, adminStateOf(view.server));
	}

	const replies: ChangeOutcome['replies'] = [];
	const changed: Array<RunbookContext['clients'][number]> = [];
	for (const client of context.clients) {
		try {
			const outcome = change.kind === 'state' ? await client.setServerState(context.target, change.state) : await client.shutdownSessions(context.target);
			replies.push({socket: client.socket, ok: true, reply: outcome.reply});
			context.journal.append({step, event: 'reply', command, socket: client.socket, ok: true, reply: outcome.reply});
			changed.push(client);
		} catch (error) {
			const reply = error instanceof RuntimeApiError ? (error.reply ?? error.message) : String(error);
			context.journal.append({step, event: 'reply', command, socket: client.socket, ok: false, reply});
			if (change.kind === 'state' && changed.length > 0) {
				const rolledBack = await rollBack(context, step, {command, failed: client.socket, error, changed: changed.map((one) => ({client: one, state: before.get(one.socket) ?? 'ready'}))});
				if (rolledBack.stuck > 0 && change.state === 'drain') {
					// Drained where it could not be put back: whoever runs this must hear it is drained.
					io.dispatch({type: 'drain-changed', drained: true});
				}

				throw rolledBack;
			}

			throw error;
		}
	}

	return {command, replies};
}

type RollBack = {
	command: string;
	failed: string;
	error: unknown;
	changed: Array<{client: RunbookContext['clients'][number]; state: ServerAdminState}>;
};

/** A change that failed on one instance after others took it; says, per instance, where things stand. */
export class PartialChangeError extends RuntimeApiError {
	/** How many instances could not be put back (they keep the change). */
	readonly stuck: number;

	constructor(socket: string, sentence: string, cause: unknown, stuck: number) {
		const kind = cause instanceof RuntimeApiError ? cause.kind : 'haproxy-error';
		super(kind, socket, sentence, {cause});
		this.name = 'PartialChangeError';
		this.stuck = stuck;
	}
}

/** Puts each changed instance back (latest first), journals each, and builds the error to report. */
async function rollBack(context: RunbookContext, step: StepId, what: RollBack): Promise<PartialChangeError> {
	const back: string[] = [];
	const stuck: string[] = [];
	for (const {client, state} of [...what.changed].reverse()) {
		const command = commands.setServerState(context.target, state);
		try {
			const outcome = await client.setServerState(context.target, state);
			back.push(`${client.socket} put back to ${state}`);
			journalQuietly(context, {step, event: 'rollback', command, socket: client.socket, ok: true, reply: outcome.reply, detail: `undoing "${what.command}" after ${what.failed} failed`});
		} catch (error) {
			stuck.push(`${client.socket} could NOT be put back to ${state} (${sentenceOf(error)})`);
			journalQuietly(context, {step, event: 'rollback', command, socket: client.socket, ok: false, reply: sentenceOf(error), detail: `undoing "${what.command}" after ${what.failed} failed`});
		}
	}

	const cause = sentenceOf(what.error).replace(/\.$/, '');
	const outcome =
		stuck.length === 0
			? `${back.join(', ')}: no instance is changed.`
			: `${[...back, ...stuck].join('; ')}. Check ${formatTarget(context.target)} with drainboard status and set it right by hand.`;
	return new PartialChangeError(what.failed, `"${what.command}" failed on ${what.failed}: ${cause}. ${outcome}`, what.error, stuck.length);
}

/** A rollback is journaled when possible; it happens whether or not the journal can take it. */
function journalQuietly(context: RunbookContext, record: Parameters<RunbookContext['journal']['append']>[0]): void {
	try {
		context.journal.append(record);
	} catch {
		// The rollback itself matters more than its record; the error sentence reports it.
	}
}

export function targetLabel(context: RunbookContext): string {
	return formatTarget(context.target);
}
