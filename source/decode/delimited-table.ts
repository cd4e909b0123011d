import * as z from 'zod/mini';
import {readCsvRecord} from './csv.js';
import {DecodeError, excerpt, type DecodedReply} from './decode-error.js';

/** The bytes of a reply: decoders read them without building one big string. */
export type ReplyBytes = string | Uint8Array;

export function asBuffer(input: ReplyBytes): Buffer {
	return typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

const newline = 10;
const quote = 34;
const minus = 45;
/** Longest record with quoted fields read: HAProxy builds each line of a dump in one 16 KB buffer. */
const maxQuotedRecordBytes = 1_048_576;
/** Bytes reserved when a dump outgrows its first chunk: a 10,000-server dump fits in about one step. */
const growFromFirstChunk = 4 * 1_048_576;

/** A column read from every row: an integer (parsed as it is read) or text (sliced on demand). */
export type ColumnSpec = {index: number; type: 'integer' | 'text'; required?: boolean};

type TableOptions = {
	separator: string;
	/** Fewest fields a row may have (exactly this many with `exactFields`). */
	minimumFields: number;
	exactFields?: boolean;
	/** The line number of the first row, for messages. */
	firstLine: number;
	/** Fields may be quoted (CSV). */
	csv?: boolean;
	/** About the shortest row in bytes: sizes the columns from the first chunk, to grow them rarely. */
	shortestRowBytes?: number;
	/** Called as each row has been read (the table grows as rows come in). */
	onRow?: (row: number) => void;
};

/** What every decoded table shows besides its rows: its size. */
export type DecodedTable = {
	readonly rows: number;
	/** Bytes of the rows read. */
	readonly bytes: number;
};

/** How a dump is read: each row as it comes. */
export type TableReaderOptions<T> = {
	/** Called as each row has been read and checked (to build the model while the dump arrives). */
	onRow?: (table: T, row: number) => void;
};

/** Whether the reply is complete (`final`: nothing more comes) while its rows are read. */
type Reading = {final: boolean};

/**
 * The rows of a delimited dump, read as the bytes arrive ({@link push}) so decoding overlaps the
 * time HAProxy takes to produce a large dump. For each wanted column it keeps the parsed integer
 * or where the text is; other columns are found in their row on demand. This keeps a
 * 10,000-server dump from becoming tens of thousands of short-lived objects, and validates rows
 * with strict readers rather than a zod schema per row (test/bench/README.md has the figures).
 * Errors are {@link DecodeError}s.
 */
export class DelimitedTable {
	rows = 0;
	private bytes: Buffer = Buffer.alloc(0);
	/** `bytes` is the caller's buffer, not ours: copy it before writing into it. */
	private adopted = false;
	private stored = 0;
	private parsed = 0;
	private ended = false;
	private lineNumber: number;
	private capacity = 0;
	private readonly separator: number;
	private readonly last: number;
	private readonly slot: Int32Array;
	private readonly integerColumns: Float64Array[];
	private readonly textStarts: Int32Array[];
	private readonly textEnds: Int32Array[];
	private readonly options: TableOptions;
	private rowStarts = new Int32Array(0);
	private rowEnds = new Int32Array(0);
	private lineNumbers = new Int32Array(0);
	/** Rows that needed the full CSV reader (quoted fields): their fields as strings. */
	private readonly quoted = new Map<number, string[]>();
	/** Per column, the last text sliced and where its bytes were: repeated values are reused. */
	private readonly lastStart: Int32Array;
	private readonly lastEnd: Int32Array;
	private readonly lastText: Array<string | undefined>;
	private spanStart = 0;
	private spanEnd = 0;
	/** Where the next `"` is (CSV), searched forward once rather than per line. */
	private nextQuote = -1;
	/** How far the line not yet ended was searched for its newline: each byte is searched once. */
	private searchedTo = 0;
	/** The record with quotes being searched for its end: where it starts, how far, inside quotes or not. */
	private recordStart = -1;
	private recordSearchedTo = 0;
	private insideQuotes = false;

	constructor(
		readonly reply: DecodedReply,
		readonly names: readonly string[],
		private readonly columns: readonly ColumnSpec[],
		options: TableOptions,
	) {
		this.options = options;
		this.separator = options.separator.charCodeAt(0);
		this.lineNumber = options.firstLine;
		this.last = Math.max(0, ...columns.map((column) => column.index));
		const width = names.length + 1;
		this.lastStart = new Int32Array(width);
		this.lastEnd = new Int32Array(width);
		this.lastText = Array.from({length: width}, () => undefined);
		this.slot = new Int32Array(this.last + 1).fill(-1);
		let integers = 0;
		let texts = 0;
		for (const column of columns) {
			this.slot[column.index] = column.type === 'integer' ? integers++ : -2 - texts++;
		}

		this.integerColumns = Array.from({length: integers}, () => new Float64Array(0));
		this.textStarts = Array.from({length: texts}, () => new Int32Array(0));
		this.textEnds = Array.from({length: texts}, () => new Int32Array(0));
		this.reserve(256);
	}

	/**
	 * Takes the next bytes of the reply and reads every complete row in them. Returns how many of
	 * these bytes belong to this dump: all of them until its closing empty line, which ends it.
	 */
	push(chunk: Buffer): number {
		if (this.ended) {
			return 0;
		}

		const before = this.stored;
		if (before === 0 && this.rows === 0) {
			this.firstChunk(chunk);
		} else {
			this.append(chunk);
		}

		this.readRows({final: false});
		return this.ended ? this.parsed - before : chunk.length;
	}

	/** Sizes the table from the first bytes, and takes them where they are (a whole reply is never copied). */
	private firstChunk(chunk: Buffer): void {
		const {shortestRowBytes} = this.options;
		this.reserve(shortestRowBytes ? Math.ceil(chunk.length / shortestRowBytes) : 0);
		this.bytes = chunk;
		this.adopted = true;
		this.stored = chunk.length;
		this.nextQuote = -1;
	}

	private append(chunk: Buffer): void {
		if (this.adopted || this.stored + chunk.length > this.bytes.length) {
			// Room ahead costs nothing until written (the pages are not touched), while every copy
			// of what was read touches fresh pages: grow in large steps, so a dump is copied about
			// once, not the twice of doubling.
			const grown = Buffer.allocUnsafe(Math.max(this.adopted ? growFromFirstChunk : this.bytes.length * 4, this.stored + chunk.length));
			this.bytes.copy(grown, 0, 0, this.stored);
			this.bytes = grown;
			this.adopted = false;
		}

		chunk.copy(this.bytes, this.stored);
		this.stored += chunk.length;
		this.nextQuote = -1;
	}

	/** Bytes read so far (rows included). */
	get bytesRead(): number {
		return this.parsed;
	}

	/** Ends the reply: it must have closed with an empty line, else it was cut short. */
	finish(): this {
		if (!this.ended) {
			this.readRows({final: true});
		}

		if (!this.ended) {
			throw new DecodeError(this.reply, 'the reply ended before its closing empty line (truncated)');
		}

		return this;
	}

	/** Reads the complete rows received; `final`: nothing more comes, so an incomplete row is an error. */
	private readRows(reading: Reading): void {
		const {final} = reading;
		// Searches stay within what was received: the rest of the buffer is unused capacity.
		const view = this.bytes.subarray(0, this.stored);
		while (this.parsed < this.stored) {
			const position = this.parsed;
			const lineEnd = view.indexOf(newline, Math.max(position, this.searchedTo));
			if (lineEnd === position) {
				this.ended = true;
				this.parsed = position + 1;
				return;
			}

			if (lineEnd === -1) {
				if (final && this.parsed < this.stored) {
					throw new DecodeError(this.reply, `line ${this.lineNumber} is cut short (truncated)`);
				}

				this.searchedTo = this.stored;
				return;
			}

			if (this.options.csv && this.quoteBefore(view, position, lineEnd)) {
				const recordEnd = this.quotedRecordEnd(view, position);
				if (recordEnd === -1 && !final) {
					if (this.stored - position > maxQuotedRecordBytes) {
						throw new DecodeError(this.reply, `line ${this.lineNumber} opens a quoted field longer than any HAProxy prints (more than ${maxQuotedRecordBytes / 1_048_576} MB)`);
					}

					return;
				}

				if (!this.readQuoted(position, recordEnd, reading)) {
					return;
				}

				continue;
			}

			this.readRow(position, lineEnd);
			this.parsed = lineEnd + 1;
			this.lineNumber++;
			this.options.onRow?.(this.rows - 1);
		}
	}

	/**
	 * The newline that ends the record starting at `position` (the first one outside quotes), or
	 * -1 while it is still open. Searching goes on where it stopped: each byte is looked at once.
	 */
	private quotedRecordEnd(view: Buffer, position: number): number {
		if (this.recordStart !== position) {
			this.recordStart = position;
			this.recordSearchedTo = position;
			this.insideQuotes = false;
		}

		for (let index = this.recordSearchedTo; index < this.stored; index++) {
			const byte = view[index];
			if (byte === quote) {
				this.insideQuotes = !this.insideQuotes;
			} else if (byte === newline && !this.insideQuotes) {
				this.recordSearchedTo = index + 1;
				return index;
			}
		}

		this.recordSearchedTo = this.stored;
		return -1;
	}

	private quoteBefore(view: Buffer, position: number, lineEnd: number): boolean {
		if (this.nextQuote !== Number.POSITIVE_INFINITY && (this.nextQuote === -1 || this.nextQuote < position)) {
			const found = view.indexOf(quote, position);
			this.nextQuote = found === -1 ? Number.POSITIVE_INFINITY : found;
		}

		return this.nextQuote < lineEnd;
	}

	private grow(): void {
		this.reserve(this.capacity * 4);
	}

	/**
	 * Makes room for `rows` rows. All columns live in one ArrayBuffer: at these sizes each
	 * separate typed array would be its own mmap and page faults.
	 */
	private reserve(rows: number): void {
		if (rows <= this.capacity) {
			return;
		}

		const old = {integers: [...this.integerColumns], starts: [...this.textStarts], ends: [...this.textEnds], rowStarts: this.rowStarts, rowEnds: this.rowEnds, lines: this.lineNumbers};
		const used = this.rows;
		this.capacity = rows;
		const floats = this.integerColumns.length;
		const ints = this.textStarts.length * 2 + 3;
		const bytes = rows * (floats * 8 + ints * 4);
		const memory = new ArrayBuffer(bytes);
		let offset = 0;
		const float = () => {
			const view = new Float64Array(memory, offset, rows);
			offset += rows * 8;
			return view;
		};

		const int = () => {
			const view = new Int32Array(memory, offset, rows);
			offset += rows * 4;
			return view;
		};

		for (let index = 0; index < floats; index++) {
			this.integerColumns[index] = float();
			this.integerColumns[index]!.set(old.integers[index]!.subarray(0, used));
		}

		for (let index = 0; index < this.textStarts.length; index++) {
			this.textStarts[index] = int();
			this.textStarts[index]!.set(old.starts[index]!.subarray(0, used));
			this.textEnds[index] = int();
			this.textEnds[index]!.set(old.ends[index]!.subarray(0, used));
		}

		this.rowStarts = int();
		this.rowStarts.set(old.rowStarts.subarray(0, used));
		this.rowEnds = int();
		this.rowEnds.set(old.rowEnds.subarray(0, used));
		this.lineNumbers = int();
		this.lineNumbers.set(old.lines.subarray(0, used));
	}

	private readRow(position: number, end: number): void {
		if (this.rows === this.capacity) {
			this.grow();
		}

		const row = this.rows;
		const bytes = this.bytes;
		const separator = this.separator;
		const last = this.last;
		const exact = this.options.exactFields ?? false;
		this.rowStarts[row] = position;
		this.rowEnds[row] = end;
		this.lineNumbers[row] = this.lineNumber;
		let field = 0;
		let index = position;
		for (;;) {
			const fieldStart = index;
			while (index < end && bytes[index] !== separator) {
				index++;
			}

			if (field <= last) {
				const at = this.slot[field]!;
				if (at >= 0) {
					this.integerColumns[at]![row] = this.integerAt(fieldStart, index, field);
				} else if (at <= -2) {
					this.textStarts[-2 - at]![row] = fieldStart;
					this.textEnds[-2 - at]![row] = index;
				}
			}

			field++;
			if (index >= end || (field > last && !exact)) {
				break;
			}

			index++;
		}

		if (field < this.options.minimumFields || (exact && field !== this.options.minimumFields)) {
			throw new DecodeError(this.reply, `line ${this.lineNumber} has ${field} fields where the header names ${this.names.length} (truncated or not a ${this.reply} dump)`);
		}

		this.rows++;
	}

	private integerAt(start: number, end: number, column: number): number {
		if (start === end) {
			if (this.columns.find((spec) => spec.index === column)?.required) {
				throw this.errorAt(column, 'expected an integer, got nothing');
			}

			return Number.NaN;
		}

		const bytes = this.bytes;
		let index = start;
		const negative = bytes[index] === minus;
		if (negative) {
			index++;
		}

		if (index === end || end - index > 15) {
			throw this.errorAt(column, `expected an integer, got ${excerpt(bytes.toString('latin1', start, end))}`);
		}

		let value = 0;
		for (; index < end; index++) {
			const digit = bytes[index]! - 48;
			if (digit < 0 || digit > 9) {
				throw this.errorAt(column, `expected an integer, got ${excerpt(bytes.toString('latin1', start, end))}`);
			}

			value = value * 10 + digit;
		}

		return negative ? -value : value;
	}

	/**
	 * A record with quoted fields, read with the full CSV reader up to `recordEnd` (its newline,
	 * -1: unknown); false while it is incomplete.
	 */
	private readQuoted(position: number, recordEnd: number, {final}: Reading): boolean {
		let text = this.bytes.toString('utf8', position, recordEnd === -1 ? this.stored : recordEnd + 1);
		let record = readCsvRecord(text, 0);
		if (!record.complete && recordEnd !== -1) {
			// A quote inside an unquoted field: the reader, not the quote count, decides.
			text = this.bytes.toString('utf8', position, this.stored);
			record = readCsvRecord(text, 0);
		}

		if (!record.complete) {
			if (final) {
				throw new DecodeError(this.reply, `line ${this.lineNumber} ends inside a quoted field (truncated)`);
			}

			return false;
		}

		if (record.fields.length < this.options.minimumFields) {
			throw new DecodeError(this.reply, `line ${this.lineNumber} has ${record.fields.length} fields where the header names ${this.names.length} (truncated or not a ${this.reply} dump)`);
		}

		if (this.rows === this.capacity) {
			this.grow();
		}

		const row = this.rows;
		this.quoted.set(row, record.fields);
		this.lineNumbers[row] = this.lineNumber;
		for (const column of this.columns) {
			if (column.type === 'integer') {
				this.integerColumns[this.slot[column.index]!]![row] = this.integerText(record.fields[column.index] ?? '', column);
			}
		}

		this.rows++;
		this.parsed = position + Buffer.byteLength(text.slice(0, record.next));
		for (let index = 0; index < record.next; index++) {
			if (text.charCodeAt(index) === newline) {
				this.lineNumber++;
			}
		}

		this.options.onRow?.(row);
		return true;
	}

	private integerText(text: string, column: ColumnSpec): number {
		if (text === '') {
			if (column.required) {
				throw this.errorAt(column.index, 'expected an integer, got nothing');
			}

			return Number.NaN;
		}

		if (!/^-?[0-9]{1,15}$/.test(text)) {
			throw this.errorAt(column.index, `expected an integer, got ${excerpt(text)}`);
		}

		return Number(text);
	}

	/** Every row's value of an integer column (NaN where empty), or all NaN for a column not read. */
	integers(column: number): Float64Array {
		const at = column === -1 ? -1 : (this.slot[column] ?? -1);
		if (at < 0) {
			return new Float64Array(this.rows).fill(Number.NaN);
		}

		return this.integerColumns[at]!.subarray(0, this.rows);
	}

	/** One row's value of an integer column (NaN where empty or not read). */
	integer(column: number, row: number): number {
		const at = column === -1 ? -1 : (this.slot[column] ?? -1);
		return at < 0 ? Number.NaN : this.integerColumns[at]![row]!;
	}

	/** Replaces one row's integer (a masked value). */
	setInteger(column: number, row: number, value: number): void {
		const at = this.slot[column] ?? -1;
		if (at >= 0) {
			this.integerColumns[at]![row] = value;
		}
	}

	/** Where a field is (into spanStart/spanEnd): from the columns read up front, else by scanning its row now. */
	private span(column: number, row: number): void {
		const at = column <= this.last ? this.slot[column]! : -1;
		if (at <= -2) {
			this.spanStart = this.textStarts[-2 - at]![row]!;
			this.spanEnd = this.textEnds[-2 - at]![row]!;
			return;
		}

		const bytes = this.bytes;
		const end = this.rowEnds[row]!;
		let field = 0;
		let start = this.rowStarts[row]!;
		for (let index = start; index <= end; index++) {
			if (index === end || bytes[index] === this.separator) {
				if (field === column) {
					this.spanStart = start;
					this.spanEnd = index;
					return;
				}

				field++;
				start = index + 1;
			}
		}

		this.spanStart = end;
		this.spanEnd = end;
	}

	isEmpty(column: number, row: number): boolean {
		const quoted = this.quoted.size > 0 ? this.quoted.get(row) : undefined;
		if (quoted) {
			return (quoted[column] ?? '') === '';
		}

		this.span(column, row);
		return this.spanStart === this.spanEnd;
	}

	/**
	 * The field as text; `latin1` is faster and right for HAProxy's ASCII names and words. When
	 * the bytes equal the last text read from this column (`UP`, `L7OK` row after row), that
	 * string is reused instead of sliced again.
	 */
	text(column: number, row: number, encoding: 'latin1' | 'utf8' = 'latin1'): string {
		const quoted = this.quoted.size > 0 ? this.quoted.get(row) : undefined;
		if (quoted) {
			return quoted[column] ?? '';
		}

		this.span(column, row);
		const start = this.spanStart;
		const end = this.spanEnd;
		const last = this.lastText[column];
		const lastStart = this.lastStart[column]!;
		if (last !== undefined && this.lastEnd[column]! - lastStart === end - start && end - start <= 24 && sameBytes(this.bytes, lastStart, start, end - start)) {
			return last;
		}

		const text = this.bytes.toString(encoding, start, end);
		this.lastText[column] = text;
		this.lastStart[column] = start;
		this.lastEnd[column] = end;
		return text;
	}

	private errorAt(column: number, detail: string): DecodeError {
		return new DecodeError(this.reply, `line ${this.lineNumber}, ${this.names[column] ?? `column ${column + 1}`}: ${detail}`);
	}

	error(column: number, row: number, detail: string): DecodeError {
		return new DecodeError(this.reply, `line ${this.lineNumbers[row]}, ${this.names[column] ?? `column ${column + 1}`}: ${detail}`);
	}
}

function sameBytes(bytes: Buffer, a: number, b: number, length: number): boolean {
	for (let index = 0; index < length; index++) {
		if (bytes[a + index] !== bytes[b + index]) {
			return false;
		}
	}

	return true;
}

/**
 * What every decoded table shows of its {@link DelimitedTable}. Tables are classes, not object
 * literals made per read: every poll's table then shares one shape and one set of methods, so
 * the code that reads 10,000 rows stays optimised from one poll to the next (a literal with
 * getters is a new shape each time).
 */
export abstract class TableView implements DecodedTable {
	constructor(protected readonly table: DelimitedTable) {}

	get rows(): number {
		return this.table.rows;
	}

	get bytes(): number {
		return this.table.bytesRead;
	}
}

const headerSchema = z.array(z.string());

/**
 * The field names of a dump's header, checked only where they are read: each of the `read`
 * columns appears at most once (else "the header names … twice"), and the `required` ones are
 * all there (else "the header lacks …"). Other columns may be named anything: HAProxy 2.8.0's
 * `show stat` header names one column `(null)` and another `-` (columns its dump code left
 * unnamed, fixed in later 2.8 releases), and a later release may add columns of its own.
 */
export function checkedHeader(reply: DecodedReply, fields: string[], read: readonly string[], required: readonly string[]): string[] {
	const header = headerSchema.parse(fields);
	const repeated = read.filter((column) => header.indexOf(column) !== header.lastIndexOf(column));
	if (repeated.length > 0) {
		throw new DecodeError(reply, `the header names ${repeated.join(', ')} twice`);
	}

	const missing = required.filter((column) => !header.includes(column));
	if (missing.length > 0) {
		throw new DecodeError(reply, `the header lacks ${missing.join(', ')}`);
	}

	return header;
}
