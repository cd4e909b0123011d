import {commands, type AgentAction, type ServerAdminState} from './commands.js';
import type {Endpoint} from './endpoint.js';
import type {Target} from './names.js';
import {errorLineOf, foreignProtocol, replyError} from './replies.js';
import {RuntimeApiError} from './runtime-error.js';
import {defaultTimeoutMs, sendLineBytes, sendLineStream, shortReplyBytes} from './transport.js';

/** The socket's privilege level, as `show cli level` reports it. */
export type CliLevel = 'admin' | 'operator' | 'user';

/** A state-changing command that HAProxy accepted, with the exact line and reply. */
export type CommandOutcome = {command: string; reply: string};

/** The commands of one HAProxy instance's Runtime API whose replies need no decoding. Each sends exactly one line. */
export type RuntimeCommands = {
	readonly endpoint: Endpoint;
	/** The socket label used in messages and output. */
	readonly socket: string;
	cliLevel(signal?: AbortSignal): Promise<CliLevel>;
	setServerState(target: Target, state: ServerAdminState): Promise<CommandOutcome>;
	shutdownSessions(target: Target): Promise<CommandOutcome>;
	/** `disable agent B/S` / `enable agent B/S`. */
	agentCheck(target: Target, action: AgentAction): Promise<CommandOutcome>;
};

/** One HAProxy instance's Runtime API: lines sent and replies received, undecoded. */
type RuntimeConnection = RuntimeCommands & {
	/** Sends a line; resolves to the whole reply. `maxReplyBytes` caps a reply of a few lines far below a dump's cap. */
	request(line: string, signal?: AbortSignal, maxReplyBytes?: number): Promise<Buffer>;
	/** Sends a line and hands each chunk of the reply to `onChunk` as it arrives; what `onChunk` throws ends the exchange. */
	stream(line: string, onChunk: (chunk: Buffer) => void, signal?: AbortSignal): Promise<void>;
};

export type ClientOptions = {
	timeoutMs?: number;
	/** Called with each command line and the size of HAProxy's reply (for measurements). */
	onExchange?: (line: string, replyBytes: number) => void;
};

/** The error for a reply that cannot be read: `detail` says what was wrong with it. */
export function unreadableReply(socket: string, command: string, detail: string, cause?: unknown): RuntimeApiError {
	return new RuntimeApiError('bad-reply', socket, `HAProxy at ${socket} sent an unreadable reply to "${command}": ${detail}.`, cause === undefined ? undefined : {cause});
}

export function createConnection(endpoint: Endpoint, options: ClientOptions = {}): RuntimeConnection {
	const socket = endpoint.label;
	const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
	const request = async (line: string, signal?: AbortSignal, maxReplyBytes?: number) => {
		const reply = await sendLineBytes(endpoint, line, {timeoutMs, signal, maxReplyBytes});
		options.onExchange?.(line, reply.length);
		const foreign = foreignProtocol(socket, reply);
		if (foreign) {
			throw foreign;
		}

		return reply;
	};

	/** A command whose whole answer is a few lines. */
	const sendShort = async (line: string, signal?: AbortSignal) => (await request(line, signal, shortReplyBytes)).toString('utf8');

	const change = async (command: string): Promise<CommandOutcome> => {
		const reply = await sendShort(command);
		if (reply === '') {
			// HAProxy ends every reply with an empty line: a connection closed on nothing lost it.
			throw new RuntimeApiError('bad-reply', socket, `HAProxy at ${socket} closed the connection without answering "${command}".`);
		}

		if (reply.trim() !== '') {
			const line = errorLineOf(reply) ?? reply.trim().split('\n', 1)[0] ?? '';
			throw replyError(socket, command, line);
		}

		return {command, reply};
	};

	return {
		endpoint,
		socket,
		request,
		async stream(line, onChunk, signal) {
			let bytes = 0;
			try {
				await sendLineStream(
					endpoint,
					line,
					(chunk) => {
						const foreign = bytes === 0 ? foreignProtocol(socket, chunk) : undefined;
						if (foreign) {
							throw foreign;
						}

						bytes += chunk.length;
						onChunk(chunk);
					},
					{timeoutMs, signal},
				);
			} finally {
				options.onExchange?.(line, bytes);
			}
		},
		async cliLevel(signal) {
			const reply = await sendShort(commands.showCliLevel(), signal);
			const level = reply.trim();
			if (level === 'admin' || level === 'operator' || level === 'user') {
				return level;
			}

			if (!level.startsWith('Unknown command')) {
				throw unreadableReply(socket, 'show cli level', level.slice(0, 60));
			}

			const probe = (await sendShort(commands.adminProbe(), signal)).trim();
			return probe === 'Permission denied' ? 'operator' : 'admin';
		},
		async setServerState(target, state) {
			return change(commands.setServerState(target, state));
		},
		async shutdownSessions(target) {
			return change(commands.shutdownSessions(target));
		},
		async agentCheck(target, action) {
			return change(commands.agentCheck(target, action));
		},
	};
}
