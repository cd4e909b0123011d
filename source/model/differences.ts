import {adminWords} from './describe.js';
import type {PoolSnapshot, Server} from './types.js';

/** A server whose admin state is not the same on every instance. */
type Difference = {name: string; states: Array<{socket: string; state: string}>};

/** The admin state in words (`drain`, `maint`, `ready`), as compared between instances. */
function adminStateWords(server: Server | undefined): string {
	if (!server) {
		return 'missing';
	}

	const words = adminWords(server);
	return words.length > 0 ? words.join('+') : 'ready';
}

/**
 * The servers (`backend/server`) whose admin state differs between instances, or which some
 * instance lacks: drained on one load balancer and in rotation on the other is half a
 * maintenance. Empty with one instance.
 */
export function differingServers(pool: PoolSnapshot | null): Map<string, Difference> {
	const differences = new Map<string, Difference>();
	if (!pool || pool.instances.length < 2) {
		return differences;
	}

	const byInstance = pool.instances.map((snapshot) => {
		const servers = new Map<string, Server>();
		for (const backend of snapshot.backends) {
			for (const server of backend.servers) {
				servers.set(`${backend.name}/${server.server}`, server);
			}
		}

		return {socket: snapshot.instance.socket, servers};
	});
	const names = new Set(byInstance.flatMap(({servers}) => [...servers.keys()]));
	for (const name of names) {
		const states = byInstance.map(({socket, servers}) => ({socket, state: adminStateWords(servers.get(name))}));
		if (states.some((entry) => entry.state !== states[0]!.state)) {
			differences.set(name, {name, states});
		}
	}

	return differences;
}

/** Whether the instances disagree on one server: what the wizard asks of its target, every render. */
export function serverDiffers(pool: PoolSnapshot | null, backend: string, server: string): boolean {
	if (!pool || pool.instances.length < 2) {
		return false;
	}

	const states = pool.instances.map((snapshot) => adminStateWords(snapshot.backends.find((candidate) => candidate.name === backend)?.servers.find((candidate) => candidate.server === server)));
	return states.some((state) => state !== states[0]);
}

/** `≠ webapps/app01 differs between instances: drain on /a.sock, ready on /b.sock`. */
export function differenceText(difference: Difference): string {
	return `≠ ${difference.name} differs between instances: ${difference.states.map((entry) => `${entry.state} on ${entry.socket}`).join(', ')}`;
}

/** The first difference in words, and how many more there are. */
export function describeDifferences(differences: ReadonlyMap<string, Difference>): string | null {
	const [first] = differences.values();
	if (!first) {
		return null;
	}

	return `${differenceText(first)}${differences.size > 1 ? ` (+${differences.size - 1} more)` : ''}`;
}
