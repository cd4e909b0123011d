import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {closeSync, constants, fchmodSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, statSync, unlinkSync, writeSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import * as z from 'zod/mini';
import {DrainboardError} from '../errors.js';
import type {RuntimeClient} from '../poll/client.js';
import {clockTime} from '../time-format.js';
import {instanceKeys, socketKey} from './instance-keys.js';
import {operatorName} from './journal.js';

/** Who holds a backend's lock, as written in its lock file. */
type LockHolder = z.infer<typeof holderSchema>;

// No control characters: a lock file is writable by every user, and its text reaches the terminal.
// eslint-disable-next-line no-control-regex
const plain = z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[^\u0000-\u001f\u007f-\u009f]*$/));
const holderSchema = z.object({user: plain, pid: z.int().check(z.positive()), host: plain, what: plain, since: z.iso.datetime()});

/** Another drainboard is changing the backend: nothing may be sent now. */
export class BackendBusyError extends DrainboardError {
	constructor(sentence: string) {
		super(sentence, 1, {code: 'locked'});
		this.name = 'BackendBusyError';
	}
}

/** Where the lock files live: $DRAINBOARD_LOCK_DIR, else /run/lock (shared by every user), else the temp dir. */
export function lockDirectory(env: NodeJS.ProcessEnv = process.env): string {
	const chosen = env['DRAINBOARD_LOCK_DIR'];
	if (chosen) {
		return path.resolve(chosen);
	}

	try {
		return statSync('/run/lock').isDirectory() ? '/run/lock' : os.tmpdir();
	} catch {
		return os.tmpdir();
	}
}

type HeldFile = {file: string; fd: number};

/**
 * The lock of one backend on every HAProxy instance of a maintenance, shared by every user of the
 * host: one file per instance name (see {@link instanceKeys}) and backend in the lock directory,
 * mode 0666, locked with flock(2). util-linux's `flock -n 3` locks the file drainboard opened and
 * hands it over: the lock belongs to drainboard's open file, so it ends when drainboard closes it
 * or dies, even by SIGKILL, and no process is left behind. The file says who holds it.
 */
/**
 * The locks held now, ended when the process exits by any path short of SIGKILL (a signal
 * handler's exit too), so no stale holder is left to report. One exit listener for them all: a
 * maintenance of a machine in many backends holds a lock per backend.
 */
const heldLocks = new Set<BackendLock>();
let exitHooked = false;

function releasedAtExit(lock: BackendLock): void {
	heldLocks.add(lock);
	if (!exitHooked) {
		exitHooked = true;
		process.once('exit', () => {
			for (const held of heldLocks) {
				held.release();
			}
		});
	}
}

export class BackendLock {
	private held: HeldFile[] = [];
	private readonly me: {user: string; pid: number; host: string};

	constructor(
		private readonly options: {dir: string; backend: string; clients: readonly RuntimeClient[]; proc?: string; user?: string; locksTable?: string},
	) {
		this.me = {user: options.user ?? operatorName(), pid: process.pid, host: os.hostname()};
	}

	get isHeld(): boolean {
		return this.held.length > 0;
	}

	/**
	 * Takes the lock on every instance (nothing if this drainboard holds it already). Throws
	 * {@link BackendBusyError} naming the holder when another drainboard has it. Resolves with a
	 * sentence when a lock left by a drainboard that is gone was taken over.
	 */
	async take(what: string, signal?: AbortSignal): Promise<string | null> {
		if (this.isHeld) {
			return null;
		}

		const leftBy: LockHolder[] = [];
		const since = new Date().toISOString();
		const mine: LockHolder = {...this.me, user: printableName(this.me.user), what, since};
		try {
			for (const file of await this.files(signal)) {
				const taken = await lockFile(file);
				if ('busy' in taken) {
					throw new BackendBusyError(busySentence(this.options.backend, taken.busy, this.me.host));
				}

				if (this.held.length === 0) {
					releasedAtExit(this);
				}

				this.held.push({file, fd: taken.fd});
				if (taken.previous && !(taken.previous.pid === this.me.pid && taken.previous.host === this.me.host)) {
					leftBy.push(taken.previous);
				}

				const text = Buffer.from(`${JSON.stringify(mine)}\n`);
				ftruncateSync(taken.fd, 0);
				writeSync(taken.fd, text, 0, text.length, 0);
			}
		} catch (error) {
			this.release();
			throw error;
		}

		const gone = leftBy[0];
		return gone ? `Took over the lock of ${this.options.backend} left by ${holderText(gone, this.me.host)}, which is no longer running.` : null;
	}

	/**
	 * Who holds the lock now, read without taking it (a dry run takes no lock): `alice (pid 4242,
	 * drain of webapps/app02 since 14:02:11)`, or null when nobody does. Whether a lock file is
	 * locked is read from the kernel's table of locks; where that table cannot be read, a holder the
	 * file names counts while its process runs. Nothing is created, locked or written.
	 */
	async holder(signal?: AbortSignal): Promise<string | null> {
		for (const file of await this.files(signal)) {
			const holder = peekLockFile(file, this.options.locksTable ?? '/proc/locks', this.me.host);
			if (holder !== null) {
				return holder === 'unnamed' ? 'another drainboard (its lock file does not say who)' : holderText(holder, this.me.host);
			}
		}

		return null;
	}

	/** The lock files of this backend, one per instance name, in the order they are taken. */
	private async files(signal?: AbortSignal): Promise<string[]> {
		const keys = new Set<string>();
		for (const client of this.options.clients) {
			const info = await client.info(signal);
			for (const key of [...instanceKeys(info, this.options.proc), socketKey(info.node, client.socket)]) {
				keys.add(key);
			}
		}

		return [...keys].sort().map((key) => path.join(this.options.dir, fileName(key, this.options.backend)));
	}

	/** Ends the lock (idempotent): the files are emptied and removed where this user may. */
	release(): void {
		for (const {file, fd} of this.held.reverse()) {
			try {
				ftruncateSync(fd, 0);
				unlinkSync(file);
			} catch {
				// Another user's file in a sticky directory stays, empty; the lock ends with the close.
			}

			try {
				closeSync(fd);
			} catch {
				// Already closed: the lock is gone with it.
			}
		}

		this.held = [];
		heldLocks.delete(this);
	}
}

/** `webapps is being changed by alice (pid 4242, drain of webapps/app02 since 14:02:11); try again when it is done.` */
function busySentence(backend: string, holder: LockHolder | null, host: string): string {
	if (!holder) {
		return `${backend} is being changed by another drainboard (its lock file does not say who); try again when it is done.`;
	}

	return `${backend} is being changed by ${holderText(holder, host)}; try again when it is done.`;
}

function holderText(holder: LockHolder, host: string): string {
	const where = holder.host === host ? '' : ` on ${holder.host}`;
	return `${holder.user}${where} (pid ${holder.pid}, ${holder.what} since ${clockTime(Date.parse(holder.since))})`;
}

/** A user name as lock and mark files say it: no control characters, at most 200 characters. */
export function printableName(name: string): string {
	// eslint-disable-next-line no-control-regex
	return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?').slice(0, 200) || 'unknown';
}

/** `drainboard.<instance>.<backend>.lock`; a long backend name is shortened with a hash of it. */
function fileName(key: string, backend: string): string {
	const name = backend.length <= 120 ? backend : `${backend.slice(0, 100)}~${createHash('sha256').update(backend).digest('hex').slice(0, 16)}`;
	return `drainboard.${key}.${name.replace(/\//g, '_')}.lock`;
}

/**
 * The holder of a lock file as it stands, without locking it: null when it is not locked (or not
 * there), 'unnamed' when it is locked by a holder it does not name.
 */
function peekLockFile(file: string, locksTable: string, host: string): LockHolder | 'unnamed' | null {
	let fd: number;
	try {
		fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
			return null;
		}

		throw lockFileError(file, error);
	}

	try {
		const named = holderNamed(fd) ?? null;
		const locked = lockedInTable(fstatSync(fd, {bigint: true}), locksTable);
		if (locked === undefined) {
			// No table to read: a holder that still runs (or runs on another host) is taken at its word.
			return named !== null && (named.host !== host || isRunning(named.pid)) ? named : null;
		}

		return locked ? (named ?? 'unnamed') : null;
	} finally {
		closeSync(fd);
	}
}

/** Whether the kernel's table of locks (/proc/locks) has a flock on the file; undefined when it cannot be read. */
function lockedInTable(stats: {dev: bigint; ino: bigint}, locksTable: string): boolean | undefined {
	let table: string;
	try {
		table = readFileSync(locksTable, 'utf8');
	} catch {
		return undefined;
	}

	// glibc's dev_t: the table prints the major and minor numbers in hex, then the inode.
	const major = ((stats.dev >> 8n) & 0xfffn) | ((stats.dev >> 32n) & ~0xfffn);
	const minor = (stats.dev & 0xffn) | ((stats.dev >> 12n) & ~0xffn);
	return table.split('\n').some((line) => {
		// `1: FLOCK  ADVISORY  WRITE 4242 fe:00:2151764 0 EOF`; a line with `->` is a waiter, not a holder.
		const match = /^\d+:\s+FLOCK\s+\S+\s+\S+\s+\S+\s+([\da-f]+):([\da-f]+):(\d+)\s/i.exec(line);
		return match !== null && BigInt(`0x${match[1]!}`) === major && BigInt(`0x${match[2]!}`) === minor && BigInt(match[3]!) === stats.ino;
	});
}

function isRunning(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** The holder the file names now: null when its text names nobody, undefined when it is empty (not written yet, or released). */
function holderNamed(fd: number): LockHolder | null | undefined {
	const buffer = Buffer.alloc(1024);
	const text = buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0)).trim();
	if (text === '') {
		return undefined;
	}

	try {
		const parsed = holderSchema.safeParse(JSON.parse(text));
		return parsed.success ? parsed.data : null;
	} catch {
		return null;
	}
}

type Taken = {fd: number; previous: LockHolder | null} | {busy: LockHolder | null};

/**
 * Opens (or creates, mode 0666) the lock file without following a symbolic link, and locks it.
 * A file removed by its last holder between the open and the lock is opened again.
 */
async function lockFile(file: string): Promise<Taken> {
	for (let attempt = 0; ; attempt++) {
		const fd = openLockFile(file);
		let kept = false;
		try {
			if (!(await flockNow(fd, file))) {
				return {busy: await holderOf(fd, {wait: true})};
			}

			const opened = fstatSync(fd);
			let current: ReturnType<typeof statSync> | undefined;
			try {
				current = statSync(file);
			} catch {
				current = undefined;
			}

			if (current?.ino === opened.ino && current.dev === opened.dev) {
				kept = true;
				return {fd, previous: await holderOf(fd, {wait: false})};
			}

			if (attempt >= 5) {
				throw new DrainboardError(`The lock file ${file} keeps being replaced while drainboard takes it; try again.`, 1, {code: 'locked'});
			}
		} finally {
			if (!kept) {
				closeSync(fd);
			}
		}
	}
}

function openLockFile(file: string): number {
	const flags = constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NOCTTY;
	for (;;) {
		try {
			const fd = openSync(file, flags);
			if (!fstatSync(fd).isFile()) {
				closeSync(fd);
				throw new DrainboardError(`The lock file ${file} is not a regular file; remove it, then try again.`, 1, {code: 'locked'});
			}

			return fd;
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code !== 'ENOENT') {
				throw lockFileError(file, error);
			}
		}

		try {
			// Created only when absent: no O_CREAT on another user's file in a sticky directory (protected_regular).
			const fd = openSync(file, flags | constants.O_CREAT | constants.O_EXCL, 0o666);
			fchmodSync(fd, 0o666);
			return fd;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
				throw lockFileError(file, error);
			}
		}
	}
}

function lockFileError(file: string, error: unknown): DrainboardError {
	if (error instanceof DrainboardError) {
		return error;
	}

	const code = (error as NodeJS.ErrnoException).code ?? 'error';
	const why = code === 'ELOOP' ? 'it is a symbolic link' : code === 'EACCES' || code === 'EPERM' ? 'this user may not write it' : code === 'ENOENT' ? 'its directory does not exist' : `of ${code}`;
	return new DrainboardError(`The lock file ${file} cannot be opened because ${why}; fix or remove it, or set DRAINBOARD_LOCK_DIR to a directory every operator can write.`, 1, {cause: error, code: 'locked'});
}

/** `flock -n 3` on the open file: true when locked, false when another open file holds it. */
async function flockNow(fd: number, file: string): Promise<boolean> {
	return new Promise((resolve, reject) => {
		const child = spawn(flockBinary(), ['--nonblock', '--conflict-exit-code', '75', '3'], {stdio: ['ignore', 'ignore', 'pipe', fd]});
		let errors = '';
		child.stderr?.on('data', (chunk: Buffer) => {
			errors = (errors + chunk.toString('utf8')).slice(-400);
		});
		child.once('error', (error: NodeJS.ErrnoException) => {
			reject(
				new DrainboardError(
					error.code === 'ENOENT' ? "drainboard locks the backend with util-linux's flock, which is not installed; install util-linux." : `flock could not run (${error.code ?? error.message}).`,
					1,
					{cause: error},
				),
			);
		});
		child.once('close', (code) => {
			if (code === 0 || code === 75) {
				resolve(code === 0);
			} else {
				reject(new DrainboardError(`flock could not lock ${file} (exit ${code}: ${errors.trim().split('\n')[0] ?? ''}).`, 1, {code: 'locked'}));
			}
		});
	});
}

/** util-linux's flock where the system keeps it (a PATH set by whoever runs drainboard comes after), else by name. */
function flockBinary(): string {
	for (const candidate of ['/usr/bin/flock', '/bin/flock']) {
		try {
			if (statSync(candidate).isFile()) {
				return candidate;
			}
		} catch {
			// Not there: try the next place.
		}
	}

	return 'flock';
}

/** The holder named in the file; a holder that has locked it but not written yet gets a moment. */
async function holderOf(fd: number, {wait}: {wait: boolean}): Promise<LockHolder | null> {
	for (let attempt = 0; ; attempt++) {
		const named = holderNamed(fd);
		if (named !== undefined) {
			return named;
		}

		if (!wait || attempt >= 10) {
			return null;
		}

		await delay(20);
	}
}
