import {differingServers} from '../model/differences.js';
import type {PoolSnapshot} from '../model/types.js';

/**
 * The `status --json` object of DESIGN.md, field for field, and `differences`: the servers whose
 * admin state is not the same on every instance (empty with one instance).
 */
export function statusObject(pool: PoolSnapshot) {
	return {
		instances: pool.instances.map(({instance}) => ({
			socket: instance.socket,
			pid: instance.pid,
			version: instance.version,
			startTime: instance.startTime,
		})),
		servers: pool.instances.flatMap(({backends}) =>
			backends.flatMap((backend) =>
				backend.servers.map((server) => ({
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
				})),
			),
		),
		differences: [...differingServers(pool).values()].map((difference) => ({server: difference.name, states: difference.states})),
	};
}

export function formatStatusJson(pool: PoolSnapshot): string {
	return JSON.stringify(statusObject(pool));
}
