import {UsageError} from '../errors.js';
import type {Options} from '../options.js';
import {createRuntimeClient, type RuntimeClient} from './client.js';
import {parseMasterEndpoint} from '../runtime/endpoint.js';
import {discoverWorkers} from '../runtime/master.js';
import {createWorkerClient} from './worker-client.js';
import {resolveSockets} from '../config/resolve-sockets.js';
import {checkConfigFlag} from '../config/load-config.js';

/** A Runtime API client per instance, and what the operator should read about how they were found. */
type Clients = {clients: RuntimeClient[]; notes: string[]};

/**
 * Makes a client per instance: each --socket, and each current worker of --master; with neither,
 * the admin stats socket of the configuration the running HAProxy loaded (see findDefaultSocket).
 * A --config that is not HAProxy's configuration stops it first (exit 2): nothing is asked of HAProxy.
 */
export async function clientsFor(options: Options): Promise<Clients> {
	if (options.config !== undefined) {
		await checkConfigFlag(options.config);
	}

	const timeoutMs = options.timeout * 1000;
	const clients: RuntimeClient[] = [];
	const notes: string[] = [];
	if (options.master === undefined || options.socket.length > 0) {
		const choice = await resolveSockets(options.socket, options.config);
		clients.push(...choice.endpoints.map((endpoint) => createRuntimeClient(endpoint, {timeoutMs})));
		if (choice.note) {
			notes.push(choice.note);
		}
	}

	if (options.master !== undefined) {
		const master = parseMasterEndpoint(options.master);
		const workers = await discoverWorkers(master, {timeoutMs});
		clients.push(...workers.list.workers.map((worker, index) => createWorkerClient(master, index + 1, worker.pid, {timeoutMs})));
		notes.push(workers.found);
	}

	await refuseSameProcess(clients);
	return {clients, notes};
}

/**
 * Two sockets of one HAProxy process (its UNIX socket and its TCP one, a symlink, a worker given
 * by --socket and by --master) would count it as two instances: every traffic count twice, "on
 * both instances" said of one. Refused before anything is sent (exit 2). The process is the same
 * when `show info` gives the same node, pid and start time (before HAProxy 2.4, which has no
 * start time: node and pid). A socket that does not answer here is left to the command's own read.
 */
async function refuseSameProcess(clients: readonly RuntimeClient[]): Promise<void> {
	if (clients.length < 2) {
		return;
	}

	const infos = await Promise.all(clients.map(async (client) => client.info().catch(() => null)));
	const seen = new Map<string, string>();
	for (const [index, info] of infos.entries()) {
		if (info === null) {
			continue;
		}

		const key = `${info.node ?? ''}\n${info.pid}\n${info.startTime ?? ''}`;
		const socket = clients[index]!.socket;
		const first = seen.get(key);
		if (first !== undefined) {
			throw new UsageError(`${first} and ${socket} reach the same HAProxy process (pid ${info.pid}), which would count it twice: give one of them.`);
		}

		seen.set(key, socket);
	}
}
