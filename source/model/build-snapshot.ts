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
type SnapshotBuilder = {
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
	return new StreamingSnapshot(socket);
}

/** Builds an instance's servers as the rows arrive and hands each one on in order, keeping none. */
type ServerStream = {
	onState(table: ServersStateTable, row: number): void;
	onStat(table: StatTable, row: number): void;
	/** Makes and hands on the servers still held (those without a stat row, and the ones after them). */
	finish(): void;
};

/**
 * Like {@link snapshotBuilder}, for a reader that needs each server once, in order (`status
 * --json`): a server is handed to `handTo` as soon as it and every server before it are made,
 * and forgotten. Nothing holds 10,000 servers at once, so they die young: the young heap does not
 * grow to hold them, and the collector copies none of them out of it.
 */
export function serverStream(socket: string, handTo: (server: Server) => void): ServerStream {
	const builder = new StreamingSnapshot(socket, handTo);
	return {onState: (table, row) => builder.onState(table, row), onStat: (table, row) => builder.onStat(table, row), finish: () => builder.handOnTheRest()};
}

/**
 * The builder of {@link snapshotBuilder}. A class, so every poll's builder shares one shape and
 * its methods stay optimised from one poll to the next.
 */
class StreamingSnapshot implements SnapshotBuilder {
	/**
	 * Servers-state rows in order (their table and row, backend and server id, in parallel
	 * arrays of small integers rather than an object per row: fewer objects for the garbage
	 * collector to copy while 10,000 servers are made), and the server made for each.
	 */
	private readonly stateTables: ServersStateTable[] = [];
	private readonly stateRows: number[] = [];
	private readonly backendIds: number[] = [];
	private readonly serverIds: number[] = [];
	private readonly made: Array<Server | undefined> = [];
	private next = 0;
	private byId: Map<number, number> | undefined;
	private readonly waiting = new Map<number, {table: StatTable; row: number}>();
	private readonly backendKinds = new Map<number, {mode: string | null; algorithm: string | null}>();
	private readonly backendNames = new Map<number, string>();
	private readonly readAt = Date.now();

	/** With `handTo`: servers before this index have been handed on and forgotten. */
	private handedOn = 0;

	/** `handTo`: for {@link serverStream}, which keeps no server; without it, {@link finish} returns them all. */
	constructor(
		private readonly socket: string,
		private readonly handTo?: (server: Server) => void,
	) {}

	onState(table: ServersStateTable, row: number): void {
		const backendId = table.number('backendId', row);
		if (!this.backendNames.has(backendId)) {
			this.backendNames.set(backendId, table.backend(row));
		}

		const serverId = table.number('serverId', row);
		this.stateTables.push(table);
		this.stateRows.push(row);
		this.backendIds.push(backendId);
		this.serverIds.push(serverId);
		this.byId?.set(idKey(backendId, serverId), this.stateRows.length - 1);
		if (this.waiting.size > 0) {
			const stat = this.waiting.get(idKey(backendId, serverId));
			if (stat) {
				this.waiting.delete(idKey(backendId, serverId));
				this.make(this.stateRows.length - 1, stat.table, stat.row);
			}
		}
	}

	onStat(table: StatTable, row: number): void {
		const kind = table.kind(row);
		if (kind === 'backend') {
			// Every release up to 3.4 prints `balance random` as algo `unknown` (its name table lacks
			// random), and from 3.3 random is the default: a backend without a balance line shows
			// `unknown` there. Not knowing is null, not an algorithm called "unknown".
			const algorithm = table.text('algo', row);
			this.backendKinds.set(table.number('iid', row), {mode: table.text('mode', row), algorithm: algorithm === 'unknown' ? null : algorithm});
			return;
		}

		if (kind !== 'server') {
			return;
		}

		const backendId = table.number('iid', row);
		const serverId = table.number('sid', row);
		const index = this.stateIndex(backendId, serverId);
		if (index === undefined) {
			this.waiting.set(idKey(backendId, serverId), {table, row});
		} else if (!this.isMade(index)) {
			this.make(index, table, row);
		}
	}

	finish(instance: Instance): InstanceSnapshot {
		const backends: Backend[] = [];
		let current: Backend | undefined;
		for (let index = 0; index < this.stateRows.length; index++) {
			if (!this.made[index]) {
				this.make(index);
			}

			const backendId = this.backendIds[index]!;
			if (current?.id !== backendId) {
				const kind = this.backendKinds.get(backendId);
				current = {socket: this.socket, name: this.backendNames.get(backendId)!, id: backendId, mode: kind?.mode ?? null, algorithm: kind?.algorithm ?? null, servers: []};
				backends.push(current);
			}

			current.servers.push(this.made[index]!);
		}

		return {instance, backends};
	}

	/** Stat rows usually follow the servers-state rows in the same order: matched in step, by id only when they differ. */
	private stateIndex(backendId: number, serverId: number): number | undefined {
		const next = this.next;
		if (next < this.backendIds.length && this.backendIds[next] === backendId && this.serverIds[next] === serverId) {
			return this.next++;
		}

		this.byId ??= new Map(this.backendIds.map((id, index) => [idKey(id, this.serverIds[index]!), index]));
		return this.byId.get(idKey(backendId, serverId));
	}

	/** Hands on every server not yet handed on, making those without a stat row (with `handTo`). */
	handOnTheRest(): void {
		for (let index = this.handedOn; index < this.stateRows.length; index++) {
			if (!this.isMade(index)) {
				this.make(index);
			}
		}

		this.handOn();
	}

	private isMade(index: number): boolean {
		return index < this.handedOn || this.made[index] !== undefined;
	}

	private make(index: number, stats?: StatTable, statRow?: number): void {
		this.made[index] = toServer(this.socket, this.backendNames.get(this.backendIds[index]!)!, this.readAt, this.stateTables[index]!, this.stateRows[index]!, stats, statRow);
		if (this.handTo && index === this.handedOn) {
			this.handOn();
		}
	}

	private handOn(): void {
		const handTo = this.handTo!;
		while (this.handedOn < this.made.length && this.made[this.handedOn]) {
			const server = this.made[this.handedOn]!;
			// Forgotten: everything before `handedOn` counts as made (see isMade).
			this.made[this.handedOn] = undefined;
			this.handedOn++;
			handTo(server);
		}
	}
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
	const checkState = table.number('checkState', row);
	const checkConfigured = (checkState & checkStateBits.CONFIGURED) !== 0;
	const agentState = table.number('agentState', row);
	const agentCheck = (agentState & checkStateBits.CONFIGURED) === 0 ? 'none' : (agentState & checkStateBits.ENABLED) === 0 ? 'disabled' : 'enabled';
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
		checkDisabled: checkConfigured && (checkState & checkStateBits.ENABLED) === 0,
		checkDescription,
		agentCheck,
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
