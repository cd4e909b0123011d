import * as z from 'zod/mini';
import {DecodeError} from './decode-error.js';
import type {DumpReader} from './dump-reader.js';

/** What `show info` says about one HAProxy process. */
export type InstanceInfo = {
	name: string;
	version: string;
	pid: number;
	uptimeSeconds: number | null;
	/** Start_time_sec (2.4+): with pid, identifies one HAProxy process across reloads. */
	startTime: number | null;
	stopping: boolean;
	node: string | null;
};

const integer = z.pipe(z.string().check(z.regex(/^[0-9]{1,15}$/, 'not a whole number')), z.transform(Number));

const infoSchema = z.object({
	Name: z.string().check(z.minLength(1, 'empty')),
	Version: z.string().check(z.minLength(1, 'empty')),
	Pid: integer,
	Uptime_sec: z.optional(integer),
	Start_time_sec: z.optional(integer),
	Stopping: z.optional(z.enum(['0', '1'], '0 or 1 expected')),
	node: z.optional(z.string()),
});

/** Decodes `show info`: one `Key: value` a line, then an empty line. */
export function decodeInfo(reply: string): InstanceInfo {
	const fields: Record<string, string> = {};
	for (const line of reply.split('\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) {
			fields[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
		}
	}

	if (Object.keys(fields).length === 0) {
		throw new DecodeError('show info', reply.trim() === '' ? 'the reply is empty' : 'no "Key: value" lines found');
	}

	const parsed = infoSchema.safeParse(fields);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const key = String(issue?.path[0] ?? '?');
		const detail = fields[key] === undefined ? `${key} is missing` : `${key} is not valid (${issue?.message ?? 'invalid'})`;
		throw new DecodeError('show info', detail);
	}

	const info = parsed.data;
	return {
		name: info.Name,
		version: info.Version,
		pid: info.Pid,
		uptimeSeconds: info.Uptime_sec ?? null,
		startTime: info.Start_time_sec ?? null,
		stopping: info.Stopping === '1',
		node: info.node ?? null,
	};
}

/** The release part of a version string: `2.6.12-1+deb12u4` → `2.6.12`. */
export function releaseOf(version: string): string {
	return /^[0-9]+(?:\.[0-9]+)*/.exec(version)?.[0] ?? version;
}

/** Longest `show info` reply read: about 2 KB in every release; a longer one is not `show info`. */
const maxInfoBytes = 64 * 1024;

/**
 * Collects a `show info` reply as it arrives (it is small), up to its closing empty line. Each
 * chunk is searched once; a reply longer than {@link maxInfoBytes} is refused as it arrives.
 */
export function infoReader(): DumpReader<InstanceInfo> {
	const chunks: Buffer[] = [];
	let length = 0;
	let lastByte = -1;
	let ended = false;
	let info: InstanceInfo | undefined;
	return {
		push(chunk) {
			if (ended || chunk.length === 0) {
				return 0;
			}

			// The closing empty line, perhaps cut between two chunks.
			const across = lastByte === 10 && chunk[0] === 10;
			const at = across ? 0 : chunk.indexOf('\n\n');
			ended = across || at !== -1;
			const used = across ? 1 : ended ? at + 2 : chunk.length;
			if (length + used > maxInfoBytes) {
				throw new DecodeError('show info', `the reply is longer than any "show info" (more than ${maxInfoBytes / 1024} KB without its closing empty line)`);
			}

			chunks.push(used === chunk.length ? chunk : chunk.subarray(0, used));
			length += used;
			lastByte = chunk[used - 1]!;
			return used;
		},
		finish() {
			info ??= decodeInfo(Buffer.concat(chunks, length).toString('utf8'));
			return info;
		},
	};
}
