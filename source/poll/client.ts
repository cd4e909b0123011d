import {DecodeError} from '../decode/decode-error.js';
import {feedInTurn, type DumpReader} from '../decode/dump-reader.js';
import {decodeInfo, infoReader, type InstanceInfo} from '../decode/info.js';
import {decodeMapEntries, type HeldMapEntry} from '../decode/map-entries.js';
import {decodeServersState, readServersState, serverStateAt, serversStateReader, type ServerStateRecord, type ServersStateTable} from '../decode/servers-state.js';
import {decodeStat, readStat, statAt, statReader, type StatRecord, type StatTable} from '../decode/stat.js';
import {buildInstanceSnapshot, serverStream, snapshotBuilder, toInstance} from '../model/build-snapshot.js';
import type {Instance, InstanceSnapshot, Server} from '../model/types.js';
import {commands} from '../runtime/commands.js';
import {createConnection, unreadableReply, type ClientOptions, type RuntimeCommands} from '../runtime/connection.js';
import type {Endpoint} from '../runtime/endpoint.js';
import type {MapName, ProxyName} from '../runtime/names.js';
import {errorLineOf, replyError, splitReplies} from '../runtime/replies.js';
import {shortReplyBytes} from '../runtime/transport.js';

/** One HAProxy instance's Runtime API, typed: its commands, and its reads decoded into the model. Every method sends exactly one line. */
export type RuntimeClient = RuntimeCommands & {
	info(signal?: AbortSignal): Promise<InstanceInfo>;
	serversState(backend?: ProxyName, signal?: AbortSignal): Promise<ServerStateRecord[]>;
	stat(backend?: ProxyName, signal?: AbortSignal): Promise<StatRecord[]>;
	/**
	 * `show info`, `show servers state` and `show stat` in one line: of one backend, or of all
	 * (then decoded, and the model built, as the reply arrives).
	 */
	snapshot(backend?: ProxyName, signal?: AbortSignal): Promise<InstanceSnapshot>;
	/**
	 * The same full read as {@link snapshot}, each server handed to `onServer` in order as soon as
	 * it is made, and kept by nobody here; resolves to the instance once the reply is complete.
	 */
	streamServers(onServer: (server: Server) => void, signal?: AbortSignal): Promise<Instance>;
	/** The entries of map `name` as HAProxy holds them now (`show map`); null when it has no map of that name. */
	heldMap(name: MapName, signal?: AbortSignal): Promise<HeldMapEntry[] | null>;
};

/** The most of a `show map` reply read: a map file at drainboard's cap, with the address HAProxy puts before each entry. */
const mapReplyBytes = 16 * 1024 * 1024;

export function createRuntimeClient(endpoint: Endpoint, options: ClientOptions = {}): RuntimeClient {
	const connection = createConnection(endpoint, options);
	const {socket} = connection;

	const decoded = <T>(command: string, reply: Buffer, decode: (reply: Buffer) => T): T => {
		const error = errorLineOf(reply);
		if (error !== undefined) {
			throw replyError(socket, command, error);
		}

		try {
			return decode(reply);
		} catch (error_) {
			if (error_ instanceof DecodeError) {
				throw unreadableReply(socket, command, error_.detail, error_);
			}

			throw error_;
		}
	};

	const fullSnapshotLine = [commands.showInfo(), commands.showServersState(), commands.showStat()].join(';');

	/** Streams a reply through readers; an error reply or garbage becomes the typed error. */
	const streamed = async (command: string, readers: ReadonlyArray<DumpReader<unknown>>, signal?: AbortSignal): Promise<void> => {
		let head: Buffer | undefined;
		const feed = feedInTurn(readers);
		try {
			await connection.stream(
				command,
				(chunk) => {
					head ??= chunk.subarray(0, 512);
					feed.push(chunk);
				},
				signal,
			);
			feed.finish();
		} catch (error) {
			if (error instanceof DecodeError) {
				const line = head ? errorLineOf(head) : undefined;
				if (line !== undefined) {
					throw replyError(socket, command, line);
				}

				throw unreadableReply(socket, command, error.detail, error);
			}

			throw error;
		}
	};

	return {
		endpoint: connection.endpoint,
		socket,
		cliLevel: connection.cliLevel,
		setServerState: connection.setServerState,
		shutdownSessions: connection.shutdownSessions,
		agentCheck: connection.agentCheck,
		async info(signal) {
			const command = commands.showInfo();
			return decoded(command, await connection.request(command, signal, shortReplyBytes), (reply) => decodeInfo(reply.toString('utf8')));
		},
		async serversState(backend, signal) {
			const command = commands.showServersState(backend);
			return decoded(command, await connection.request(command, signal), decodeServersState);
		},
		async stat(backend, signal) {
			const command = commands.showStat(backend);
			const records = decoded(command, await connection.request(command, signal), (reply) => decodeStat(reply, {kinds: ['backend', 'server']}));
			if (backend === undefined || records.some((record) => record.kind === 'backend' && record.proxy === backend)) {
				return records;
			}

			// A frontend of the same name answered (see commands.showStatOfId): ask by the backend's id.
			const statesCommand = commands.showServersState(backend);
			const [state] = decoded(statesCommand, await connection.request(statesCommand, signal), decodeServersState);
			if (state === undefined) {
				return records;
			}

			const byId = commands.showStatOfId(state.backendId);
			return decoded(byId, await connection.request(byId, signal), (reply) => decodeStat(reply, {kinds: ['backend', 'server']}));
		},
		async snapshot(backend, signal) {
			if (backend === undefined) {
				// One line, one HAProxy thread; the model is built while the rows arrive, on our side.
				const builder = snapshotBuilder(socket);
				const info = infoReader();
				const states = serversStateReader({onRow: (table, row) => builder.onState(table, row)});
				const stats = statReader({onRow: (table, row) => builder.onStat(table, row)});
				await streamed(fullSnapshotLine, [info, states, stats], signal);
				// The model holds strings and numbers read out of the tables, never the tables: they
				// are garbage once it is built.
				return builder.finish(toInstance(socket, info.finish()));
			}

			const parts = [commands.showInfo(), commands.showServersState(backend), commands.showStat(backend)] as const;
			const reply = await connection.request(parts.join(';'), signal);
			const replies = splitReplies(reply, parts.length);
			if (!replies) {
				const error = errorLineOf(reply);
				if (error !== undefined) {
					throw replyError(socket, parts[0], error);
				}

				throw unreadableReply(socket, parts.join(';'), 'fewer replies than commands (truncated)');
			}

			const info = decoded(parts[0], replies[0]!, (bytes) => decodeInfo(bytes.toString('utf8')));
			const states = decoded(parts[1], replies[1]!, readServersState);
			let stats = decoded(parts[2], replies[2]!, readStat);
			const backendId = sharedNameId(backend, states, stats);
			if (backendId !== undefined) {
				// A frontend of the same name answered `show stat <name>` (see commands.showStatOfId).
				const byId = commands.showStatOfId(backendId);
				stats = decoded(byId, await connection.request(byId, signal), readStat);
			}

			return buildInstanceSnapshot(toInstance(socket, info), states, stats);
		},
		async heldMap(name, signal) {
			const command = commands.showMap(name);
			// Bytes as they are (latin1): a map file is read the same way (map-file.ts).
			return decoded(command, await connection.request(command, signal, mapReplyBytes), (reply) => decodeMapEntries(reply.toString('latin1')));
		},
		async streamServers(onServer, signal) {
			const stream = serverStream(socket, onServer);
			const info = infoReader();
			const states = serversStateReader({onRow: (table, row) => stream.onState(table, row)});
			const stats = statReader({onRow: (table, row) => stream.onStat(table, row)});
			await streamed(fullSnapshotLine, [info, states, stats], signal);
			stream.finish();
			return toInstance(socket, info.finish());
		},
	};
}

/**
 * The backend's id when `show stat <name>` gave no row of that backend although `show servers
 * state <name>` has its servers: a frontend of the same name was picked. Undefined otherwise.
 */
function sharedNameId(backend: ProxyName, states: ServersStateTable, stats: StatTable): number | undefined {
	if (states.rows === 0) {
		return undefined;
	}

	for (let row = 0; row < stats.rows; row++) {
		const record = statAt(stats, row);
		if (record.kind === 'backend' && record.proxy === backend) {
			return undefined;
		}
	}

	return serverStateAt(states, 0).backendId;
}
