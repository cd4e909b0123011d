import type {InstanceInfo} from '../decode/info.js';
import type {ServerStateRecord} from '../decode/servers-state.js';
import type {StatRecord} from '../decode/stat.js';
import type {Backend, Instance, InstanceSnapshot, Server} from './types.js';

export function toInstance(socket: string, info: InstanceInfo): Instance {
	return {socket, pid: info.pid, version: info.version, startTime: info.startTime, stopping: info.stopping};
}

/**
 * Merges `show servers state` (admin and operational state, weights, checks) with `show stat`
 * (status text, sessions, counters) by backend and server name. A server missing from the stat
 * dump (a race between the two dumps) keeps zero counters and a status derived from its state.
 */
export function buildInstanceSnapshot(instance: Instance, states: readonly ServerStateRecord[], stats: readonly StatRecord[]): InstanceSnapshot {
	const statByKey = new Map<string, StatRecord>();
	const backendStats = new Map<string, StatRecord>();
	for (const stat of stats) {
		if (stat.kind === 'server') {
			statByKey.set(`${stat.proxy}/${stat.service}`, stat);
		} else if (stat.kind === 'backend') {
			backendStats.set(stat.proxy, stat);
		}
	}

	const backends: Backend[] = [];
	let current: Backend | undefined;
	for (const state of states) {
		if (current?.name !== state.backend) {
			const backendStat = backendStats.get(state.backend);
			current = {
				socket: instance.socket,
				name: state.backend,
				id: state.backendId,
				mode: backendStat?.mode ?? statByKey.get(`${state.backend}/${state.server}`)?.mode ?? null,
				algorithm: backendStat?.algorithm ?? null,
				servers: [],
			};
			backends.push(current);
		}

		current.servers.push(toServer(instance.socket, state, statByKey.get(`${state.backend}/${state.server}`)));
	}

	return {instance, backends};
}

function toServer(socket: string, state: ServerStateRecord, stat: StatRecord | undefined): Server {
	return {
		socket,
		backend: state.backend,
		server: state.server,
		backendId: state.backendId,
		serverId: state.serverId,
		address: state.address,
		port: state.port,
		opState: state.opState,
		opStateName: state.opStateName,
		adminState: state.adminState,
		adminFlags: state.adminFlags,
		userWeight: state.userWeight,
		initialWeight: state.initialWeight,
		status: stat?.status ?? state.opStateName.toUpperCase(),
		checkStatus: state.checkConfigured ? (stat ? stat.checkStatus : state.checkStatusName) : null,
		checkConfigured: state.checkConfigured,
		checkDescription: stat?.checkDescription ?? null,
		currentSessions: stat?.currentSessions ?? 0,
		totalSessions: stat?.totalSessions ?? 0,
		sessionLimit: stat?.sessionLimit ?? null,
		requestsTotal: stat?.requestsTotal ?? null,
		lbTotal: stat?.lbTotal ?? null,
		backup: stat?.backup ?? false,
		tracked: stat?.tracked ?? null,
		secondsSinceChange: state.secondsSinceChange,
	};
}
