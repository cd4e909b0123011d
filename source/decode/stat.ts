import {DecodeError} from './decode-error.js';
import {checkedHeader, DelimitedTable, TableView, type ColumnSpec, type DecodedTable, type ReplyBytes, type TableReaderOptions} from './delimited-table.js';
import {afterHeader, readWhole, tableReader, type DumpReader} from './dump-reader.js';

/** What a `show stat` row describes (its `type` column). */
type StatKind = 'frontend' | 'backend' | 'server' | 'listener';

/** One row of `show stat`, reduced to what drainboard reads, with empty counters as null. */
export type StatRecord = {
	proxy: string;
	/** `FRONTEND`, `BACKEND` or the server's name. */
	service: string;
	kind: StatKind;
	proxyId: number | null;
	serverId: number | null;
	/** The status text: `UP`, `DOWN 1/2`, `DRAIN`, `MAINT (via b/s)`, `no check`, … */
	status: string;
	weight: number | null;
	active: boolean;
	backup: boolean;
	queueCurrent: number | null;
	currentSessions: number;
	sessionLimit: number | null;
	totalSessions: number;
	/** Times the server was picked by load balancing. */
	lbTotal: number | null;
	/** HTTP responses received from the server; null in TCP mode. */
	requestsTotal: number | null;
	lastChange: number | null;
	/** Seconds since HAProxy last gave this server or backend a session (lastsess); null when it never did. */
	secondsSinceLastSession: number | null;
	/** `backend/server` this server tracks, or null. */
	tracked: string | null;
	/** check_status without the `* ` prefix HAProxy adds while a check runs. */
	checkStatus: string | null;
	checkInProgress: boolean;
	checkCode: number | null;
	checkDescription: string | null;
	responses2xx: number | null;
	responses5xx: number | null;
	address: string | null;
	mode: string | null;
	algorithm: string | null;
};

const requiredColumns = ['pxname', 'svname', 'scur', 'stot', 'status'] as const;
const kindByType: readonly StatKind[] = ['frontend', 'backend', 'server', 'listener'];

/** The columns read, by name. */
const wantedNames = {
	proxy: 'pxname',
	service: 'svname',
	qcur: 'qcur',
	scur: 'scur',
	slim: 'slim',
	stot: 'stot',
	status: 'status',
	weight: 'weight',
	act: 'act',
	bck: 'bck',
	lastchg: 'lastchg',
	lastsess: 'lastsess',
	iid: 'iid',
	sid: 'sid',
	lbtot: 'lbtot',
	tracked: 'tracked',
	type: 'type',
	checkStatus: 'check_status',
	checkCode: 'check_code',
	hrsp2xx: 'hrsp_2xx',
	hrsp5xx: 'hrsp_5xx',
	reqTot: 'req_tot',
	checkDesc: 'check_desc',
	addr: 'addr',
	mode: 'mode',
	algo: 'algo',
} as const;

type Column = keyof typeof wantedNames;

type StatOptions = {
	/** Keep only these kinds (default: every row). */
	kinds?: readonly StatKind[];
};

/** The numbers of a `show stat` row. */
type StatNumber = 'qcur' | 'scur' | 'slim' | 'stot' | 'weight' | 'act' | 'bck' | 'lastchg' | 'lastsess' | 'iid' | 'sid' | 'lbtot' | 'checkCode' | 'hrsp2xx' | 'hrsp5xx' | 'reqTot';
/** The text fields of a `show stat` row. */
type StatText = 'proxy' | 'service' | 'status' | 'tracked' | 'checkStatus' | 'checkDesc' | 'addr' | 'mode' | 'algo';

/** `show stat`, row by row, read in place: counters parsed as the rows came in (NaN when empty), text on demand. */
export type StatTable = DecodedTable & {
	kind(row: number): StatKind;
	number(field: StatNumber, row: number): number;
	text(field: StatText, row: number): string | null;
};

/** The table as the model reads it (see {@link TableView}). */
class StatView extends TableView implements StatTable {
	constructor(
		table: DelimitedTable,
		private readonly at: Readonly<Record<Column, number>>,
		private readonly kinds: readonly StatKind[],
	) {
		super(table);
	}

	kind(row: number): StatKind {
		return this.kinds[row]!;
	}

	number(field: StatNumber, row: number): number {
		return this.table.integer(this.at[field], row);
	}

	text(field: StatText, row: number): string | null {
		const index = this.at[field];
		if (index === -1 || this.table.isEmpty(index, row)) {
			return null;
		}

		return this.table.text(index, row, field === 'checkDesc' ? 'utf8' : 'latin1');
	}
}

type StatReaderOptions = TableReaderOptions<StatTable>;

/**
 * Reads `show stat` CSV by header name, as it arrives: `# pxname,svname,…,` then one row per
 * proxy or server, each ending with `,`, then an empty line. Fields are quoted only when needed;
 * quoted records (even ones spanning lines) go through a full CSV reader. Throws {@link DecodeError}.
 */
export function statReader(options: StatReaderOptions = {}): DumpReader<StatTable> {
	return afterHeader('show stat', 1, ([headerLine = '']) => {
		if (headerLine.trim() === '') {
			throw new DecodeError('show stat', 'the reply is empty');
		}

		if (!headerLine.startsWith('# ')) {
			throw new DecodeError('show stat', 'the first line is not the "# pxname,svname,…" header');
		}

		const names = checkedHeader('show stat', headerLine.slice(2).replace(/,$/, '').split(','), Object.values(wantedNames), requiredColumns);

		const at = Object.fromEntries(Object.entries(wantedNames).map(([key, name]) => [key, names.indexOf(name)])) as Record<Column, number>;
		// Read as it comes only what every row needs; a backend's mode or a failing check's text
		// is looked up in its row on demand, so 10,000 server rows are scanned only to req_tot.
		const textColumns = new Set<Column>(['proxy', 'service', 'status', 'tracked', 'checkStatus']);
		const onDemand = new Set<Column>(['checkDesc', 'addr', 'mode', 'algo']);
		const columns: ColumnSpec[] = (Object.entries(at) as Array<[Column, number]>)
			.filter(([key, index]) => index !== -1 && !onDemand.has(key))
			.map(([key, index]) => ({index, type: textColumns.has(key) ? 'text' : 'integer'}));
		const kinds: StatKind[] = [];
		const table: DelimitedTable = new DelimitedTable('show stat', names, columns, {
			separator: ',',
			minimumFields: Math.max(...columns.map((column) => column.index)) + 1,
			firstLine: 2,
			csv: true,
			shortestRowBytes: 120,
			onRow(row) {
				if (table.isEmpty(at.service, row)) {
					throw table.error(at.service, row, 'the field is empty');
				}

				const type = table.integer(at.type, row);
				const kind = Number.isNaN(type) ? kindFromName(table.text(at.service, row)) : kindByType[type];
				if (kind === undefined) {
					throw table.error(at.type, row, `${type} is not a known row type (0 to 3)`);
				}

				kinds[row] = kind;
				options.onRow?.(live, row);
			},
		});
		const live = new StatView(table, at, kinds);
		return tableReader(table, live);
	});
}

/** Reads a whole `show stat` reply (see {@link statReader}). */
export function readStat(input: ReplyBytes): StatTable {
	return readWhole(statReader(), input);
}

const orNull = (value: number) => (Number.isNaN(value) ? null : value);

/** One row's record from a table. */
export function statAt(table: StatTable, row: number): StatRecord {
	const number = (field: StatNumber) => orNull(table.number(field, row));
	const checkStatus = table.text('checkStatus', row);
	const checkInProgress = checkStatus?.startsWith('* ') ?? false;
	return {
		proxy: table.text('proxy', row) ?? '',
		service: table.text('service', row) ?? '',
		kind: table.kind(row),
		proxyId: number('iid'),
		serverId: number('sid'),
		status: table.text('status', row) ?? '',
		weight: number('weight'),
		active: (number('act') ?? 0) > 0,
		backup: (number('bck') ?? 0) > 0,
		queueCurrent: number('qcur'),
		currentSessions: number('scur') ?? 0,
		sessionLimit: number('slim'),
		totalSessions: number('stot') ?? 0,
		lbTotal: number('lbtot'),
		requestsTotal: number('reqTot'),
		lastChange: number('lastchg'),
		secondsSinceLastSession: (number('lastsess') ?? -1) < 0 ? null : number('lastsess'),
		tracked: table.text('tracked', row),
		checkStatus: checkInProgress ? checkStatus!.slice(2) : checkStatus,
		checkInProgress,
		checkCode: number('checkCode'),
		checkDescription: table.text('checkDesc', row),
		responses2xx: number('hrsp2xx'),
		responses5xx: number('hrsp5xx'),
		address: table.text('addr', row),
		mode: table.text('mode', row),
		algorithm: table.text('algo', row),
	};
}

/** Decodes `show stat` into one record per row, of the kinds asked for (see {@link statReader}). */
export function decodeStat(input: ReplyBytes, options: StatOptions = {}): StatRecord[] {
	const table = readStat(input);
	const wanted = options.kinds ? new Set(options.kinds) : undefined;
	const records: StatRecord[] = [];
	for (let row = 0; row < table.rows; row++) {
		if (!wanted || wanted.has(table.kind(row))) {
			records.push(statAt(table, row));
		}
	}

	return records;
}

function kindFromName(service: string): StatKind {
	if (service === 'FRONTEND') {
		return 'frontend';
	}

	return service === 'BACKEND' ? 'backend' : 'server';
}
