import * as z from 'zod/mini';
import {DrainboardError} from '../errors.js';
import type {Endpoint} from './endpoint.js';
import {errorLineOf, replyError} from './replies.js';
import {RuntimeApiError} from './runtime-error.js';
import {sendLine, type SendOptions} from './transport.js';

/** One process line of `show proc`. */
type ProcLine = {pid: number; type: string; reloads: number; uptime: string; version: string};

/** What a master CLI says of its processes: the current workers, and old ones still finishing. */
type ProcList = {master: ProcLine | undefined; workers: ProcLine[]; oldWorkers: ProcLine[]};

const procLineSchema = z.object({
	pid: z.coerce.number().check(z.int(), z.positive()),
	type: z.string().check(z.minLength(1)),
	reloads: z.coerce.number().check(z.int(), z.nonnegative()),
	uptime: z.string(),
	version: z.string(),
});

/**
 * Decodes `show proc` of a master CLI (2.x and 3.x):
 * `#<PID> <type> <reloads> <uptime> <version>`, the master's line, then `# workers`,
 * `# old workers` and `# programs` sections of lines in the same columns.
 *
 * Per version (captured from 2.6.12, 2.8.0, 3.0.11, 3.2.0 and 3.4.0): the columns are the same in
 * all; 3.1 reworked master-worker mode (the master no longer re-executes itself on a reload and
 * `program` sections are gone), so from 3.1 there is no `# programs` section. Sections are
 * therefore found by their title, none is required, and unknown ones are skipped. The version
 * column is HAProxy's full version (`2.6.12-1+deb12u4`, `3.0.11-9e587df`): never assumed.
 */
export function decodeShowProc(reply: string): ProcList | undefined {
	const lines = reply.split('\n');
	if (!lines[0]?.startsWith('#<PID>')) {
		return undefined;
	}

	const list: ProcList = {master: undefined, workers: [], oldWorkers: []};
	let section: 'master' | 'workers' | 'old' | 'other' = 'master';
	for (const line of lines.slice(1)) {
		const trimmed = line.trim();
		if (trimmed === '') {
			continue;
		}

		if (trimmed.startsWith('#')) {
			section = /^# *workers$/i.test(trimmed) ? 'workers' : /^# *old workers$/i.test(trimmed) ? 'old' : 'other';
			continue;
		}

		// `0 [failed: 0]` in the master's reloads column: keep the first number.
		const fields = trimmed.replace(/ \[failed: [0-9]+\]/, '').split(/\s+/);
		const parsed = procLineSchema.safeParse({pid: fields[0], type: fields[1], reloads: fields[2], uptime: fields[3] ?? '', version: fields[4] ?? ''});
		if (!parsed.success) {
			return undefined;
		}

		if (section === 'master' && parsed.data.type === 'master') {
			list.master = parsed.data;
		} else if (section === 'workers' && parsed.data.type === 'worker') {
			list.workers.push(parsed.data);
		} else if (section === 'old' && parsed.data.type === 'worker') {
			list.oldWorkers.push(parsed.data);
		}
	}

	return list;
}

/** What a master CLI lists, and a sentence saying which workers were found. */
type MasterWorkers = {found: string; list: ProcList};

/** Largest `show proc` reply read: a line of about 100 bytes per process, old workers included. */
const showProcReplyBytes = 1024 * 1024;

/** Asks a master CLI for its processes (`show proc`); at least one current worker, or an error. */
export async function discoverWorkers(master: Endpoint, options: SendOptions = {}): Promise<MasterWorkers> {
	const reply = await sendLine(master, 'show proc', {maxReplyBytes: showProcReplyBytes, ...options});
	const list = decodeShowProc(reply);
	if (!list) {
		const error = errorLineOf(reply);
		if (error !== undefined && !error.startsWith('Unknown command')) {
			throw replyError(master.label, 'show proc', error);
		}

		throw new RuntimeApiError('bad-reply', master.label, `${master.label} did not answer "show proc" like a HAProxy master CLI; pass the socket of "-S" (master-worker mode) with --master, or a stats socket with --socket.`);
	}

	if (list.workers.length === 0) {
		throw new DrainboardError(`The master CLI ${master.label} lists no current worker (HAProxy is starting or failed to load its configuration); retry in a moment.`, 3);
	}

	const old = list.oldWorkers.length > 0 ? `; ${list.oldWorkers.length} old worker(s) still finishing connections (pid ${list.oldWorkers.map((worker) => worker.pid).join(', ')}) are left alone` : '';
	const found = `Master CLI ${master.label}: ${list.workers.map((worker, index) => `worker ${index + 1} is pid ${worker.pid}`).join(', ')} (HAProxy ${list.workers[0]!.version})${old}.`;
	return {found, list};
}
