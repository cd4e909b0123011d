import {closeSync, constants, fstatSync, openSync, readSync} from 'node:fs';

/** One entry of a map file: its key, its value and the line it is on (HAProxy's count). */
export type MapEntry = {key: string; value: string; line: number};

/**
 * A map as read, or why it could not be (a clause naming the file and the error; `missing`: it
 * does not exist, and an `opt@` map is then empty). `held`: read from the running HAProxy (`show
 * map`), with what `add map`/`set map` changed since it loaded the file; `line` is then the entry's
 * place in HAProxy's list, not a line of the file.
 */
export type MapRead = {file: string; entries: MapEntry[]; held?: true} | {file: string; problem: string; missing?: boolean};

/** The most drainboard reads of a map file: far above a hand-written one, a bound for the generated. */
export const maxMapBytes = 4 * 1024 * 1024;
const maxMapLines = 200_000;

/** `fgets()` into HAProxy's trash buffer (tune.bufsize, 16384 by default) reads at most 16383 bytes a time. */
const fgetsBytes = 16_383;

/**
 * Parses a map file's text (bytes read as latin1, one character a byte) the way
 * `pat_ref_read_from_file_smp()` (src/pattern.c) does: a line starting with `#` (in its first
 * column) is a comment; leading spaces and tabs are stripped; a line that is then empty is
 * skipped; the key is the first run of characters that are not space, tab, CR or LF (there is no
 * escape: a key cannot hold a space); the value is the rest up to CR or LF, without the spaces and
 * tabs around it. A NUL ends the line (C strings); a line longer than `fgets()` reads at once is
 * read as several lines, as HAProxy does.
 */
export function parseMapText(text: string): MapEntry[] {
	const entries: MapEntry[] = [];
	let line = 0;
	for (const physical of text.split(/(?<=\n)/)) {
		for (let start = 0; start < physical.length; start += fgetsBytes) {
			line++;
			const chunk = physical.slice(start, start + fgetsBytes).split('\0')[0]!;
			if (chunk.startsWith('#')) {
				continue;
			}

			const parsed = /^[ \t]*([^ \t\r\n]*)[ \t]*([^\r\n]*)/.exec(chunk)!;
			const key = parsed[1]!;
			if (key === '') {
				continue;
			}

			entries.push({key, value: parsed[2]!.replace(/[ \t]+$/, ''), line});
		}
	}

	return entries;
}

function errorText(error: unknown): string {
	if (error instanceof Error) {
		const code = (error as NodeJS.ErrnoException).code;
		const known: Record<string, string> = {ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'it is a directory', ELOOP: 'too many symbolic links'};
		return code ? (known[code] ?? code) : error.message;
	}

	return String(error);
}

/**
 * Reads a map file (an absolute path) and parses it, bounded: a file that is not a regular one
 * after following links (a FIFO, a device, a directory) is not read (it is opened without
 * blocking, then checked), nor one larger than {@link maxMapBytes} or of more than
 * {@link maxMapLines} lines.
 */
export function readMapFile(file: string): MapRead {
	let descriptor: number | undefined;
	try {
		descriptor = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
		const stat = fstatSync(descriptor);
		if (!stat.isFile()) {
			return {file, problem: `${file} is not a regular file`};
		}

		if (stat.size > maxMapBytes) {
			return {file, problem: `${file} is larger than ${maxMapBytes / 1024 / 1024} MiB, more than drainboard reads`};
		}

		// Sized by the file (one byte more, to see it grow), grown while it grows, never past the limit.
		let buffer = Buffer.alloc(Math.min(stat.size + 1, maxMapBytes + 1));
		let total = 0;
		for (;;) {
			if (total === buffer.length) {
				const larger = Buffer.alloc(Math.min(buffer.length * 2 + 4096, maxMapBytes + 1));
				buffer.copy(larger, 0, 0, total);
				buffer = larger;
			}

			const read = readSync(descriptor, buffer, total, buffer.length - total, null);
			total += read;
			if (read === 0 || total > maxMapBytes) {
				break;
			}
		}

		if (total > maxMapBytes) {
			return {file, problem: `${file} is larger than ${maxMapBytes / 1024 / 1024} MiB, more than drainboard reads`};
		}

		const text = buffer.subarray(0, total).toString('latin1');
		const lines = text.split('\n').length;
		if (lines > maxMapLines) {
			return {file, problem: `${file} has more than ${maxMapLines} lines, more than drainboard reads`};
		}

		return {file, entries: parseMapText(text)};
	} catch (error) {
		const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
		return {file, problem: `${file} cannot be read (${errorText(error)})`, ...(missing ? {missing} : {})};
	} finally {
		if (descriptor !== undefined) {
			closeSync(descriptor);
		}
	}
}
