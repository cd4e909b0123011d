import {DecodeError, excerpt, type DecodedReply} from './decode-error.js';

/**
 * Reads the fields of one delimited row in place: it records where each wanted column starts
 * and ends instead of splitting the row, and parses integers from character codes, so a dump of
 * 10,000 servers allocates strings only for the text fields in use.
 *
 * The hot decoders (`show stat`, `show servers state`) validate rows with these strict readers
 * rather than a zod schema per row: a zod parse per row costs about 40 ms per 10,000 rows on a
 * cold start, most of the decode budget (test/bench). Headers, `show info` and every other input
 * still go through zod.
 */
export class RowReader {
	readonly reply: DecodedReply;
	private readonly starts: Int32Array;
	private readonly ends: Int32Array;
	private readonly names: readonly string[];
	private line = '';
	private lineNumber = 0;

	constructor(reply: DecodedReply, names: readonly string[]) {
		this.reply = reply;
		this.names = names;
		this.starts = new Int32Array(names.length);
		this.ends = new Int32Array(names.length);
	}

	/** Locates the first `columns` fields of `line`; returns how many fields were found (at most `columns`). */
	load(line: string, lineNumber: number, separator: string, columns: number): number {
		this.line = line;
		this.lineNumber = lineNumber;
		let position = 0;
		let found = 0;
		while (found < columns) {
			const end = line.indexOf(separator, position);
			this.starts[found] = position;
			this.ends[found] = end === -1 ? line.length : end;
			found++;
			if (end === -1) {
				break;
			}

			position = end + 1;
		}

		return found;
	}

	/** Uses fields already split (a quoted CSV record): offsets then point into a joined copy. */
	loadFields(fields: readonly string[], lineNumber: number): void {
		let position = 0;
		const parts: string[] = [];
		for (let index = 0; index < fields.length && index < this.starts.length; index++) {
			const field = fields[index]!;
			this.starts[index] = position;
			this.ends[index] = position + field.length;
			parts.push(field);
			position += field.length + 1;
		}

		this.line = parts.join('\u0000');
		this.lineNumber = lineNumber;
	}

	isEmpty(column: number): boolean {
		return this.starts[column] === this.ends[column];
	}

	text(column: number): string {
		return this.line.slice(this.starts[column], this.ends[column]);
	}

	requiredText(column: number): string {
		if (this.isEmpty(column)) {
			throw this.error(column, 'the field is empty');
		}

		return this.text(column);
	}

	integer(column: number): number {
		const value = this.optionalInteger(column);
		if (value === null) {
			throw this.error(column, 'expected an integer, got nothing');
		}

		return value;
	}

	/** An integer, or null for an empty field (`show stat` leaves counters that do not apply empty). */
	optionalInteger(column: number): number | null {
		const line = this.line;
		const end = this.ends[column]!;
		let index = this.starts[column]!;
		if (index === end) {
			return null;
		}

		let negative = false;
		if (line.charCodeAt(index) === 45) {
			negative = true;
			index++;
		}

		if (index === end || end - index > 15) {
			throw this.error(column, `expected an integer, got ${excerpt(this.text(column))}`);
		}

		let value = 0;
		for (; index < end; index++) {
			const digit = line.charCodeAt(index) - 48;
			if (digit < 0 || digit > 9) {
				throw this.error(column, `expected an integer, got ${excerpt(this.text(column))}`);
			}

			value = value * 10 + digit;
		}

		return negative ? -value : value;
	}

	error(column: number, detail: string): DecodeError {
		return new DecodeError(this.reply, `line ${this.lineNumber}, ${this.names[column] ?? `column ${column + 1}`}: ${detail}`);
	}
}
