import type {Options} from '../options.js';
import {createRuntimeClient, type RuntimeClient} from '../runtime/client.js';
import {parseMasterEndpoint, type Endpoint} from '../runtime/endpoint.js';
import {discoverWorkers} from '../runtime/master.js';
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
	const endpoints: Endpoint[] = [];
	const notes: string[] = [];
	if (options.master === undefined || options.socket.length > 0) {
		endpoints.push(...resolveSockets(options.socket, config).endpoints);
	}

	if (options.master !== undefined) {
		const workers = await discoverWorkers(parseMasterEndpoint(options.master), {timeoutMs});
		endpoints.push(...workers.endpoints);
		notes.push(workers.found);
	}

	return {config, clients: endpoints.map((endpoint) => createRuntimeClient(endpoint, {timeoutMs})), notes};
}
