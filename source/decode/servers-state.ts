import {DecodeError, excerpt} from './decode-error.js';
import {checkedHeader, DelimitedTable, TableView, type ColumnSpec, type DecodedTable, type ReplyBytes, type TableReaderOptions} from './delimited-table.js';
import {afterHeader, readWhole, tableReader, type DumpReader} from './dump-reader.js';
import {adminFlagsOf, checkResultNames, checkStateBits, checkStatusNames, opStateNames, type AdminFlag, type OpStateName} from './labels.js';

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
	adminFlags: readonly AdminFlag[];
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


/** The numbers of a `show servers state` row. */
type ServersStateNumber =
	| 'backendId'
	| 'serverId'
	| 'opState'
	| 'adminState'
	| 'userWeight'
	| 'initialWeight'
	| 'secondsSinceChange'
	| 'checkStatus'
	| 'checkResult'
	| 'checkHealth'
	| 'checkState'
	| 'agentState'
	| 'port';

const numberColumns: Record<ServersStateNumber, string> = {
	backendId: 'be_id',
	serverId: 'srv_id',
	opState: 'srv_op_state',
	adminState: 'srv_admin_state',
	userWeight: 'srv_uweight',
	initialWeight: 'srv_iweight',
	secondsSinceChange: 'srv_time_since_last_change',
	checkStatus: 'srv_check_status',
	checkResult: 'srv_check_result',
	checkHealth: 'srv_check_health',
	checkState: 'srv_check_state',
	agentState: 'srv_agent_state',
	port: 'srv_port',
};

const textColumns = ['be_name', 'srv_name', 'srv_addr', 'srv_fqdn'];
/** Every column read: only these must be named once; the others may be named anything. */
const readColumns = [...Object.values(numberColumns), ...textColumns];

/**
 * `show servers state`, row by row, read in place: numbers parsed as the rows came in (check and
 * agent state already masked, `port` NaN where the release has none), text sliced on demand.
 */
export type ServersStateTable = DecodedTable & {
	number(field: ServersStateNumber, row: number): number;
	backend(row: number): string;
	server(row: number): string;
	address(row: number): string;
	fqdn(row: number): string | null;
};

/** The table as the model reads it (see {@link TableView}). */
class ServersStateView extends TableView implements ServersStateTable {
	constructor(
		table: DelimitedTable,
		private readonly numberAt: Readonly<Record<ServersStateNumber, number>>,
		private readonly backendColumn: number,
		private readonly serverColumn: number,
		private readonly addressColumn: number,
		private readonly fqdnColumn: number,
	) {
		super(table);
	}

	number(field: ServersStateNumber, row: number): number {
		return this.table.integer(this.numberAt[field], row);
	}

	backend(row: number): string {
		return this.table.text(this.backendColumn, row);
	}

	server(row: number): string {
		return this.table.text(this.serverColumn, row);
	}

	address(row: number): string {
		return this.table.text(this.addressColumn, row);
	}

	fqdn(row: number): string | null {
		if (this.fqdnColumn === -1) {
			return null;
		}

		const value = this.table.text(this.fqdnColumn, row);
		return value === '-' || value === '' ? null : value;
	}
}

type ServersStateReaderOptions = TableReaderOptions<ServersStateTable>;

/**
 * Reads `show servers state [<backend>]` as it arrives: line 1 the format version, line 2 `# `
 * and the field names, then one space-separated row per server, then an empty line. Columns are
 * found by header name, so every column set from 1.6 to 3.x reads. Throws {@link DecodeError}.
 */
export function serversStateReader(options: ServersStateReaderOptions = {}): DumpReader<ServersStateTable> {
	return afterHeader('show servers state', 2, ([versionLine = '', headerLine = '']) => {
		const version = versionLine.trim();
		if (version !== '1') {
			throw new DecodeError('show servers state', version === '' ? 'the reply is empty' : `expected format version 1 on the first line, got ${excerpt(version)}`);
		}

		if (!headerLine.startsWith('# ')) {
			throw new DecodeError('show servers state', 'the second line is not the "# be_id be_name …" header');
		}

		const names = checkedHeader('show servers state', headerLine.slice(2).trimEnd().split(' '), readColumns, requiredColumns);

		const at = (name: string) => names.indexOf(name);
		const columns: ColumnSpec[] = [
			...Object.values(numberColumns)
				.filter((name) => at(name) !== -1)
				.map((name): ColumnSpec => ({index: at(name), type: 'integer', required: true})),
			...textColumns.filter((name) => at(name) !== -1).map((name): ColumnSpec => ({index: at(name), type: 'text'})),
		];
		const numberAt = Object.fromEntries(Object.entries(numberColumns).map(([field, name]) => [field, at(name)])) as Record<ServersStateNumber, number>;
		const backendColumn = at('be_name');
		const serverColumn = at('srv_name');
		const addressColumn = at('srv_addr');
		const fqdnColumn = at('srv_fqdn');
		const namedColumns = [backendColumn, serverColumn, addressColumn];
		const table: DelimitedTable = new DelimitedTable('show servers state', names, columns, {
			separator: ' ',
			minimumFields: names.length,
			exactFields: true,
			firstLine: 3,
			shortestRowBytes: 40,
			onRow(row) {
				const opState = table.integer(numberAt.opState, row);
				if (opState < 0 || opState > 3) {
					throw table.error(numberAt.opState, row, `${opState} is not a known state (0 to 3)`);
				}

				for (const column of namedColumns) {
					if (table.isEmpty(column, row)) {
						throw table.error(column, row, 'the field is empty');
					}
				}

				// Up to 2.6 these columns hold the whole internal state word (bits above the
				// documented ones, which differ between releases); from 2.7 HAProxy masks them to the
				// documented bits itself. Masking here reads every release alike.
				table.setInteger(numberAt.checkState, row, table.integer(numberAt.checkState, row) & 0x0f);
				table.setInteger(numberAt.agentState, row, table.integer(numberAt.agentState, row) & 0x1f);
				options.onRow?.(live, row);
			},
		});
		const live = new ServersStateView(table, numberAt, backendColumn, serverColumn, addressColumn, fqdnColumn);
		return tableReader(table, live);
	});
}

/** Reads a whole `show servers state` reply (see {@link serversStateReader}). */
export function readServersState(input: ReplyBytes): ServersStateTable {
	return readWhole(serversStateReader(), input);
}

/** One server's record from a table row. */
export function serverStateAt(table: ServersStateTable, row: number): ServerStateRecord {
	const number = (field: ServersStateNumber) => table.number(field, row);
	const opState = number('opState');
	const adminState = number('adminState');
	const checkStatus = number('checkStatus');
	const checkResult = number('checkResult');
	const checkState = number('checkState');
	const agentState = number('agentState');
	const port = number('port');
	return {
		backendId: number('backendId'),
		backend: table.backend(row),
		serverId: number('serverId'),
		server: table.server(row),
		address: table.address(row),
		opState,
		opStateName: opStateNames[opState]!,
		adminState,
		adminFlags: adminFlagsOf(adminState),
		userWeight: number('userWeight'),
		initialWeight: number('initialWeight'),
		secondsSinceChange: number('secondsSinceChange'),
		checkStatus,
		checkStatusName: checkStatusNames[checkStatus] ?? `status ${checkStatus}`,
		checkResultName: checkResultNames[checkResult] ?? `result ${checkResult}`,
		checkHealth: number('checkHealth'),
		checkState,
		agentState,
		checkConfigured: (checkState & checkStateBits.CONFIGURED) !== 0,
		agentConfigured: (agentState & checkStateBits.CONFIGURED) !== 0,
		fqdn: table.fqdn(row),
		port: Number.isNaN(port) || port === 0 ? null : port,
	};
}

/** Decodes `show servers state [<backend>]` into one record per server (see {@link readServersState}). */
export function decodeServersState(input: ReplyBytes): ServerStateRecord[] {
	const table = readServersState(input);
	return Array.from({length: table.rows}, (_, row) => serverStateAt(table, row));
}
