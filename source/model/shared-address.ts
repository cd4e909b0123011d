import {trackersOf} from './capacity.js';
import {isServing} from './server-condition.js';
import type {InstanceSnapshot, Server} from './types.js';

type Named = {backend: string; server: string};

/** No address to share: a server not resolved yet (0.0.0.0, ::) or without a port of its own (it takes the client's). */
const unshared = (server: Server) => server.port === null || server.address === '' || server.address === '0.0.0.0' || server.address === '::';

/**
 * The servers of any backend at the target's own address and port that stay in rotation while
 * the maintenance's servers (`leaving`, the target among them) are drained: the same service on
 * the same machine, which the work on the target stops for them too. Servers that track one of
 * those leaving are drained with it, so they are not named.
 */
export function servingAtSameAddress(snapshot: InstanceSnapshot, target: Named, leaving: readonly Named[]): Server[] {
	const all = snapshot.backends.flatMap((backend) => backend.servers);
	const self = all.find((server) => server.backend === target.backend && server.server === target.server);
	if (!self || unshared(self)) {
		return [];
	}

	const key = (server: Named) => `${server.backend}/${server.server}`;
	const gone = new Set([...leaving, target, ...trackersOf(snapshot, leaving.length > 0 ? leaving : [target])].map(key));
	return all.filter((server) => !gone.has(key(server)) && server.address === self.address && server.port === self.port && isServing(server));
}
