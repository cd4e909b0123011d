import {adminFlagsOf, opStateNames} from '../../source/decode/labels.js';
import type {PollView} from '../../source/poll/pool-poller.js';
import type {Backend, InstanceSnapshot, PoolSnapshot, Server} from '../../source/model/types.js';

/** A server as the model holds it; `overrides` set what a test cares about. */
export function makeServer(overrides: Partial<Server> & {backend: string; server: string}): Server {
	const opState = overrides.opState ?? 2;
	const adminState = overrides.adminState ?? 0;
	return {
		socket: '/run/haproxy/admin.sock',
		backendId: 3,
		serverId: 1,
		address: '10.0.0.1',
		port: 8080,
		opStateName: opStateNames[opState]!,
		adminFlags: adminFlagsOf(adminState),
		userWeight: 1,
		initialWeight: 1,
		status: 'UP',
		checkStatus: 'L7OK',
		checkConfigured: true,
		checkDisabled: false,
		checkDescription: 'Layer7 check passed',
		agentCheck: 'none',
		currentSessions: 0,
		totalSessions: 0,
		sessionLimit: null,
		requestsTotal: 0,
		lbTotal: 0,
		backup: false,
		tracked: null,
		secondsSinceChange: 60,
		changedAt: Date.now() - 60_000,
		...overrides,
		opState,
		adminState,
	};
}

export function makeBackend(name: string, servers: Server[], socket = '/run/haproxy/admin.sock'): Backend {
	return {socket, name, id: 3, mode: 'http', algorithm: 'roundrobin', servers};
}

export function makeInstance(backends: Backend[], socket = '/run/haproxy/admin.sock', pid = 4242): InstanceSnapshot {
	return {instance: {socket, pid, version: '2.6.12-1+deb12u4', startTime: 1_764_000_000, stopping: false}, backends};
}

export function makePool(instances: InstanceSnapshot[], takenAt = Date.now()): PoolSnapshot {
	return {instances, takenAt};
}

export function makeView(pool: PoolSnapshot | null, failing: Array<{socket: string; since: number; error: string}> = []): PollView {
	const sockets = pool ? pool.instances.map((snapshot) => snapshot.instance.socket) : failing.map((entry) => entry.socket);
	return {
		pool,
		cycles: 1,
		health: sockets.map((socket) => {
			const failure = failing.find((entry) => entry.socket === socket);
			return failure
				? {socket, ok: false, failingSince: failure.since, error: failure.error, lastSuccess: null}
				: {socket, ok: true, failingSince: null, error: null, lastSuccess: pool?.takenAt ?? null};
		}),
	};
}

/** A pool with `backends` × `servers` healthy servers. */
export function bigPool(backends: number, servers: number): PoolSnapshot {
	const list: Backend[] = [];
	for (let b = 0; b < backends; b++) {
		const name = `backend${String(b).padStart(3, '0')}`;
		list.push(
			makeBackend(
				name,
				Array.from({length: servers}, (_, s) => makeServer({backend: name, server: `srv${String(s).padStart(2, '0')}`, serverId: s + 1, port: 20_000 + s})),
			),
		);
	}

	return makePool([makeInstance(list)]);
}
