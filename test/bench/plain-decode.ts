import {adminFlagsOf, checkResultNames, checkStateBits, checkStatusNames, opStateNames, passingCheckStatuses} from '../../source/decode/labels.js';
import type {ServerStateRecord} from '../../source/decode/servers-state.js';
import type {StatRecord} from '../../source/decode/stat.js';
import type {Backend} from '../../source/model/types.js';

/**
 * The plain decoders the columnar one (source/decode/delimited-table.ts) is measured against in
 * `npm run bench`: the whole reply as one string, split into lines and fields, one record per
 * row, with the same checks per row (integers, known states, named fields not empty). Not used by
 * the app.
 */
function integer(text: string | undefined, what: string): number {
	const value = Number(text);
	if (text === undefined || text === '' || !Number.isInteger(value)) {
		throw new Error(`${what}: ${text} is not an integer`);
	}

	return value;
}

const orNull = (text: string | undefined) => (text === undefined || text === '' ? null : Number(text));

export function plainServersState(reply: Buffer): ServerStateRecord[] {
	const lines = reply.toString('utf8').split('\n');
	const names = lines[1]!.slice(2).trimEnd().split(' ');
	const at = (name: string) => names.indexOf(name);
	const [beId, beName, srvId, srvName, srvAddr, opStateAt, adminAt, uweight, iweight, since, checkStatusAt, checkResultAt, health, checkStateAt, agentStateAt, fqdnAt, portAt] = [
		'be_id', 'be_name', 'srv_id', 'srv_name', 'srv_addr', 'srv_op_state', 'srv_admin_state', 'srv_uweight', 'srv_iweight',
		'srv_time_since_last_change', 'srv_check_status', 'srv_check_result', 'srv_check_health', 'srv_check_state', 'srv_agent_state', 'srv_fqdn', 'srv_port',
	].map(at) as number[];
	const records: ServerStateRecord[] = [];
	for (let line = 2; line < lines.length && lines[line] !== ''; line++) {
		const fields = lines[line]!.split(' ');
		if (fields.length !== names.length) {
			throw new Error(`line ${line + 1}: ${fields.length} fields`);
		}

		const number = (index: number) => integer(fields[index], `line ${line + 1}`);
		const opState = number(opStateAt!);
		if (opState < 0 || opState > 3) {
			throw new Error(`line ${line + 1}: state ${opState}`);
		}

		const adminState = number(adminAt!);
		const checkState = number(checkStateAt!) & 0x0f;
		const agentState = number(agentStateAt!) & 0x1f;
		const checkStatus = number(checkStatusAt!);
		const checkResult = number(checkResultAt!);
		const fqdn = fqdnAt === -1 ? null : fields[fqdnAt!]!;
		const port = portAt === -1 ? null : Number(fields[portAt!]);
		records.push({
			backendId: number(beId!),
			backend: fields[beName!]!,
			serverId: number(srvId!),
			server: fields[srvName!]!,
			address: fields[srvAddr!]!,
			opState,
			opStateName: opStateNames[opState]!,
			adminState,
			adminFlags: adminFlagsOf(adminState),
			userWeight: number(uweight!),
			initialWeight: number(iweight!),
			secondsSinceChange: number(since!),
			checkStatus,
			checkStatusName: checkStatusNames[checkStatus] ?? `status ${checkStatus}`,
			checkResultName: checkResultNames[checkResult] ?? `result ${checkResult}`,
			checkHealth: number(health!),
			checkState,
			agentState,
			checkConfigured: (checkState & checkStateBits.CONFIGURED) !== 0,
			agentConfigured: (agentState & checkStateBits.CONFIGURED) !== 0,
			fqdn: fqdn === '-' || fqdn === '' ? null : fqdn,
			port: port === null || Number.isNaN(port) || port === 0 ? null : port,
		});
	}

	return records;
}

const kinds: ReadonlyArray<StatRecord['kind']> = ['frontend', 'backend', 'server', 'listener'];

/** `show stat` without quoted fields (the bench's HAProxy prints none). */
export function plainStat(reply: Buffer): StatRecord[] {
	const lines = reply.toString('utf8').split('\n');
	const names = lines[0]!.slice(2).replace(/,$/, '').split(',');
	const at = (name: string) => names.indexOf(name);
	const column = {
		pxname: at('pxname'), svname: at('svname'), qcur: at('qcur'), scur: at('scur'), slim: at('slim'), stot: at('stot'), status: at('status'),
		weight: at('weight'), act: at('act'), bck: at('bck'), lastchg: at('lastchg'), lastsess: at('lastsess'), iid: at('iid'), sid: at('sid'), lbtot: at('lbtot'),
		tracked: at('tracked'), type: at('type'), checkStatus: at('check_status'), checkCode: at('check_code'), hrsp2xx: at('hrsp_2xx'),
		hrsp5xx: at('hrsp_5xx'), reqTot: at('req_tot'), checkDesc: at('check_desc'), addr: at('addr'), mode: at('mode'), algo: at('algo'),
	};
	const records: StatRecord[] = [];
	for (let line = 1; line < lines.length && lines[line] !== ''; line++) {
		const fields = lines[line]!.split(',');
		const text = (index: number) => (index === -1 || fields[index] === '' ? null : fields[index]!);
		const number = (index: number) => (index === -1 ? null : orNull(fields[index]));
		const kind = kinds[integer(fields[column.type], `line ${line + 1}`)];
		if (kind === undefined || text(column.svname) === null) {
			throw new Error(`line ${line + 1}: unknown row`);
		}

		const checkStatus = text(column.checkStatus);
		const checkInProgress = checkStatus?.startsWith('* ') ?? false;
		records.push({
			proxy: fields[column.pxname]!,
			service: fields[column.svname]!,
			kind,
			proxyId: number(column.iid),
			serverId: number(column.sid),
			status: fields[column.status] ?? '',
			weight: number(column.weight),
			active: (number(column.act) ?? 0) > 0,
			backup: (number(column.bck) ?? 0) > 0,
			queueCurrent: number(column.qcur),
			currentSessions: number(column.scur) ?? 0,
			sessionLimit: number(column.slim),
			totalSessions: number(column.stot) ?? 0,
			lbTotal: number(column.lbtot),
			requestsTotal: number(column.reqTot),
			lastChange: number(column.lastchg),
			secondsSinceLastSession: (number(column.lastsess) ?? -1) < 0 ? null : number(column.lastsess),
			tracked: text(column.tracked),
			checkStatus: checkInProgress ? checkStatus!.slice(2) : checkStatus,
			checkInProgress,
			checkCode: number(column.checkCode),
			checkDescription: text(column.checkDesc),
			responses2xx: number(column.hrsp2xx),
			responses5xx: number(column.hrsp5xx),
			address: text(column.addr),
			mode: text(column.mode),
			algorithm: text(column.algo),
		});
	}

	return records;
}

/**
 * The model (source/model/types.ts) from the plain decoders' records: servers-state rows matched
 * with their stat rows by backend and server id, as build-snapshot.ts does from the tables.
 */
export function plainBackends(socket: string, state: Buffer, stat: Buffer): Backend[] {
	const readAt = Date.now();
	const stats = new Map<string, StatRecord>();
	const kinds = new Map<number, {mode: string | null; algorithm: string | null}>();
	for (const record of plainStat(stat)) {
		if (record.kind === 'server') {
			stats.set(`${record.proxyId}/${record.serverId}`, record);
		} else if (record.kind === 'backend') {
			kinds.set(record.proxyId!, {mode: record.mode, algorithm: record.algorithm});
		}
	}

	const backends: Backend[] = [];
	let current: Backend | undefined;
	for (const record of plainServersState(state)) {
		if (current?.id !== record.backendId) {
			const kind = kinds.get(record.backendId);
			current = {socket, name: record.backend, id: record.backendId, mode: kind?.mode ?? null, algorithm: kind?.algorithm ?? null, servers: []};
			backends.push(current);
		}

		const row = stats.get(`${record.backendId}/${record.serverId}`);
		let checkStatus: string | null = null;
		let checkDescription: string | null = null;
		if (record.checkConfigured) {
			checkStatus = row ? row.checkStatus : (checkStatusNames[record.checkStatus] ?? null);
			checkDescription = row && checkStatus !== null && !passingCheckStatuses.has(checkStatus) ? row.checkDescription : null;
		}

		current.servers.push({
			socket,
			backend: record.backend,
			server: record.server,
			backendId: record.backendId,
			serverId: record.serverId,
			address: record.address,
			port: record.port,
			opState: record.opState,
			opStateName: record.opStateName,
			adminState: record.adminState,
			adminFlags: record.adminFlags,
			userWeight: record.userWeight,
			initialWeight: record.initialWeight,
			status: row?.status ?? record.opStateName.toUpperCase(),
			checkStatus,
			checkConfigured: record.checkConfigured,
			checkDisabled: record.checkConfigured && (record.checkState & checkStateBits.ENABLED) === 0,
			checkDescription,
			agentCheck: !record.agentConfigured ? 'none' : (record.agentState & checkStateBits.ENABLED) === 0 ? 'disabled' : 'enabled',
			currentSessions: row?.currentSessions ?? 0,
			totalSessions: row?.totalSessions ?? 0,
			sessionLimit: row?.sessionLimit ?? null,
			requestsTotal: row?.requestsTotal ?? null,
			lbTotal: row?.lbTotal ?? null,
			backup: row?.backup ?? false,
			tracked: row?.tracked ?? null,
			secondsSinceChange: record.secondsSinceChange,
			changedAt: readAt - record.secondsSinceChange * 1000,
		});
	}

	return backends;
}
