import {parseEndpoint, type Endpoint} from '../runtime/endpoint.js';
import {defaultSocketPath, type LoadedConfig} from './load-config.js';
import {defaultStatsSocket} from './stats-socket.js';

/** Which sockets to talk to, and where that choice came from (for messages). */
export type SocketChoice = {endpoints: Endpoint[]; source: 'flag' | 'config' | 'default'};

/**
 * `--socket` values when given; else the admin `stats socket` of the configuration; else
 * /run/haproxy/admin.sock.
 */
export function resolveSockets(socketFlags: readonly string[], config: LoadedConfig): SocketChoice {
	if (socketFlags.length > 0) {
		const endpoints = socketFlags.map((spec) => parseEndpoint(spec));
		const unique = endpoints.filter((endpoint, index) => endpoints.findIndex((other) => other.label === endpoint.label) === index);
		return {endpoints: unique, source: 'flag'};
	}

	const fromConfig = config.sections ? defaultStatsSocket(config.sections) : undefined;
	if (fromConfig) {
		return {endpoints: [fromConfig.endpoint], source: 'config'};
	}

	return {endpoints: [parseEndpoint(defaultSocketPath)], source: 'default'};
}
