import {DecodeError} from '../decode/decode-error.js';
import {decodeInfo, type InstanceInfo} from '../decode/info.js';
import {decodeServersState, type ServerStateRecord} from '../decode/servers-state.js';
import {decodeStat, type StatRecord} from '../decode/stat.js';
import {buildInstanceSnapshot, toInstance} from '../model/build-snapshot.js';
import type {InstanceSnapshot} from '../model/types.js';
import {commands, type ServerAdminState} from './commands.js';
import type {Endpoint} from './endpoint.js';
import type {ProxyName, Target} from './names.js';
import {errorLineOf, replyError, splitReplies} from './replies.js';
import {RuntimeApiError} from './runtime-error.js';
import {defaultTimeoutMs, sendLine} from './transport.js';

/** The socket's privilege level, as `show cli level` reports it. */
export type CliLevel = 'admin' | 'operator' | 'user';

/** A state-changing command that HAProxy accepted, with the exact line and reply. */
export type CommandOutcome = {command: string; reply: string};

/** One HAProxy instance's Runtime API, typed. Every method sends exactly one line. */
export type RuntimeClient = {
	readonly endpoint: Endpoint;
	/** The socket label used in messages and output. */
	readonly socket: string;
	info(signal?: AbortSignal): Promise<InstanceInfo>;
	serversState(backend?: ProxyName, signal?: AbortSignal): Promise<ServerStateRecord[]>;
	stat(backend?: ProxyName, signal?: AbortSignal): Promise<StatRecord[]>;
	/** `show info`, `show servers state` and `show stat` in one line: one consistent poll. */
	snapshot(backend?: ProxyName, signal?: AbortSignal): Promise<InstanceSnapshot>;
	cliLevel(signal?: AbortSignal): Promise<CliLevel>;
	setServerState(target: Target, state: ServerAdminState): Promise<CommandOutcome>;
	shutdownSessions(target: Target): Promise<CommandOutcome>;
};

export type ClientOptions = {timeoutMs?: number};

export function createRuntimeClient(endpoint: Endpoint, options: ClientOptions = {}): RuntimeClient {
	const socket = endpoint.label;
	const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
	const send = async (line: string, signal?: AbortSignal) => sendLine(endpoint, line, {timeoutMs, signal});

	const decoded = <T>(command: string, reply: string, decode: (reply: string) => T): T => {
		const error = errorLineOf(reply);
		if (error !== undefined) {
			throw replyError(socket, command, error);
		}

		try {
			return decode(reply);
		} catch (error_) {
			if (error_ instanceof DecodeError) {
				throw new RuntimeApiError('bad-reply', socket, `HAProxy at ${socket} sent an unreadable reply to "${command}": ${error_.detail}.`, {cause: error_});
			}

			throw error_;
		}
	};

	const change = async (command: string): Promise<CommandOutcome> => {
		const reply = await send(command);
		if (reply.trim() !== '') {
			const line = errorLineOf(reply) ?? reply.trim().split('\n', 1)[0] ?? '';
			throw replyError(socket, command, line);
		}

		return {command, reply};
	};

	return {
		endpoint,
		socket,
		async info(signal) {
			const command = commands.showInfo();
			return decoded(command, await send(command, signal), decodeInfo);
		},
		async serversState(backend, signal) {
			const command = commands.showServersState(backend);
			return decoded(command, await send(command, signal), decodeServersState);
		},
		async stat(backend, signal) {
			const command = commands.showStat(backend);
			return decoded(command, await send(command, signal), (reply) => decodeStat(reply, {kinds: ['backend', 'server']}));
		},
		async snapshot(backend, signal) {
			const parts = [commands.showInfo(), commands.showServersState(backend), commands.showStat(backend)] as const;
			const reply = await send(parts.join(';'), signal);
			const replies = splitReplies(reply, parts.length);
			if (!replies) {
				const error = errorLineOf(reply);
				if (error !== undefined) {
					throw replyError(socket, parts[0], error);
				}

				throw new RuntimeApiError('bad-reply', socket, `HAProxy at ${socket} sent an unreadable reply to "${parts.join(';')}": fewer replies than commands (truncated).`);
			}

			const info = decoded(parts[0], replies[0]!, decodeInfo);
			const states = decoded(parts[1], replies[1]!, decodeServersState);
			const stats = decoded(parts[2], replies[2]!, (text) => decodeStat(text, {kinds: ['backend', 'server']}));
			return buildInstanceSnapshot(toInstance(socket, info), states, stats);
		},
		async cliLevel(signal) {
			const reply = await send(commands.showCliLevel(), signal);
			const level = reply.trim();
			if (level === 'admin' || level === 'operator' || level === 'user') {
				return level;
			}

			if (!level.startsWith('Unknown command')) {
				throw new RuntimeApiError('bad-reply', socket, `HAProxy at ${socket} sent an unreadable reply to "show cli level": ${level.slice(0, 60)}.`);
			}

			const probe = (await send(commands.adminProbe(), signal)).trim();
			return probe === 'Permission denied' ? 'operator' : 'admin';
		},
		async setServerState(target, state) {
			return change(commands.setServerState(target, state));
		},
		async shutdownSessions(target) {
			return change(commands.shutdownSessions(target));
		},
	};
}
