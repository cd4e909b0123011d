import {sentenceOf} from '../errors.js';
import type {RuntimeClient} from '../poll/client.js';
import {formatTarget} from '../runtime/names.js';
import {RuntimeApiError, type RuntimeErrorKind} from '../runtime/runtime-error.js';
import {formatSeconds} from '../runtime/transport.js';
import {commandLine, sendCommand, showsApplied, type InstanceCommand} from './change-plan.js';
import type {RunbookContext} from './context.js';
import {statusCommand} from './come-back.js';

/** What HAProxy shows after a command whose reply did not come back as success. */
type ReadBack = {
	/** True: the change is in place; false: it is not; undefined: nobody can tell (read failed). */
	applied: boolean | undefined;
	/** The operator's sentence: what HAProxy says now, or the original error when nothing was sent. */
	sentence: string;
	/** A read-back was made (false when the command provably never reached HAProxy). */
	readBack: boolean;
};

/** Failures that prove the command never reached HAProxy: nothing to read back. */
const neverSent = new Set<RuntimeErrorKind>(['socket-not-found', 'not-a-socket', 'connection-refused', 'permission-denied', 'line-rejected', 'worker-gone']);
/** HAProxy answered, with an error: the answer says it was not applied, and a read-back confirms it. */
const refused = new Set<RuntimeErrorKind>(['haproxy-error', 'not-admin', 'unknown-command']);

/**
 * After a state change failed or timed out, reads the target again on a fresh connection and
 * says what HAProxy shows: applied, not applied, or unknown (with how to check).
 */
export async function readBackAfterFailure(context: RunbookContext, client: RuntimeClient, command: InstanceCommand, error: unknown, waitedMs: number, signal?: AbortSignal): Promise<ReadBack> {
	const kind = error instanceof RuntimeApiError ? error.kind : undefined;
	if (kind !== undefined && neverSent.has(kind)) {
		return {applied: false, sentence: sentenceOf(error), readBack: false};
	}

	const line = commandLine(context.target, command);
	const label = formatTarget(context.target);
	const at = context.clients.length > 1 ? ` on ${client.socket}` : '';
	const how = lostHow(error, waitedMs);
	const [subject, predicate] = wording(label, command);
	let applied: boolean | undefined;
	try {
		const snapshot = await client.snapshot(context.target.backend, signal);
		const server = snapshot.backends.find((backend) => backend.name === context.target.backend)?.servers.find((candidate) => candidate.server === context.target.server);
		applied = server ? showsApplied(server, command) : undefined;
		if (!server) {
			return {applied: undefined, readBack: true, sentence: `The state of ${label}${at} is unknown: the reply to "${line}" was lost (${how}) and HAProxy no longer lists the server; check it with "${statusCommand(context)}".`};
		}
	} catch (readError) {
		return {
			applied: undefined,
			readBack: true,
			sentence: `The state of ${label}${at} is unknown: the reply to "${line}" was lost (${how}) and reading it back failed too (${sentenceOf(readError).replace(/\.$/, '')}); check it with "${statusCommand(context)}" before anything else.`,
		};
	}

	if (applied === undefined) {
		return {applied, readBack: true, sentence: `The reply to "${line}"${at} was lost (${how}); whether HAProxy did it cannot be read back, and the next check looks again.`};
	}

	if (kind !== undefined && refused.has(kind)) {
		return applied
			? {applied, readBack: true, sentence: `${capital(subject)} IS ${predicate}${at}: HAProxy answered with an error (${sentenceOf(error).replace(/\.$/, '')}), but a read-back on a fresh connection shows the change in place.`}
			: {applied, readBack: true, sentence: sentenceOf(error)};
	}

	return applied
		? {applied, readBack: true, sentence: `${capital(subject)} IS ${predicate}${at}: the reply to "${line}" was lost (${how}), but a read-back on a fresh connection shows the change was applied.`}
		: {applied, readBack: true, sentence: `${capital(subject)} is NOT ${predicate}${at}: the reply to "${line}" was lost (${how}), and a read-back on a fresh connection shows HAProxy did not apply it.`};
}

function wording(label: string, command: InstanceCommand): [string, string] {
	if (command.kind === 'agent') {
		return [`the agent-check of ${label}`, command.action === 'disable' ? 'disabled' : 'enabled'];
	}

	if (command.kind === 'shutdown-sessions') {
		return [label, 'without sessions'];
	}

	return [label, command.state === 'drain' ? 'drained' : command.state === 'maint' ? 'in maintenance' : 'back in rotation (ready)'];
}

/** How the reply was lost, with the time really waited. */
function lostHow(error: unknown, waitedMs: number): string {
	const kind = error instanceof RuntimeApiError ? error.kind : undefined;
	switch (kind) {
		case 'timed-out': {
			return `no answer in ${formatSeconds(waitedMs)}`;
		}

		case 'bad-reply': {
			return `after ${formatSeconds(waitedMs)} the connection ended without a proper answer`;
		}

		case 'reply-too-large': {
			return 'the answer was too large to read';
		}

		case 'aborted': {
			return 'the request was cancelled';
		}

		default: {
			const code = error instanceof Error && error.cause instanceof Error ? ((error.cause as NodeJS.ErrnoException).code ?? error.cause.message) : sentenceOf(error).replace(/\.$/, '');
			return `the connection broke after ${formatSeconds(waitedMs)}: ${code}`;
		}
	}
}

/** A sentence's first word, capitalized when it is one of drainboard's own (`the agent-check of …`); a name stays as HAProxy spells it. */
const capital = (text: string) => (text.startsWith('the ') ? `The ${text.slice(4)}` : text);

/**
 * Sends a command that puts back what this run changed (a rollback), and when its reply does not
 * come back as success, reads the target back as {@link readBackAfterFailure} does: a put-back
 * HAProxy applied is one, whatever happened to its reply. `note`: the read-back's sentence then.
 */
export async function sendPutBack(
	context: RunbookContext,
	client: RuntimeClient,
	command: InstanceCommand,
	signal?: AbortSignal,
): Promise<{applied: true; reply: string; note?: string} | {applied: false; sentence: string}> {
	const started = Date.now();
	try {
		const outcome = await sendCommand(client, context.target, command);
		return {applied: true, reply: outcome.reply};
	} catch (error) {
		const read = await readBackAfterFailure(context, client, command, error, Date.now() - started, signal);
		return read.applied === true ? {applied: true, reply: '(lost; read back applied)', note: read.sentence} : {applied: false, sentence: read.sentence};
	}
}
