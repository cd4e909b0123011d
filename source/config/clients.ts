import type {Options} from '../options.js';
import {createRuntimeClient, type RuntimeClient} from '../runtime/client.js';
import {parseMasterEndpoint} from '../runtime/endpoint.js';
import {discoverWorkers} from '../runtime/master.js';
import {createWorkerClient} from '../runtime/worker-client.js';
import {defaultConfigPath, loadConfig, type LoadedConfig} from './load-config.js';
import {resolveSockets} from './resolve-sockets.js';

/** The configuration as read, a Runtime API client per instance, and what the master CLI said. */
export type Clients = {config: LoadedConfig; clients: RuntimeClient[]; notes: string[]};

/**
 * Reads --config (not fatal when unreadable) and makes a client per instance: each --socket, and
 * each current worker of --master; with neither, the config's admin stats socket.
 */
export async function clientsFor(options: Options): Promise<Clients> {
	const config = await loadConfig(options.config ?? defaultConfigPath);
	const timeoutMs = options.timeout * 1000;
	const clients: RuntimeClient[] = [];
	const notes: string[] = [];
	if (options.master === undefined || options.socket.length > 0) {
		clients.push(...resolveSockets(options.socket, config).endpoints.map((endpoint) => createRuntimeClient(endpoint, {timeoutMs})));
	}

	if (options.master !== undefined) {
		const master = parseMasterEndpoint(options.master);
		const workers = await discoverWorkers(master, {timeoutMs});
		clients.push(...workers.list.workers.map((worker, index) => createWorkerClient(master, index + 1, worker.pid, {timeoutMs})));
		notes.push(workers.found);
	}

	return {config, clients, notes};
}
