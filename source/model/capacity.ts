import {visible} from '../visible-text.js';
import {drainSet, failingChecks, inMaintenance, isRunning, isServing, staysServing} from './server-condition.js';
import type {InstanceSnapshot, Server} from './types.js';

/** A server that leaves rotation: a target of the maintenance. */
type Leaving = {backend: string; server: string};

/** One backend of one instance once the targets (and the servers that track them) have left. */
export type BackendCapacity = {
	backend: string;
	/** Servers that track a target (directly or through other trackers) and leave rotation with it. */
	trackers: Server[];
	/** Active servers that stay and serve, their checks passing. */
	staying: Server[];
	/** Active servers that stay in rotation but fail their health checks (`UP n/m`, going down). */
	failing: Server[];
	/** No active server would be left serving. */
	emptied: boolean;
};

const key = (backend: string, server: string) => `${backend}/${server}`;

/**
 * The servers that leave rotation with the given ones: HAProxy passes a drain on to every server
 * that `track`s it (IDRAIN), and on from those to theirs (show stat's `tracked` names the server
 * each one tracks).
 */
export function trackersOf(snapshot: InstanceSnapshot, leaving: readonly Leaving[]): Server[] {
	const gone = new Set(leaving.map((server) => key(server.backend, server.server)));
	const all = snapshot.backends.flatMap((backend) => backend.servers);
	const found: Server[] = [];
	// Each pass that goes on adds a server: at most one pass per server.
	for (let pass = 0; pass <= all.length; pass++) {
		const added = all.filter((server) => server.tracked !== null && !gone.has(key(server.backend, server.server)) && gone.has(server.tracked));
		if (added.length === 0) {
			break;
		}

		for (const server of added) {
			gone.add(key(server.backend, server.server));
			found.push(server);
		}
	}

	return found;
}

/**
 * The backends a drain of the target takes servers from: its own, then those of the servers that
 * track it (directly or on), in the order found. Needs a snapshot with those backends (a whole one
 * when any server tracks the target).
 */
export function backendsOfDrain(snapshot: InstanceSnapshot, target: Leaving): string[] {
	return [...new Set([target.backend, ...trackersOf(snapshot, [target]).map((server) => server.backend)])];
}

/** Would take traffic but for a drain it inherits: what a tracker loses when its tracked server is drained (now or just before). */
const servesButForTracking = (server: Server) => isServing(server) || (isRunning(server) && !inMaintenance(server) && !drainSet(server) && server.userWeight > 0);

/**
 * Capacity once the given servers leave together, on one instance (its whole snapshot): every
 * backend of a target, and every backend where a server tracking one of them serves (it is
 * drained with it). A server that tracks a target leaves with it; one failing its checks does
 * not count as staying.
 */
export function capacityAfter(snapshot: InstanceSnapshot, leaving: readonly Leaving[]): BackendCapacity[] {
	const trackers = trackersOf(snapshot, leaving);
	const gone = new Set([...leaving.map((server) => key(server.backend, server.server)), ...trackers.map((server) => key(server.backend, server.server))]);
	const names = new Set(leaving.map((server) => server.backend));
	for (const tracker of trackers.filter(servesButForTracking)) {
		names.add(tracker.backend);
	}

	return [...names].map((name) => {
		const servers = snapshot.backends.find((backend) => backend.name === name)?.servers ?? [];
		const rest = servers.filter((server) => !gone.has(key(server.backend, server.server)) && !server.backup);
		const staying = rest.filter(staysServing);
		return {
			backend: name,
			trackers: trackers.filter((server) => server.backend === name),
			staying,
			failing: rest.filter((server) => isServing(server) && failingChecks(server)),
			emptied: staying.length === 0,
		};
	});
}

/** Why a backend is left with nothing serving, beyond the targets themselves: its trackers and failing servers named; empty when neither. */
export function emptiedReasons(capacity: BackendCapacity): string[] {
	return [
		...capacity.trackers.map((server) => `${key(server.backend, server.server)} tracks ${visible(server.tracked ?? '')} and leaves rotation with it`),
		...capacity.failing.map((server) => `${key(server.backend, server.server)} is failing its health checks (${visible(server.status)}, last check ${visible(server.checkStatus ?? '')}) and is going down`),
	];
}

/** What to do about a backend emptied by trackers or failing servers (see {@link emptiedReasons}). */
export function emptiedTodo(capacity: BackendCapacity): string {
	const todo: string[] = [];
	if (capacity.trackers.length > 0) {
		todo.push(`give ${capacity.backend} a server that does not track the target (or make ${capacity.trackers.map((server) => server.server).join(', ')} track another server or check itself)`);
	}

	if (capacity.failing.length > 0) {
		todo.push(`wait until ${capacity.failing.map((server) => server.server).join(', ')} ${capacity.failing.length === 1 ? 'passes its' : 'pass their'} health checks again, or fix ${capacity.failing.length === 1 ? 'it' : 'them'}`);
	}

	return todo.join(', and ');
}
