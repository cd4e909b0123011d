import {DecodeError, type DecodedReply} from './decode-error.js';
import {asBuffer, type ReplyBytes} from './delimited-table.js';

/**
 * Reads one reply as its bytes arrive: `push` says how many bytes were its own, `finish` gives
 * the result (the same one however often it is asked).
 */
export type DumpReader<T> = {push(chunk: Buffer): number; finish(): T};

/** Longest header read before a dump's rows: HAProxy's are a few hundred bytes. */
const maxHeaderBytes = 65_536;

/**
 * A reader that first collects `headerLines` whole lines, hands them to `start` (which checks
 * them and returns the reader of the rows), then passes every later byte to that reader. Each
 * chunk is searched once, however the header is cut into chunks.
 */
export function afterHeader<T>(reply: DecodedReply, headerLines: number, start: (lines: string[]) => DumpReader<T>): DumpReader<T> {
	/** Chunks of the header not yet complete, and where its line ends are (offsets from its start). */
	let parts: Buffer[] = [];
	let stored = 0;
	const ends: number[] = [];
	let body: DumpReader<T> | undefined;
	let result: {value: T} | undefined;
	const linesOf = (head: Buffer, {final}: {final: boolean}): string[] => {
		const lines = ends.map((end, index) => head.toString('latin1', index === 0 ? 0 : ends[index - 1]! + 1, end));
		const last = ends.length === 0 ? 0 : ends.at(-1)! + 1;
		return final && last < head.length ? [...lines, head.toString('latin1', last)] : lines;
	};

	return {
		push(chunk) {
			if (body) {
				return body.push(chunk);
			}

			const before = stored;
			for (let from = 0; ends.length < headerLines; ) {
				const at = chunk.indexOf(10, from);
				if (at === -1) {
					break;
				}

				ends.push(before + at);
				from = at + 1;
			}

			if (ends.length < headerLines) {
				stored += chunk.length;
				if (stored > maxHeaderBytes) {
					throw new DecodeError(reply, 'the header is longer than any HAProxy prints (not a dump)');
				}

				parts.push(chunk);
				return chunk.length;
			}

			const used = ends[headerLines - 1]! + 1 - before;
			const head = parts.length === 0 ? chunk.subarray(0, used) : Buffer.concat([...parts, chunk.subarray(0, used)]);
			parts = [];
			body = start(linesOf(head, {final: false}));
			return used + body.push(chunk.subarray(used));
		},
		finish() {
			if (result) {
				return result.value;
			}

			if (!body) {
				if (stored === 0) {
					throw new DecodeError(reply, 'the reply is empty');
				}

				body = start(linesOf(Buffer.concat(parts), {final: true}));
				parts = [];
			}

			result = {value: body.finish()};
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
