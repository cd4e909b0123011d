import * as z from 'zod/mini';
import {DecodeError, excerpt} from './decode-error.js';

/** One entry of a map as HAProxy holds it: its key and its value, in HAProxy's order. */
export type HeldMapEntry = {key: string; value: string};

// `0x<address of the entry> <key>[ <value>]`: the key holds no space (the file's and the CLI's
// syntax both end it at one), the value is the rest of the line.
const entryLine = z.string().check(z.regex(/^0x[0-9a-fA-F]{1,16} [^ ]+(?: .*)?$/));

/**
 * Decodes `show map <name>`: one entry a line, then an empty line (README.md). HAProxy's answer
 * when it has no map of that name (`Unknown map identifier. Please use #<id> or <file>.`) is null.
 */
export function decodeMapEntries(reply: string): HeldMapEntry[] | null {
	if (reply.startsWith('Unknown map identifier')) {
		return null;
	}

	const entries: HeldMapEntry[] = [];
	for (const line of reply.split('\n')) {
		if (line === '') {
			continue;
		}

		if (!entryLine.safeParse(line).success) {
			throw new DecodeError('show map', `a line is not "0x<address> <key> <value>": ${excerpt(line)}`);
		}

		const afterAddress = line.indexOf(' ') + 1;
		const afterKey = line.indexOf(' ', afterAddress);
		entries.push(afterKey === -1 ? {key: line.slice(afterAddress), value: ''} : {key: line.slice(afterAddress, afterKey), value: line.slice(afterKey + 1)});
	}

	return entries;
}
