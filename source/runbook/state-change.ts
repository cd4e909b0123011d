import {RuntimeApiError} from '../runtime/runtime-error.js';
import {commands, type ServerAdminState} from '../runtime/commands.js';
import {formatTarget} from '../runtime/names.js';
import type {RunbookContext, RunbookIo} from './context.js';
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

/**
 * Shows the exact command, waits for the operator's yes, journals the intent (a journal that
 * cannot be written stops here, before anything is sent), then sends it to each instance and
 * journals each reply. Throws {@link Cancelled} on no.
 */
export async function changeState(context: RunbookContext, io: RunbookIo, step: StepId, change: Change, why: string): Promise<ChangeOutcome> {
	const command = change.kind === 'state' ? commands.setServerState(context.target, change.state) : commands.shutdownSessions(context.target);
	const yes = await io.ask({kind: 'command', id: `${step}:${command}`, command, why, sockets: context.clients.map((client) => client.socket)});
	if (!yes) {
		throw new Cancelled();
	}

	context.journal.append({step, event: 'command', command, detail: why});
	const replies: ChangeOutcome['replies'] = [];
	for (const client of context.clients) {
		try {
			const outcome = change.kind === 'state' ? await client.setServerState(context.target, change.state) : await client.shutdownSessions(context.target);
			replies.push({socket: client.socket, ok: true, reply: outcome.reply});
			context.journal.append({step, event: 'reply', command, socket: client.socket, ok: true, reply: outcome.reply});
		} catch (error) {
			const reply = error instanceof RuntimeApiError ? (error.reply ?? error.message) : String(error);
			context.journal.append({step, event: 'reply', command, socket: client.socket, ok: false, reply});
			throw error;
		}
	}

	return {command, replies};
}

export function targetLabel(context: RunbookContext): string {
	return formatTarget(context.target);
}
