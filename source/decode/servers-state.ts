import {z} from 'zod';
import {DecodeError, excerpt} from './decode-error.js';
import {RowReader} from './fields.js';
import {
	adminFlagsOf,
	checkResultNames,
	checkStateBits,
	checkStatusNames,
	opStateNames,
	type AdminFlag,
	type OpStateName,
} from './labels.js';

/** One server of `show servers state`, with its numbers decoded into meaning. */
export type ServerStateRecord = {
	backendId: number;
	backend: string;
	serverId: number;
	server: string;
	address: string;
	opState: number;
	opStateName: OpStateName;
	adminState: number;
	adminFlags: AdminFlag[];
	userWeight: number;
	initialWeight: number;
	secondsSinceChange: number;
	checkStatus: number;
	checkStatusName: string;
	checkResultName: string;
	checkHealth: number;
	/** srv_check_state masked with 0x0F, as HAProxy 2.7+ prints it. */
	checkState: number;
	/** srv_agent_state masked with 0x1F. */
	agentState: number;
	checkConfigured: boolean;
	agentConfigured: boolean;
	/** srv_fqdn (1.8+), null when absent or `-`. */
	fqdn: string | null;
	/** srv_port (1.8+), null when absent or 0. */
	port: number | null;
};

/** The columns every release since 1.6 prints; later releases append more. */
const requiredColumns = [
	'be_id',
	'be_name',
	'srv_id',
	'srv_name',
	'srv_addr',
	'srv_op_state',
	'srv_admin_state',
	'srv_uweight',
	'srv_iweight',
	'srv_time_since_last_change',
	'srv_check_status',
	'srv_check_result',
	'srv_check_health',
	'srv_check_state',
	'srv_agent_state',
] as const;

const headerSchema = z
	.array(z.string().regex(/^[a-z_]+$/, 'field names are lower-case words'))
	.refine((names) => new Set(names).size === names.length, 'a field name appears twice');

/**
 * Decodes `show servers state [<backend>]`: line 1 the format version, line 2 `# ` and the
 * field names, then one space-separated row per server, then an empty line. Columns are read by
 * header name, so every column set from 1.6 to 3.x decodes.
 */
export function decodeServersState(reply: string): ServerStateRecord[] {
	const firstBreak = reply.indexOf('\n');
	const version = (firstBreak === -1 ? reply : reply.slice(0, firstBreak)).trim();
	if (version !== '1') {
		throw new DecodeError('show servers state', version === '' || version === undefined ? 'the reply is empty' : `expected format version 1 on the first line, got ${excerpt(version)}`);
	}

	const secondBreak = reply.indexOf('\n', firstBreak + 1);
	const headerLine = firstBreak === -1 ? undefined : reply.slice(firstBreak + 1, secondBreak === -1 ? undefined : secondBreak);
	if (headerLine === undefined || !headerLine.startsWith('# ')) {
		throw new DecodeError('show servers state', 'the second line is not the "# be_id be_name …" header');
	}

	const header = headerSchema.safeParse(headerLine.slice(2).trimEnd().split(' '));
	if (!header.success) {
		throw new DecodeError('show servers state', `the header is malformed (${header.error.issues[0]?.message ?? 'invalid'})`);
	}

	const names = header.data;
	const missing = requiredColumns.filter((column) => !names.includes(column));
	if (missing.length > 0) {
		throw new DecodeError('show servers state', `the header lacks ${missing.join(', ')}`);
	}

	const at = (name: string) => names.indexOf(name);
	const columns = {
		backendId: at('be_id'),
		backend: at('be_name'),
		serverId: at('srv_id'),
		server: at('srv_name'),
		address: at('srv_addr'),
		opState: at('srv_op_state'),
		adminState: at('srv_admin_state'),
		userWeight: at('srv_uweight'),
		initialWeight: at('srv_iweight'),
		sinceChange: at('srv_time_since_last_change'),
		checkStatus: at('srv_check_status'),
		checkResult: at('srv_check_result'),
		checkHealth: at('srv_check_health'),
		checkState: at('srv_check_state'),
		agentState: at('srv_agent_state'),
		fqdn: at('srv_fqdn'),
		port: at('srv_port'),
	};
	const row = new RowReader('show servers state', names);
	const records: ServerStateRecord[] = [];
	let ended = false;
	let position = reply.indexOf('\n', reply.indexOf('\n') + 1) + 1;
	let lineNumber = 2;
	while (position > 0 && position < reply.length) {
		const newline = reply.indexOf('\n', position);
		const line = newline === -1 ? reply.slice(position) : reply.slice(position, newline);
		position = newline === -1 ? reply.length : newline + 1;
		lineNumber++;
		if (line === '') {
			ended = newline !== -1 || position === reply.length;
			break;
		}

		const found = row.load(line, lineNumber, ' ', names.length + 1);
		if (found !== names.length) {
			throw new DecodeError('show servers state', `line ${lineNumber} has ${found} fields where the header names ${names.length} (truncated or not a servers-state dump)`);
		}

		const opState = row.integer(columns.opState);
		if (opState > 3 || opState < 0) {
			throw row.error(columns.opState, `${opState} is not a known state (0 to 3)`);
		}

		const adminState = row.integer(columns.adminState);
		const checkStatus = row.integer(columns.checkStatus);
		const checkResult = row.integer(columns.checkResult);
		const checkState = row.integer(columns.checkState) & 0x0f;
		const agentState = row.integer(columns.agentState) & 0x1f;
		const fqdn = columns.fqdn === -1 ? '-' : row.text(columns.fqdn);
		const port = columns.port === -1 ? 0 : row.integer(columns.port);
		records.push({
			backendId: row.integer(columns.backendId),
			backend: row.requiredText(columns.backend),
			serverId: row.integer(columns.serverId),
			server: row.requiredText(columns.server),
			address: row.requiredText(columns.address),
			opState,
			opStateName: opStateNames[opState]!,
			adminState,
			adminFlags: adminFlagsOf(adminState),
			userWeight: row.integer(columns.userWeight),
			initialWeight: row.integer(columns.initialWeight),
			secondsSinceChange: row.integer(columns.sinceChange),
			checkStatus,
			checkStatusName: checkStatusNames[checkStatus] ?? `status ${checkStatus}`,
			checkResultName: checkResultNames[checkResult] ?? `result ${checkResult}`,
			checkHealth: row.integer(columns.checkHealth),
			checkState,
			agentState,
			checkConfigured: (checkState & checkStateBits.CONFIGURED) !== 0,
			agentConfigured: (agentState & checkStateBits.CONFIGURED) !== 0,
			fqdn: fqdn === '-' || fqdn === '' ? null : fqdn,
			port: port === 0 ? null : port,
		});
	}

	if (!ended) {
		throw new DecodeError('show servers state', 'the reply ended before its closing empty line (truncated)');
	}

	return records;
}
