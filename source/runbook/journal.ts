import {accessSync, closeSync, constants, fstatSync, fsyncSync, ftruncateSync, openSync, readlinkSync, readSync, realpathSync, statSync, writeSync, type Stats} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import * as z from 'zod/mini';
import {DrainboardError, sentenceOf} from '../errors.js';
import {makeDirectories, stateDirectory} from '../state-directory.js';
import {stepIds} from './steps.js';

const journalEvents = [
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
	/** A signal (or an internal error) stopped a headless run mid-step; `detail` says which and what HAProxy showed. */
	'interrupted',
	'finished',
	'abandoned',
	/** A roll of a backend (`drainboard roll`): its target is the backend; `detail` lists its servers in order. */
	'roll-started',
	/** An open roll taken up again; `detail` says with which server. */
	'roll-resumed',
	/** The roll begins one server's maintenance (right before it); `detail` is its name: a maintenance of it begun since is the roll's. */
	'roll-server-started',
	/** One server of the roll went through its whole cycle; `detail` is its name. */
	'roll-server-done',
	/** The roll stopped short (a check, --exec, a signal); `detail` says why. */
	'roll-stopped',
	'roll-finished',
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

/** The journal could not be written, or is refused: no state change may follow. */
export class JournalError extends DrainboardError {
	/** Why, in words that finish "… because". */
	readonly reason: string;

	constructor(sentence: string, reason: string, cause?: unknown) {
		super(sentence, 1, {cause, code: 'journal'});
		this.name = 'JournalError';
		this.reason = reason;
	}
}

/** Why a write or an open failed, in words that finish "… because". */
function reasonOf(cause: unknown): string {
	const code = (cause as NodeJS.ErrnoException).code ?? 'error';
	return code === 'ENOSPC' || code === 'EDQUOT'
		? 'the disk is full'
		: code === 'EFBIG'
			? 'it reached the largest file size allowed (ulimit -f)'
			: code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
				? 'it is not writable'
				: code === 'ENOTDIR' || code === 'EEXIST'
					? 'its directory cannot be created'
					: code === 'ENOENT'
						? 'no file can be created there'
						: `of ${code}`;
}

/** What to do about a journal that cannot be written, for its reason: space only when the disk is full. */
function journalTodo(because: string): string {
	return because === 'the disk is full' ? 'Free space, or pass --journal <file> in a writable place.' : 'Pass --journal <file> in a writable place.';
}

/** Flags of every open: never through a symbolic link, never waiting on a FIFO. */
const noFollow = constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Opens the journal without following a symbolic link at its path, and keeps it open only when
 * it is a regular file owned by the user running drainboard (or root); else a {@link JournalError}
 * that says why in one sentence.
 */
function openJournal(file: string, flags: number): number {
	let fd: number;
	try {
		fd = openSync(file, flags | noFollow, 0o600);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ELOOP') {
			throw refused(file, `it is a symbolic link${linkTarget(file)}, and drainboard never writes through one`);
		}

		if (code === 'ENXIO' || code === 'EISDIR') {
			throw refused(file, code === 'EISDIR' ? 'it is a directory' : 'it is not a regular file (a FIFO or socket)');
		}

		throw error;
	}

	const problem = fileProblem(fstatSync(fd));
	if (problem) {
		closeSync(fd);
		throw refused(file, problem);
	}

	return fd;
}

function fileProblem(stats: Stats): string | undefined {
	if (stats.isDirectory()) {
		return 'it is a directory';
	}

	if (!stats.isFile()) {
		return `it is not a regular file (${stats.isFIFO() ? 'a FIFO' : stats.isSocket() ? 'a socket' : 'a device'})`;
	}

	const me = process.getuid?.() ?? stats.uid;
	if (stats.uid !== me && stats.uid !== 0) {
		return `it belongs to another user (uid ${stats.uid}), not to uid ${me} who runs drainboard, nor to root`;
	}

	return undefined;
}

function linkTarget(file: string): string {
	try {
		return ` to ${readlinkSync(file)}`;
	} catch {
		return '';
	}
}

function refused(file: string, why: string): JournalError {
	return new JournalError(`The journal ${file} is refused because ${why}; no change was sent to HAProxy. Remove it, or pass --journal <file> for a regular file of your own.`, why);
}

/** $XDG_STATE_HOME/drainboard/journal.jsonl, else ~/.local/state/drainboard/journal.jsonl. */
export function defaultJournalPath(env: NodeJS.ProcessEnv = process.env): string {
	return path.join(stateDirectory(env), 'journal.jsonl');
}

/** The operator: SUDO_USER when run through sudo, else USER. */
export function operatorName(env: NodeJS.ProcessEnv = process.env): string {
	return env['SUDO_USER'] || env['USER'] || env['LOGNAME'] || os.userInfo().username || 'unknown';
}

/**
 * Appends one JSON object a line and flushes it to disk (fsync) before returning, so the next
 * action happens only once the previous one is on disk. A write that stops short is finished (or,
 * when the disk is full, taken back so no torn line is left); an entry that cannot be written is
 * counted, and the journal stays incomplete for the rest of the run ({@link Journal.missing}).
 */
export class Journal {
	readonly file: string;
	readonly session: string;
	private readonly user: string;
	private readonly host: string;
	private target = '';
	private instances: JournalInstance[] = [];
	private fd: number | undefined;
	/** The file did not end with a newline when opened: the next entry starts a line of its own. */
	private startLine = false;
	/** Whether a command was journaled this run (after which a change may have been sent). */
	private commandJournaled = false;
	private lost = 0;
	private lostBecause: string | undefined;
	/** A dry run's journal: checked writable without being created, and nothing is appended (no maintenance is opened or closed by a run that sends nothing). */
	private readonly dryRun: boolean;

	constructor(file: string, options: {session?: string; user?: string; host?: string; dryRun?: boolean} = {}) {
		this.file = file;
		this.dryRun = options.dryRun ?? false;
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
		if (this.dryRun) {
			return entry;
		}

		try {
			const fd = this.open();
			writeEntry(fd, Buffer.from(`${this.startLine ? '\n' : ''}${JSON.stringify(entry)}\n`));
			this.startLine = false;
			fsyncSync(fd);
		} catch (error) {
			this.close();
			this.lost++;
			const because = error instanceof JournalError ? error.reason : reasonOf(error);
			this.lostBecause ??= because;
			if (error instanceof JournalError) {
				throw error;
			}

			const sent =
				record.event === 'command'
					? `"${record.command ?? 'the command'}" was not sent to HAProxy`
					: this.commandJournaled
						? 'what was sent to HAProxy is not all in it (the output says what was done)'
						: 'no change was sent to HAProxy';
			throw new JournalError(`The journal ${this.file} cannot be written because ${because}; ${sent}. ${journalTodo(because)}`, because, error);
		}

		if (record.event === 'command') {
			this.commandJournaled = true;
		}

		return entry;
	}

	/**
	 * The one guarded append, for a record that must not stop what it records (an observation, a
	 * reply that failed, a rollback, an alarm, a quit, an override): never throws. An entry that
	 * cannot be written is counted as missing ({@link missingNote}), and the next state change,
	 * which appends its command with {@link append} first, stops on the journal. Gives back the
	 * sentence saying why, for the caller that must say the record is not there.
	 */
	appendGuarded(record: JournalRecord): {written: true} | {written: false; sentence: string} {
		try {
			this.append(record);
			return {written: true};
		} catch (error) {
			return {written: false, sentence: sentenceOf(error)};
		}
	}

	/** Checks the journal can be written, before anything else happens; a dry run's check creates neither the file nor its directory. */
	probe(): void {
		try {
			if (this.dryRun) {
				writableWithoutCreating(this.file);
			} else {
				this.open();
			}
		} catch (error) {
			this.close();
			throw error instanceof JournalError
				? error
				: new JournalError(`The journal ${this.file} cannot be written because ${reasonOf(error)}; no change was sent to HAProxy. ${journalTodo(reasonOf(error))}`, reasonOf(error), error);
		}
	}

	/** How many entries of this run could not be written (0: the journal has every step). */
	get missing(): number {
		return this.lost;
	}

	/** The sentence to end a run with when entries are missing; null when the journal is complete. */
	missingNote(): string | null {
		if (this.lost === 0) {
			return null;
		}

		const entries = this.lost === 1 ? '1 entry' : `${this.lost} entries`;
		return `The journal ${this.file} is missing ${entries} of this run because ${this.lostBecause ?? 'of an error'}: keep this output as the record of what was done, and fix the journal before the next run.`;
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

	private open(): number {
		if (this.fd !== undefined) {
			return this.fd;
		}

		makeDirectories(path.dirname(this.file), 0o700);
		const fd = openJournal(this.file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT);
		this.fd = fd;
		const {size} = fstatSync(fd);
		const last = Buffer.alloc(1);
		this.startLine = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 10;
		return fd;
	}
}

/**
 * Whether the journal could be opened for appending, found without creating anything: the file
 * as it is (the same refusals as a real open), else the nearest existing directory above it.
 */
function writableWithoutCreating(file: string): void {
	try {
		closeSync(openJournal(file, constants.O_RDWR | constants.O_APPEND));
		return;
	} catch (error) {
		if (error instanceof JournalError || (error as NodeJS.ErrnoException).code !== 'ENOENT') {
			throw error;
		}
	}

	let directory = path.dirname(path.resolve(file));
	for (;;) {
		try {
			if (!statSync(directory).isDirectory()) {
				throw Object.assign(new Error(`${directory} is not a directory`), {code: 'ENOTDIR'});
			}

			accessSync(directory, constants.W_OK | constants.X_OK);
			return;
		} catch (error) {
			const above = path.dirname(directory);
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || above === directory) {
				throw error;
			}

			directory = above;
		}
	}
}

/**
 * Writes all of `bytes` at the end of the file (a write may take only part of them). When the
 * rest cannot be written, what was written is taken back, unless someone else appended since.
 */
function writeEntry(fd: number, bytes: Buffer): void {
	const before = fstatSync(fd).size;
	let written = 0;
	try {
		while (written < bytes.length) {
			const count = writeSync(fd, bytes, written, bytes.length - written);
			if (count === 0) {
				throw Object.assign(new Error('the write made no progress'), {code: 'ENOSPC'});
			}

			written += count;
		}
	} catch (error) {
		try {
			if (written > 0 && fstatSync(fd).size === before + written) {
				ftruncateSync(fd, before);
			}
		} catch {
			// The torn line stays; the next entry starts on a line of its own.
		}

		throw error;
	}
}

/** The most of a journal read at start: its end, where the last maintenances are. */
export const journalReadLimit = 16 * 1024 * 1024;

/**
 * What was read of one journal file: its entries up to `offset` (the end of its last whole line),
 * kept so the next read parses only what was appended since (the grid reads the journal every few
 * seconds, and a journal of years would otherwise be parsed whole each time).
 */
type ReadSoFar = {dev: number; ino: number; offset: number; entries: JournalEntry[]; unreadable: number; ending: Buffer};

/** How many bytes before a read's end are kept to tell, next time, that the file still has them there. */
const endingBytes = 64;

const readSoFar = new Map<string, ReadSoFar>();

/**
 * Reads a journal; lines that do not validate (a torn last line after a crash) are counted, not
 * fatal. It is opened as it is written (never through a symbolic link, only a regular file of the
 * user or root: else a {@link JournalError}), and only its last {@link journalReadLimit} bytes are read.
 * A file read before (the same file: device and inode, not shorter) is read from where the last read
 * ended; one replaced or cut shorter since is read again from its end's last {@link journalReadLimit} bytes.
 *
 * `about`: only the entries about those HAProxy instances (and those that name none). One journal
 * serves every HAProxy of the host, and two of them can have a `webapps/app01`: a maintenance of
 * one is not the other's to resume or restore. See {@link JournalScope} for what is the same HAProxy.
 */
export function readJournal(file: string, {about}: {about?: JournalScope} = {}): {entries: JournalEntry[]; unreadable: number} {
	const key = path.resolve(file);
	let known: ReadSoFar;
	let partial: string;
	let fd: number | undefined;
	try {
		fd = openJournal(file, constants.O_RDONLY);
		const {size, dev, ino} = fstatSync(fd);
		const before = readSoFar.get(key);
		// The same file, not cut shorter, with the same bytes where the last read ended (not cut and written again since).
		const continues = before !== undefined && before.dev === dev && before.ino === ino && before.offset <= size && sameEnding(fd, before);
		const from = continues ? before.offset : Math.max(0, size - journalReadLimit);
		const buffer = Buffer.alloc(size - from);
		let read = 0;
		while (read < buffer.length) {
			const count = readSync(fd, buffer, read, buffer.length - read, from + read);
			if (count === 0) {
				break;
			}

			read += count;
		}

		// A read of the file's last bytes only drops the line it starts in the middle of.
		const newline = buffer.subarray(0, read).indexOf(10);
		const start = !continues && from > 0 ? (newline === -1 ? read : newline + 1) : 0;
		// Whole lines only are kept: the last one may still be being written (or torn); it is read again next time.
		const wholeEnd = Math.max(start, buffer.subarray(0, read).lastIndexOf(10) + 1);
		const parsed = parseLines(buffer.toString('utf8', start, wholeEnd));
		known = continues ? before : {dev, ino, offset: from, entries: [], unreadable: 0, ending: Buffer.alloc(0)};
		for (const entry of parsed.entries) {
			known.entries.push(entry);
		}

		known.unreadable += parsed.unreadable;
		known.offset = from + wholeEnd;
		known.ending = Buffer.from(bytesBefore(fd, known.offset));
		readSoFar.set(key, known);
		partial = buffer.toString('utf8', wholeEnd, read);
	} catch (error) {
		if (error instanceof JournalError) {
			throw error;
		}

		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			readSoFar.delete(key);
			return {entries: [], unreadable: 0};
		}

		throw new DrainboardError(`The journal ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); pass --journal <file> to use another.`, 1, {cause: error, code: 'journal'});
	} finally {
		if (fd !== undefined) {
			closeSync(fd);
		}
	}

	// The line not ended yet counts as it reads now (a torn line is unreadable), and is not kept.
	const last = parseLines(partial);
	const entries = [...known.entries, ...last.entries];
	return {entries: about ? entriesAbout(entries, about) : entries, unreadable: known.unreadable + last.unreadable};
}

/** The last {@link endingBytes} bytes of the file before `offset`. */
function bytesBefore(fd: number, offset: number): Buffer {
	const bytes = Buffer.alloc(Math.min(endingBytes, offset));
	const count = bytes.length === 0 ? 0 : readSync(fd, bytes, 0, bytes.length, offset - bytes.length);
	return bytes.subarray(0, count);
}

/** Whether the file still has, where the last read ended, the bytes it had then. */
function sameEnding(fd: number, before: ReadSoFar): boolean {
	return bytesBefore(fd, before.offset).equals(before.ending);
}

/** The journal entries of `text`, whole lines; those that do not validate are counted. */
function parseLines(text: string): {entries: JournalEntry[]; unreadable: number} {
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

/** The entries about the HAProxy of `scope` ({@link JournalScope}); an entry that names no instance is about any. */
export function entriesAbout(entries: readonly JournalEntry[], scope: JournalScope): JournalEntry[] {
	const matches = sameHaproxy(scope);
	return entries.filter((entry) => entry.instances.length === 0 || entry.instances.some(matches));
}

/**
 * The HAProxy instances a reader of maintenances is about: its sockets, and the processes they
 * reach where it read them (pid and start time). An entry is about one of them when it names the
 * same socket file (symbolic links followed: `/var/run` is `/run` on most hosts), or the same
 * process (the same HAProxy through another socket: its master CLI, a forwarding socket). A
 * reload keeps the socket, a second socket keeps the process; both at once are not recognised.
 */
export type JournalScope = {sockets: readonly string[]; processes?: ReadonlyArray<{pid: number | null; startTime: number | null}>};

function sameHaproxy(scope: JournalScope): (instance: JournalInstance) => boolean {
	const real = new Map<string, string>();
	const realOf = (socket: string) => {
		let known = real.get(socket);
		if (known === undefined) {
			try {
				known = realpathSync.native(socket);
			} catch {
				// Gone, or not a path (host:port): the name as written.
				known = socket;
			}

			real.set(socket, known);
		}

		return known;
	};

	const sockets = new Set(scope.sockets.map(realOf));
	const processes = (scope.processes ?? []).filter((one) => one.pid !== null);
	return (instance) => sockets.has(realOf(instance.socket)) || (instance.pid !== null && processes.some((one) => one.pid === instance.pid && one.startTime === instance.startTime));
}
