import {closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, statSync, writeSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import * as z from 'zod/mini';
import {DrainboardError} from '../errors.js';
import {stepIds} from './steps.js';

export const journalEvents = [
	'started',
	'resumed',
	'check',
	'command',
	'reply',
	'rollback',
	'step-passed',
	'step-failed',
	'step-cancelled',
	'override',
	'alarm',
	'quit',
	'finished',
	'abandoned',
] as const;

const instanceSchema = z.object({
	socket: z.string(),
	pid: z.nullable(z.int()),
	version: z.nullable(z.string()),
	startTime: z.nullable(z.int()),
});

/** One line of the journal. */
export const journalEntrySchema = z.object({
	time: z.string(),
	session: z.string(),
	user: z.string(),
	host: z.string(),
	target: z.string(),
	instances: z.array(instanceSchema),
	step: z.nullable(z.enum(stepIds)),
	event: z.enum(journalEvents),
	check: z.optional(z.string()),
	verdict: z.optional(z.enum(['pass', 'warn', 'fail', 'skip'])),
	observed: z.optional(z.string()),
	command: z.optional(z.string()),
	reply: z.optional(z.string()),
	socket: z.optional(z.string()),
	ok: z.optional(z.boolean()),
	detail: z.optional(z.string()),
	evidence: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
});

export type JournalEntry = z.infer<typeof journalEntrySchema>;
export type JournalInstance = z.infer<typeof instanceSchema>;
/** What a caller gives; the journal adds time, session, user and host. */
export type JournalRecord = Omit<JournalEntry, 'time' | 'session' | 'user' | 'host' | 'target' | 'instances'> & {instances?: JournalInstance[]};

/** The journal could not be written: no state change may follow. */
export class JournalError extends DrainboardError {
	constructor(file: string, cause: unknown) {
		const code = (cause as NodeJS.ErrnoException).code ?? 'error';
		const why =
			code === 'ENOSPC' || code === 'EDQUOT'
				? 'the disk is full'
				: code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
					? 'it is not writable'
					: code === 'ENOTDIR' || code === 'EEXIST'
						? 'its directory cannot be created'
						: `of ${code}`;
		super(`The journal ${file} cannot be written because ${why}; no change was sent to HAProxy. Free space, or pass --journal <file> in a writable place.`, 1, {cause});
		this.name = 'JournalError';
	}
}

/** $XDG_STATE_HOME/drainboard/journal.jsonl, else ~/.local/state/drainboard/journal.jsonl. */
export function defaultJournalPath(env: NodeJS.ProcessEnv = process.env): string {
	const base = env['XDG_STATE_HOME'] && path.isAbsolute(env['XDG_STATE_HOME']) ? env['XDG_STATE_HOME'] : path.join(os.homedir(), '.local', 'state');
	return path.join(base, 'drainboard', 'journal.jsonl');
}

/** The operator: SUDO_USER when run through sudo, else USER. */
export function operatorName(env: NodeJS.ProcessEnv = process.env): string {
	return env['SUDO_USER'] || env['USER'] || env['LOGNAME'] || os.userInfo().username || 'unknown';
}

/**
 * Appends one JSON object a line and flushes it to disk (fsync) before returning, so the next
 * action happens only once the previous one is on disk.
 */
export class Journal {
	readonly file: string;
	readonly session: string;
	private readonly user: string;
	private readonly host: string;
	private target = '';
	private instances: JournalInstance[] = [];
	private fd: number | undefined;

	constructor(file: string, options: {session?: string; user?: string; host?: string} = {}) {
		this.file = file;
		this.session = options.session ?? `${Date.now().toString(36)}-${process.pid.toString(36)}`;
		this.user = options.user ?? operatorName();
		this.host = options.host ?? os.hostname();
	}

	/** Which maintenance and which HAProxy instances the next entries are about. */
	setContext(target: string, instances: JournalInstance[]): void {
		this.target = target;
		this.instances = instances;
	}

	/** Writes and fsyncs one entry; throws {@link JournalError} when that is impossible. */
	append(record: JournalRecord): JournalEntry {
		const entry: JournalEntry = {
			time: new Date().toISOString(),
			session: this.session,
			user: this.user,
			host: this.host,
			target: this.target,
			...record,
			instances: record.instances ?? this.instances,
		};
		try {
			if (this.fd === undefined) {
				mkdirSync(path.dirname(this.file), {recursive: true, mode: 0o700});
				this.fd = openSync(this.file, 'a', 0o600);
			}

			writeSync(this.fd, `${JSON.stringify(entry)}\n`);
			fsyncSync(this.fd);
		} catch (error) {
			this.close();
			throw new JournalError(this.file, error);
		}

		return entry;
	}

	/** Checks the journal can be written, before anything else happens. */
	probe(): void {
		try {
			mkdirSync(path.dirname(this.file), {recursive: true, mode: 0o700});
			this.fd ??= openSync(this.file, 'a', 0o600);
		} catch (error) {
			throw new JournalError(this.file, error);
		}
	}

	close(): void {
		if (this.fd !== undefined) {
			try {
				closeSync(this.fd);
			} catch {
				// Already closed or gone: nothing left to flush.
			}

			this.fd = undefined;
		}
	}
}

/** The most of a journal read at start: its end, where the last maintenances are. */
export const journalReadLimit = 16 * 1024 * 1024;

/**
 * Reads a journal; lines that do not validate (a torn last line after a crash) are counted, not
 * fatal. Only a regular file is read (a device such as /dev/null has no history), and only its
 * last {@link journalReadLimit} bytes.
 */
export function readJournal(file: string): {entries: JournalEntry[]; unreadable: number} {
	let text: string;
	try {
		const stats = statSync(file);
		if (!stats.isFile()) {
			return {entries: [], unreadable: 0};
		}

		if (stats.size > journalReadLimit) {
			const fd = openSync(file, 'r');
			try {
				const buffer = Buffer.alloc(journalReadLimit);
				readSync(fd, buffer, 0, journalReadLimit, stats.size - journalReadLimit);
				const tail = buffer.toString('utf8');
				text = tail.slice(tail.indexOf('\n') + 1);
			} finally {
				closeSync(fd);
			}
		} else {
			text = readFileSync(file, 'utf8');
		}
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return {entries: [], unreadable: 0};
		}

		throw new DrainboardError(`The journal ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); pass --journal <file> to use another.`, 1, {cause: error});
	}

	const entries: JournalEntry[] = [];
	let unreadable = 0;
	for (const line of text.split('\n')) {
		if (line.trim() === '') {
			continue;
		}

		try {
			const parsed = journalEntrySchema.safeParse(JSON.parse(line));
			if (parsed.success) {
				entries.push(parsed.data);
			} else {
				unreadable++;
			}
		} catch {
			unreadable++;
		}
	}

	return {entries, unreadable};
}
