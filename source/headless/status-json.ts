import {differingServers} from '../model/differences.js';
import type {PoolSnapshot, Server} from '../model/types.js';

/** One server of `status --json`, field for field as DESIGN.md gives it. */
function serverJson(server: Server) {
	return {
		socket: server.socket,
		backend: server.backend,
		server: server.server,
		address: server.address,
		port: server.port,
		opState: server.opState,
		opStateName: server.opStateName,
		adminState: server.adminState,
		adminFlags: server.adminFlags,
		userWeight: server.userWeight,
		initialWeight: server.initialWeight,
		status: server.status,
		checkStatus: server.checkStatus,
		currentSessions: server.currentSessions,
		totalSessions: server.totalSessions,
	};
}

function instancesJson(pool: PoolSnapshot) {
	return pool.instances.map(({instance}) => ({socket: instance.socket, pid: instance.pid, version: instance.version, startTime: instance.startTime}));
}

function differencesJson(pool: PoolSnapshot) {
	return [...differingServers(pool).values()].map((difference) => ({server: difference.name, states: difference.states}));
}

/** Servers per piece of {@link statusJsonPieces}: about 100 KB of text. */
const serversPerPiece = 400;

/**
 * `status --json`: the object of DESIGN.md (`instances`, `servers`) and `differences`, the
 * servers whose admin state is not the same on every instance (empty with one instance); as
 * text and a newline, in pieces of a few hundred servers. Written piece by piece, 10,000 servers
 * never become one 3 MB string and its 3 MB buffer: fresh memory is what a cold start pays for most.
 */
export function* statusJsonPieces(pool: PoolSnapshot): Generator<string> {
	let piece = `{"instances":${JSON.stringify(instancesJson(pool))},"servers":[`;
	let count = 0;
	for (const {backends} of pool.instances) {
		for (const backend of backends) {
			for (const server of backend.servers) {
				piece += (count === 0 ? '' : ',') + JSON.stringify(serverJson(server));
				count++;
				if (count % serversPerPiece === 0) {
					yield piece;
					piece = '';
				}
			}
		}
	}

	yield `${piece}],"differences":${JSON.stringify(differencesJson(pool))}}\n`;
}
