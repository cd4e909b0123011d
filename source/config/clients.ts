import type {Options} from '../options.js';
import {createRuntimeClient, type RuntimeClient} from '../runtime/client.js';
import {defaultConfigPath, loadConfig, type LoadedConfig} from './load-config.js';
import {resolveSockets} from './resolve-sockets.js';

/** The configuration as read, and a Runtime API client per socket it leads to. */
export type Clients = {config: LoadedConfig; clients: RuntimeClient[]};

/** Reads --config (not fatal when unreadable) and makes the clients of --socket, or of its stats socket. */
export async function clientsFor(options: Options): Promise<Clients> {
	const config = await loadConfig(options.config ?? defaultConfigPath);
	const {endpoints} = resolveSockets(options.socket, config);
	return {config, clients: endpoints.map((endpoint) => createRuntimeClient(endpoint, {timeoutMs: options.timeout * 1000}))};
}
