import {DecodeError, type DecodedReply} from './decode-error.js';
import {asBuffer, type ReplyBytes} from './delimited-table.js';

/**
 * Reads one reply as its bytes arrive: `push` says how many bytes were its own, `finish` gives
 * the result (the same one however often it is asked).
 */
export type DumpReader<T> = {push(chunk: Buffer): number; finish(): T};

/**
 * A reader that first collects `headerLines` whole lines, hands them to `start` (which checks
 * them and returns the reader of the rows), then passes every later byte to that reader.
 */
export function afterHeader<T>(reply: DecodedReply, headerLines: number, start: (lines: string[]) => DumpReader<T>): DumpReader<T> {
	let head: Buffer = Buffer.alloc(0);
	let body: DumpReader<T> | undefined;
	let result: {value: T} | undefined;
	const tryStart = (final: boolean): number => {
		let position = 0;
		const lines: string[] = [];
		for (let line = 0; line < headerLines; line++) {
			const end = head.indexOf(10, position);
			if (end === -1) {
				if (final) {
					lines.push(head.toString('latin1', position));
					body = start(lines);
					return head.length;
				}

				return -1;
			}

			lines.push(head.toString('latin1', position, end));
			position = end + 1;
		}

		body = start(lines);
		return position;
	};

	return {
		push(chunk) {
			if (body) {
				return body.push(chunk);
			}

			const before = head.length;
			head = before === 0 ? chunk : Buffer.concat([head, chunk]);
			const used = tryStart(false);
			if (used === -1) {
				if (head.length > 65_536) {
					throw new DecodeError(reply, 'the header is longer than any HAProxy prints (not a dump)');
				}

				return chunk.length;
			}

			const rest = head.subarray(used);
			head = Buffer.alloc(0);
			return used - before + body!.push(rest);
		},
		finish() {
			if (result) {
				return result.value;
			}

			if (!body) {
				if (head.length === 0) {
					throw new DecodeError(reply, 'the reply is empty');
				}

				tryStart(true);
			}

			result = {value: body!.finish()};
			return result.value;
		},
	};
}

/** Feeds one stream to several readers in turn, as `show info;show servers state` replies follow each other. */
export function feedInTurn(readers: ReadonlyArray<DumpReader<unknown>>): {push(chunk: Buffer): void; finish(): void} {
	let current = 0;
	return {
		push(chunk) {
			let rest = chunk;
			while (rest.length > 0 && current < readers.length) {
				const used = readers[current]!.push(rest);
				if (used < rest.length) {
					current++;
				}

				rest = rest.subarray(used);
			}
		},
		finish() {
			for (const reader of readers) {
				reader.finish();
			}
		},
	};
}

/** A reader that feeds a table and hands back its live view once the table is complete. */
export function tableReader<T>(table: {push(chunk: Buffer): number; finish(): void}, live: T): DumpReader<T> {
	return {
		push: (chunk) => table.push(chunk),
		finish() {
			table.finish();
			return live;
		},
	};
}

/** Reads a whole reply at once through a streaming reader. */
export function readWhole<T>(reader: DumpReader<T>, input: ReplyBytes): T {
	reader.push(asBuffer(input));
	return reader.finish();
}
