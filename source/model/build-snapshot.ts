import type {InstanceInfo} from '../decode/info.js';
import {adminFlagsOf, checkStateBits, checkStatusNames, opStateNames, passingCheckStatuses} from '../decode/labels.js';
import type {ServersStateTable} from '../decode/servers-state.js';
import type {StatTable} from '../decode/stat.js';
import type {Backend, Instance, InstanceSnapshot, Server} from './types.js';

export function toInstance(socket: string, info: InstanceInfo): Instance {
	return {socket, pid: info.pid, version: info.version, startTime: info.startTime, stopping: info.stopping};
}

/** (backend id, server id) as one number; HAProxy ids stay well below 2^20. */
const idKey = (backendId: number, serverId: number) => backendId * 1_048_576 + serverId;

/** Builds an instance's model as the rows of its two dumps arrive, in any interleaving. */
export type SnapshotBuilder = {
	onState(table: ServersStateTable, row: number): void;
	onStat(table: StatTable, row: number): void;
	finish(instance: Instance): InstanceSnapshot;
};

/**
 * Merges `show servers state` (admin and operational state, weights, checks) with `show stat`
 * (status text, sessions, counters), matched by backend and server id, while both dumps stream
 * in. Servers-state rows are noted as they come; each server is made, once and whole (which
 * keeps V8's object shapes stable), when its stat row arrives, or at the end when it has none
 * (a race between the two dumps): then it keeps zero counters and a status derived from its state.
 */
export function snapshotBuilder(socket: string): SnapshotBuilder {
	/** Servers-state rows in order, and the server made for each. */
	const stateRows: Array<{table: ServersStateTable; row: number; backendId: number; serverId: number}> = [];
	const made: Array<Server | undefined> = [];
	let next = 0;
	let byId: Map<number, number> | undefined;
	const waiting = new Map<number, {table: StatTable; row: number}>();
	const backendKinds = new Map<number, {mode: string | null; algorithm: string | null}>();
	const backendNames = new Map<number, string>();
	/** Stat rows usually follow the servers-state rows in the same order: matched in step, by id only when they differ. */
	const stateIndex = (backendId: number, serverId: number): number | undefined => {
		const candidate = stateRows[next];
		if (candidate?.backendId === backendId && candidate.serverId === serverId) {
			return next++;
		}

		byId ??= new Map(stateRows.map((entry, index) => [idKey(entry.backendId, entry.serverId), index]));
		return byId.get(idKey(backendId, serverId));
	};

	const readAt = Date.now();
	const make = (index: number, stat?: {table: StatTable; row: number}) => {
		const state = stateRows[index]!;
		made[index] = toServer(socket, backendNames.get(state.backendId)!, readAt, state.table, state.row, stat?.table, stat?.row);
	};

	return {
		onState(table, row) {
			const backendId = table.number('backendId', row);
			if (!backendNames.has(backendId)) {
				backendNames.set(backendId, table.backend(row));
			}

			const serverId = table.number('serverId', row);
			stateRows.push({table, row, backendId, serverId});
			byId?.set(idKey(backendId, serverId), stateRows.length - 1);
			if (waiting.size > 0) {
				const stat = waiting.get(idKey(backendId, serverId));
				if (stat) {
					waiting.delete(idKey(backendId, serverId));
					make(stateRows.length - 1, stat);
				}
			}
		},
		onStat(table, row) {
			const kind = table.kind(row);
			if (kind === 'backend') {
				backendKinds.set(table.number('iid', row), {mode: table.text('mode', row), algorithm: table.text('algo', row)});
				return;
			}

			if (kind !== 'server') {
				return;
			}

			const backendId = table.number('iid', row);
			const serverId = table.number('sid', row);
			const index = stateIndex(backendId, serverId);
			if (index === undefined) {
				waiting.set(idKey(backendId, serverId), {table, row});
			} else if (!made[index]) {
				make(index, {table, row});
			}
		},
		finish(instance) {
			const backends: Backend[] = [];
			let current: Backend | undefined;
			for (const [index, state] of stateRows.entries()) {
				if (!made[index]) {
					make(index);
				}

				if (current?.id !== state.backendId) {
					const kind = backendKinds.get(state.backendId);
					current = {socket, name: backendNames.get(state.backendId)!, id: state.backendId, mode: kind?.mode ?? null, algorithm: kind?.algorithm ?? null, servers: []};
					backends.push(current);
				}

				current.servers.push(made[index]!);
			}

			return {instance, backends};
		},
	};
}

/** Builds the model from two whole tables. */
export function buildInstanceSnapshot(instance: Instance, states: ServersStateTable, stats: StatTable): InstanceSnapshot {
	const builder = snapshotBuilder(instance.socket);
	for (let row = 0; row < states.rows; row++) {
		builder.onState(states, row);
	}

	for (let row = 0; row < stats.rows; row++) {
		builder.onStat(stats, row);
	}

	return builder.finish(instance);
}

const orNull = (value: number) => (Number.isNaN(value) ? null : value);

/** One server from its servers-state row and, when there is one, its stat row. */
function toServer(socket: string, backend: string, readAt: number, table: ServersStateTable, row: number, stats?: StatTable, statRow?: number): Server {
	const secondsSinceChange = table.number('secondsSinceChange', row);
	const opState = table.number('opState', row);
	const adminState = table.number('adminState', row);
	const checkConfigured = (table.number('checkState', row) & checkStateBits.CONFIGURED) !== 0;
	const port = table.number('port', row);
	const has = stats !== undefined && statRow !== undefined;
	let checkStatus: string | null = null;
	let checkDescription: string | null = null;
	if (checkConfigured) {
		if (has) {
			const text = stats.text('checkStatus', statRow);
			checkStatus = text?.startsWith('* ') ? text.slice(2) : text;
			// Read only for a check that fails: a passing check's text says nothing the status does not.
			checkDescription = checkStatus === null || passingCheckStatuses.has(checkStatus) ? null : stats.text('checkDesc', statRow);
		} else {
			checkStatus = checkStatusNames[table.number('checkStatus', row)] ?? null;
		}
	}

	return {
		socket,
		backend,
		server: table.server(row),
		backendId: table.number('backendId', row),
		serverId: table.number('serverId', row),
		address: table.address(row),
		port: Number.isNaN(port) || port === 0 ? null : port,
		opState,
		opStateName: opStateNames[opState]!,
		adminState,
		adminFlags: adminFlagsOf(adminState),
		userWeight: table.number('userWeight', row),
		initialWeight: table.number('initialWeight', row),
		status: (has ? stats.text('status', statRow) : null) ?? opStateNames[opState]!.toUpperCase(),
		checkStatus,
		checkConfigured,
		checkDescription,
		currentSessions: has ? (orNull(stats.number('scur', statRow)) ?? 0) : 0,
		totalSessions: has ? (orNull(stats.number('stot', statRow)) ?? 0) : 0,
		sessionLimit: has ? orNull(stats.number('slim', statRow)) : null,
		requestsTotal: has ? orNull(stats.number('reqTot', statRow)) : null,
		lbTotal: has ? orNull(stats.number('lbtot', statRow)) : null,
		backup: has ? (orNull(stats.number('bck', statRow)) ?? 0) > 0 : false,
		tracked: has ? stats.text('tracked', statRow) : null,
		secondsSinceChange,
		changedAt: readAt - secondsSinceChange * 1000,
	};
}
