import {setTimeout as delay} from 'node:timers/promises';
import {createRuntimeClient, type RuntimeClient} from './client.js';
import type {ClientOptions} from '../runtime/connection.js';
import {onWorker, type Endpoint} from '../runtime/endpoint.js';
import {discoverWorkers} from '../runtime/master.js';
import {RuntimeApiError} from '../runtime/runtime-error.js';

/** How long a read trusts that its worker is still the current one before asking `show proc` again. */
const recheckMs = 2000;

/**
 * The `ordinal`-th current worker of a master CLI, followed across reloads. After a reload the
 * master still forwards `@!<old pid>` to the old worker while it finishes its connections, so the
 * worker is checked against `show proc`: before every state change, and every 2 s for reads.
 * When it was replaced, reads go on with the new worker (whose `show info` has the new pid: the
 * wizard's reload alarm); a state change is refused with nothing sent, and the error says so.
 */
export function createWorkerClient(master: Endpoint, ordinal: number, pid: number, options: ClientOptions = {}): RuntimeClient {
	let inner = createRuntimeClient(onWorker(master, pid, ordinal), options);
	let checkedAt = Date.now();
	const socket = inner.socket;

	/** Asks the master which worker is current now; returns the pid it replaced, if it did. */
	const follow = async (): Promise<number | undefined> => {
		const {list} = await patiently(async () => discoverWorkers(master, {timeoutMs: options.timeoutMs}));
		checkedAt = Date.now();
		const current = list.workers[ordinal - 1];
		const was = inner.endpoint.worker;
		if (!current) {
			throw new RuntimeApiError('worker-gone', socket, `The master CLI ${master.label} no longer lists a worker ${ordinal}.`);
		}

		if (current.pid === was) {
			return undefined;
		}

		inner = createRuntimeClient(onWorker(master, current.pid, ordinal), options);
		return was;
	};

	const isGone = (error: unknown) => error instanceof RuntimeApiError && error.kind === 'worker-gone';
	// Nothing read, or nothing at all within the timeout: what a worker being replaced gives.
	const isUnreadable = (error: unknown) => error instanceof RuntimeApiError && (error.kind === 'bad-reply' || error.kind === 'timed-out');
	const read =
		<A extends unknown[], R>(call: (client: RuntimeClient, ...args: A) => Promise<R>) =>
		async (...args: A): Promise<R> => {
			if (Date.now() - checkedAt >= recheckMs) {
				await follow();
			}

			try {
				return await patiently(async () => call(inner, ...args));
			} catch (error) {
				// A worker that is being replaced may answer a forwarded read with nothing, or not at
				// all (seen on 3.4 right after a reload): if the master now lists another worker, read
				// from that one; else the error stands.
				if (!isGone(error) && !isUnreadable(error)) {
					throw error;
				}

				const replaced = await follow();
				if (!isGone(error) && replaced === undefined) {
					throw error;
				}

				return patiently(async () => call(inner, ...args));
			}
		};

	const change =
		<A extends unknown[], R>(call: (client: RuntimeClient, ...args: A) => Promise<R>) =>
		async (...args: A): Promise<R> => {
			const replaced = await follow();
			if (replaced !== undefined) {
				throw new RuntimeApiError(
					'worker-gone',
					socket,
					`HAProxy behind ${socket} was reloaded (worker pid ${replaced} → ${inner.endpoint.worker}) before the command was sent; nothing was sent. Check the server on the new worker, then retry.`,
				);
			}

			return patiently(async () => call(inner, ...args));
		};

	return {
		get endpoint() {
			return inner.endpoint;
		},
		socket,
		info: read(async (client, signal?: AbortSignal) => client.info(signal)),
		serversState: read(async (client, backend?: Parameters<RuntimeClient['serversState']>[0], signal?: AbortSignal) => client.serversState(backend, signal)),
		stat: read(async (client, backend?: Parameters<RuntimeClient['stat']>[0], signal?: AbortSignal) => client.stat(backend, signal)),
		snapshot: read(async (client, backend?: Parameters<RuntimeClient['snapshot']>[0], signal?: AbortSignal) => client.snapshot(backend, signal)),
		async streamServers(onServer, signal) {
			// A read is tried again only when it failed before any reply (refused, worker gone), but
			// servers already handed on cannot be taken back: a second attempt after them is refused.
			let handed = 0;
			return read(async (client, retrySignal?: AbortSignal) => {
				if (handed > 0) {
					throw new RuntimeApiError('bad-reply', socket, `HAProxy behind ${socket} stopped answering after ${handed} servers; nothing was written. Run the command again.`);
				}

				return client.streamServers((server) => {
					handed++;
					onServer(server);
				}, retrySignal);
			})(signal);
		},
		cliLevel: read(async (client, signal?: AbortSignal) => client.cliLevel(signal)),
		heldMap: read(async (client, name: Parameters<RuntimeClient['heldMap']>[0], signal?: AbortSignal) => client.heldMap(name, signal)),
		setServerState: change(async (client, target: Parameters<RuntimeClient['setServerState']>[0], state: Parameters<RuntimeClient['setServerState']>[1]) =>
			client.setServerState(target, state),
		),
		shutdownSessions: change(async (client, target: Parameters<RuntimeClient['shutdownSessions']>[0]) => client.shutdownSessions(target)),
		agentCheck: change(async (client, target: Parameters<RuntimeClient['agentCheck']>[0], action: Parameters<RuntimeClient['agentCheck']>[1]) => client.agentCheck(target, action)),
	};
}

/**
 * The master re-executes itself on a reload: its socket refuses connections for a moment
 * (~100 ms on 2.6). A refused connection carried nothing, so it is tried again, up to a second.
 */
async function patiently<R>(attempt: () => Promise<R>): Promise<R> {
	for (let retry = 0; ; retry++) {
		try {
			return await attempt();
		} catch (error) {
			const refused = error instanceof RuntimeApiError && (error.kind === 'connection-refused' || error.kind === 'socket-not-found');
			if (!refused || retry >= 4) {
				throw error;
			}

			await delay(250);
		}
	}
}
