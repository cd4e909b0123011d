import {z} from 'zod';
import {readCsvRecord} from './csv.js';
import {DecodeError} from './decode-error.js';
import {RowReader} from './fields.js';

/** What a `show stat` row describes (its `type` column). */
export type StatKind = 'frontend' | 'backend' | 'server' | 'listener';

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

const headerSchema = z
	.array(z.string().regex(/^(?:[a-z0-9_]+|-)$/, 'field names are lower-case words'));

export type StatOptions = {
	/** Keep only these kinds (default: every row). Other rows are skipped before they are read. */
	kinds?: readonly StatKind[];
};

/**
 * Decodes `show stat` CSV by header name: `# pxname,svname,…,` then one row per proxy or
 * server, each ending with `,`, then an empty line. Fields are quoted only when needed; quoted
 * records (even ones spanning lines) go through a full CSV reader.
 */
export function decodeStat(reply: string, options: StatOptions = {}): StatRecord[] {
	const headerEnd = reply.indexOf('\n');
	if (reply.trim() === '') {
		throw new DecodeError('show stat', 'the reply is empty');
	}

	const headerLine = headerEnd === -1 ? reply : reply.slice(0, headerEnd);
	if (!headerLine.startsWith('# ')) {
		throw new DecodeError('show stat', 'the first line is not the "# pxname,svname,…" header');
	}

	const rawNames = headerLine.slice(2).replace(/,$/, '').split(',');
	const header = headerSchema.safeParse(rawNames);
	if (!header.success) {
		throw new DecodeError('show stat', `the header is malformed (${header.error.issues[0]?.message ?? 'invalid'})`);
	}

	const names = header.data;
	const missing = requiredColumns.filter((column) => !names.includes(column));
	if (missing.length > 0) {
		throw new DecodeError('show stat', `the header lacks ${missing.join(', ')}`);
	}

	const at = (name: string) => names.indexOf(name);
	const c = {
		proxy: at('pxname'),
		service: at('svname'),
		qcur: at('qcur'),
		scur: at('scur'),
		slim: at('slim'),
		stot: at('stot'),
		status: at('status'),
		weight: at('weight'),
		act: at('act'),
		bck: at('bck'),
		lastchg: at('lastchg'),
		iid: at('iid'),
		sid: at('sid'),
		lbtot: at('lbtot'),
		tracked: at('tracked'),
		type: at('type'),
		checkStatus: at('check_status'),
		checkCode: at('check_code'),
		hrsp2xx: at('hrsp_2xx'),
		hrsp5xx: at('hrsp_5xx'),
		reqTot: at('req_tot'),
		checkDesc: at('check_desc'),
		addr: at('addr'),
		mode: at('mode'),
		algo: at('algo'),
	};
	const needed = Math.max(...Object.values(c)) + 1;
	const keep = options.kinds ? new Set(options.kinds) : undefined;
	const row = new RowReader('show stat', names);
	const records: StatRecord[] = [];
	const optionalInt = (column: number) => (column === -1 ? null : row.optionalInteger(column));
	const optionalText = (column: number) => (column === -1 || row.isEmpty(column) ? null : row.text(column));

	let position = headerEnd === -1 ? reply.length : headerEnd + 1;
	let lineNumber = 1;
	let ended = false;
	while (position < reply.length) {
		const newline = reply.indexOf('\n', position);
		const lineEnd = newline === -1 ? reply.length : newline;
		lineNumber++;
		if (lineEnd === position) {
			ended = newline !== -1;
			break;
		}

		const line = reply.slice(position, lineEnd);
		if (line.includes('"')) {
			const record = readCsvRecord(reply, position);
			if (!record.complete) {
				throw new DecodeError('show stat', `line ${lineNumber} ends inside a quoted field (truncated)`);
			}

			lineNumber += countBreaks(reply, position, record.next) - 1;
			position = record.next;
			if (record.fields.length < needed) {
				throw new DecodeError('show stat', `line ${lineNumber} has ${record.fields.length} fields where the header names ${names.length} (truncated or not CSV stats)`);
			}

			row.loadFields(record.fields, lineNumber);
		} else {
			position = newline === -1 ? reply.length : newline + 1;
			const found = row.load(line, lineNumber, ',', needed);
			if (found < needed || newline === -1) {
				throw new DecodeError('show stat', `line ${lineNumber} has ${found} fields where the header names ${names.length} (truncated or not CSV stats)`);
			}
		}

		const service = row.requiredText(c.service);
		const type = c.type === -1 ? null : row.optionalInteger(c.type);
		const kind = type === null ? kindFromName(service) : kindByType[type];
		if (kind === undefined) {
			throw row.error(c.type, `${type} is not a known row type (0 to 3)`);
		}

		if (keep && !keep.has(kind)) {
			continue;
		}

		const checkStatus = optionalText(c.checkStatus);
		const checkInProgress = checkStatus?.startsWith('* ') ?? false;
		records.push({
			proxy: row.requiredText(c.proxy),
			service,
			kind,
			proxyId: optionalInt(c.iid),
			serverId: optionalInt(c.sid),
			status: row.text(c.status),
			weight: optionalInt(c.weight),
			active: (optionalInt(c.act) ?? 0) > 0,
			backup: (optionalInt(c.bck) ?? 0) > 0,
			queueCurrent: optionalInt(c.qcur),
			currentSessions: row.optionalInteger(c.scur) ?? 0,
			sessionLimit: optionalInt(c.slim),
			totalSessions: row.optionalInteger(c.stot) ?? 0,
			lbTotal: optionalInt(c.lbtot),
			requestsTotal: optionalInt(c.reqTot),
			lastChange: optionalInt(c.lastchg),
			tracked: optionalText(c.tracked),
			checkStatus: checkInProgress ? checkStatus!.slice(2) : checkStatus,
			checkInProgress,
			checkCode: optionalInt(c.checkCode),
			checkDescription: optionalText(c.checkDesc),
			responses2xx: optionalInt(c.hrsp2xx),
			responses5xx: optionalInt(c.hrsp5xx),
			address: optionalText(c.addr),
			mode: optionalText(c.mode),
			algorithm: optionalText(c.algo),
		});
	}

	if (!ended) {
		throw new DecodeError('show stat', 'the reply ended before its closing empty line (truncated)');
	}

	return records;
}

function kindFromName(service: string): StatKind {
	if (service === 'FRONTEND') {
		return 'frontend';
	}

	return service === 'BACKEND' ? 'backend' : 'server';
}

function countBreaks(text: string, from: number, to: number): number {
	let breaks = 0;
	for (let index = from; index < to; index++) {
		if (text.charCodeAt(index) === 10) {
			breaks++;
		}
	}

	return breaks;
}
