import {createHash} from 'node:crypto';
import {closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, readSync, renameSync, unlinkSync, writeSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import * as z from 'zod/mini';
import type {RuntimeClient} from '../poll/client.js';
import {formatTarget, type Target} from '../runtime/names.js';
import {sinceTime} from '../time-format.js';
import {terminalControl} from '../visible-text.js';
import {printableName} from './backend-lock.js';
import {instanceKeys, socketKey, socketPart} from './instance-keys.js';
import {operatorName} from './journal.js';

/**
 * Whose maintenance drained a server, where every operator of the host sees it: journals are per
 * user, so without this one operator's `restore` would end another's maintenance unawares.
 *
 * Each user keeps one small file per HAProxy instance and server in the lock directory (beside
 * the backends' locks): `drainboard.<instance>.<backend>=<server>.<uid>.drained`, written when a
 * drain is applied and read back (`drained`), overwritten when `ready` is applied or the server is
 * seen in rotation (`ended`). The newest of all users' files says who holds the drain now. A file
 * counts only when its owner is the uid its name gives; the user it names is that uid's own name
 * (root's files, written under sudo, name the operator sudo gives). The instance is its master
 * (`<node>-master<pid>`, kept across reloads, as a server-state file keeps drains) where /proc
 * shows one, else the worker and its start (`<node>-pid<pid>-t<start>`). A mark counts only
 * while HAProxy shows the server drained: it is a claim, said as one.
 *
 * A mark file that is its owner's (the uid its name gives) but cannot be read (not JSON, not a
 * mark, a control character) is still that user's claim, dated by the file's last change: whose
 * maintenance it is and where its journal is are not known (`unreadable` says why), so it is never
 * taken for this run's own, and restoring the drain it claims needs --take-over.
 */
export type DrainMark = {uid: number; user: string; host: string; journal: string; since: string; unreadable?: Unreadable};
/** Why a mark file holds no mark (`empty`, `not JSON`, `not a drain mark drainboard writes`), and the file. */
type Unreadable = {file: string; why: string};
/** A claim whose mark cannot be read. */
type UnreadableMark = DrainMark & {unreadable: Unreadable};

export function isUnreadable(mark: DrainMark): mark is UnreadableMark {
	return mark.unreadable !== undefined;
}
/** How a drain ended: `ready` (a restore of drainboard's applied it), `seen` (found in rotation, by whoever put it there). */
type MarkEnd = 'ready' | 'seen';
type Found = MarkFile & {uid: number; unreadable?: Unreadable};

// The lock directory is writable by every user, and the mark's text reaches the terminal: none of visible-text.ts's characters.
const plain = z.string().check(z.minLength(1), z.maxLength(300), z.refine((text) => !terminalControl.test(text), 'a control or invisible character'));
// `how` is absent from the marks of drainboard before it (an end then says nothing of how).
// A mark dated ahead of the clock (more than a minute of skew) would outrank every mark written until then: not believed.
const markSchema = z.object({state: z.enum(['drained', 'ended']), how: z.optional(z.enum(['ready', 'seen'])), user: plain, host: plain, journal: plain, since: z.iso.datetime()});
type MarkFile = z.infer<typeof markSchema>;
/** A mark file of its owner that holds no mark: why, and when it was last written. */
type NoMark = {why: string; mtimeMs: number};
const skewMs = 60_000;

/** What the runbook does with drain marks (tests give a directory of their own). */
export type MarkHandle = Pick<DrainMarks, 'write' | 'end' | 'read' | 'latest'>;
/** The newest mark of a server, drained or ended. */
export type LatestMark = DrainMark & {state: MarkFile['state']; how?: MarkEnd};

export class DrainMarks {
	constructor(private readonly options: {dir: string; clients: readonly RuntimeClient[]; proc?: string; passwd?: string}) {}

	/** Records that this run's maintenance (its journal) drained `target`, on every instance. Returns a sentence when it could not. */
	async write(target: Target, journal: string, signal?: AbortSignal): Promise<string | null> {
		return this.put(target, 'drained', journal, signal);
	}

	/** Records that the drain of `target` ended (`ready`: applied by this run; `seen`: found in rotation), by this run (its journal). */
	async end(target: Target, journal: string, how: MarkEnd, signal?: AbortSignal): Promise<void> {
		await this.put(target, 'ended', journal, signal, how);
	}

	/**
	 * Who holds the drain of `target` now by the newest mark of any user, on the first instance that
	 * has one (an unreadable mark included: a claim whose maintenance is not known); null: nobody says.
	 */
	async read(target: Target, signal?: AbortSignal): Promise<DrainMark | null> {
		for (const prefix of await this.prefixes(target, signal)) {
			const newest = newestOf(this.marksOf(prefix));
			if (newest) {
				return newest.state === 'drained' ? claimOf(newest) : null;
			}
		}

		return null;
	}

	/**
	 * The newest readable mark of `target`, drained or ended (who ended a drain, and when), on the
	 * first instance that has one: an unreadable mark says nothing of how a drain ended.
	 */
	async latest(target: Target, signal?: AbortSignal): Promise<LatestMark | null> {
		for (const prefix of await this.prefixes(target, signal)) {
			const found = this.marksOf(prefix);
			if (found.length === 0) {
				continue;
			}

			// The first instance with any mark says, as in read(): a socket's marks are not read past the worker's own.
			const newest = newestOf(found.filter((mark) => mark.unreadable === undefined));
			return newest ? {state: newest.state, ...(newest.how ? {how: newest.how} : {}), uid: newest.uid, user: newest.user, host: newest.host, journal: newest.journal, since: newest.since} : null;
		}

		return null;
	}

	private async put(target: Target, state: MarkFile['state'], journal: string, signal?: AbortSignal, how?: MarkEnd): Promise<string | null> {
		const uid = process.getuid?.() ?? 0;
		const mark: MarkFile = {state, ...(how ? {how} : {}), user: printableName(operatorName()), host: os.hostname(), journal: path.resolve(journal), since: new Date().toISOString()};
		const text = Buffer.from(`${JSON.stringify(mark)}\n`);
		const failed: string[] = [];
		for (const prefix of await this.prefixes(target, signal)) {
			const file = path.join(this.options.dir, `${prefix}${uid}.drained`);
			const temporary = `${file}.${process.pid}.tmp`;
			try {
				const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
				try {
					// A short write (a full disk) would leave a torn mark: the note is then not written, and said so.
					if (writeSync(fd, text, 0, text.length, 0) !== text.length) {
						throw Object.assign(new Error('short write'), {code: 'ENOSPC'});
					}
				} finally {
					closeSync(fd);
				}

				renameSync(temporary, file);
			} catch (error) {
				failed.push(`${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
				try {
					unlinkSync(temporary);
				} catch {
					// Never created, or already gone.
				}
			}
		}

		if (state === 'ended') {
			pruneEnded(this.options.dir, uid, Date.now());
		}

		return failed.length === 0 ? null : `The note that this maintenance drained ${formatTarget(target)} could not be written (${failed.join(', ')}), so another operator's drainboard will not name it.`;
	}

	/** Every user's marks of one instance and server, each checked against its file's owner. */
	private marksOf(prefix: string, names = listNames(this.options.dir)): Found[] {
		const marks: Found[] = [];
		for (const name of names) {
			// Only `<prefix><digits>.drained`: `api=s2.0.0.drained` (api/s2.0, uid 0) is not a mark of api/s2.
			const uid = name.startsWith(prefix) && name.endsWith('.drained') && /^\d{1,10}$/.test(name.slice(prefix.length, -'.drained'.length)) ? Number(name.slice(prefix.length, -'.drained'.length)) : Number.NaN;
			if (!Number.isInteger(uid) || uid < 0) {
				continue;
			}

			const file = path.join(this.options.dir, name);
			const mark = readMark(file, uid);
			if (mark && 'why' in mark) {
				// Its owner's claim all the same, of a maintenance not known, dated by its file (readMark leaves out one dated ahead).
				const since = new Date(Math.min(mark.mtimeMs, Date.now())).toISOString();
				marks.push({state: 'drained', uid, user: userName(uid, this.options.passwd ?? '/etc/passwd'), host: os.hostname(), journal: '', since, unreadable: {file, why: mark.why}});
			} else if (mark) {
				// Whose it is comes from the file's owner; only root's (sudo) names the operator itself.
				marks.push({...mark, uid, user: uid === 0 ? mark.user : userName(uid, this.options.passwd ?? '/etc/passwd')});
			}
		}

		return marks;
	}

	/**
	 * Whose maintenance holds the drain of each of `targets` (by `backend/server`) on the instance `client` reaches, by
	 * the newest mark (null: none, or the newest says the drain ended): for status, one read of
	 * the instance and of the directory for them all.
	 */
	async drainsOn(client: RuntimeClient, labels: readonly string[], signal?: AbortSignal): Promise<{owners: Map<string, DrainMark | null>; unread: string | null}> {
		const keys = await this.instanceKeys(client, signal);
		let names: string[] = [];
		let unread: string | null = null;
		try {
			names = readdirSync(this.options.dir);
		} catch (error) {
			// No directory: no drainboard wrote a mark there. Any other failure: whose drains these are is not known.
			const code = (error as NodeJS.ErrnoException).code ?? 'error';
			unread = code === 'ENOENT' ? null : `the drain marks in ${this.options.dir} could not be read (${code})`;
		}

		const owners = new Map(
			labels.map((label) => {
				const newest = keys.map((key) => newestOf(this.marksOf(`drainboard.${key}.${fileNameOf(label)}.`, names))).find((found) => found !== undefined);
				return [label, newest?.state === 'drained' ? claimOf(newest) : null];
			}),
		);
		return {owners, unread};
	}

	/**
	 * `drainboard.<instance>.<backend>=<server>.`, one per instance, then (HAProxy with no master)
	 * one per socket: written and read in that order, the first that has a mark of the server says.
	 */
	private async prefixes(target: Target, signal?: AbortSignal): Promise<string[]> {
		const keys: string[][] = [];
		for (const client of this.options.clients) {
			keys.push(await this.instanceKeys(client, signal));
		}

		return [...new Set([...keys.map((one) => one[0]!), ...keys.flatMap((one) => one.slice(1))])].map((key) => `drainboard.${key}.${targetName(target)}.`);
	}

	/**
	 * The instance's parts of a mark's name: its master (kept across reloads); else its worker and
	 * start, then the socket that reaches it ({@link socketKey}). A HAProxy with no master reloaded
	 * with `-sf` is a new process: where a server-state file kept the drain, the marks written under
	 * the socket still name whose maintenance it is (as a master's do), so a restore by another
	 * operator is refused after the reload as before it. Read only when the process has no mark of
	 * the server of its own.
	 */
	private async instanceKeys(client: RuntimeClient, signal?: AbortSignal): Promise<string[]> {
		const info = await client.info(signal);
		const keys = instanceKeys(info, this.options.proc);
		const master = keys.find((one) => one.includes('-master'));
		return master ? [master] : [`${keys[0]!}${info.startTime === null ? '' : `-t${info.startTime}`}`, socketKey(info.node, client.socket)];
	}
}

/** A drained mark as the claim it makes. */
function claimOf(mark: Found): DrainMark {
	return {uid: mark.uid, user: mark.user, host: mark.host, journal: mark.journal, since: mark.since, ...(mark.unreadable === undefined ? {} : {unreadable: mark.unreadable})};
}

/** Whether a mark is this run's own maintenance: the same user (uid; under root, the operator sudo names), host and journal; never an unreadable one. */
export function isOwnMark(mark: DrainMark, journal: string): boolean {
	const uid = process.getuid?.() ?? 0;
	return mark.unreadable === undefined && mark.uid === uid && (uid !== 0 || mark.user === printableName(operatorName())) && mark.host === os.hostname() && mark.journal === path.resolve(journal);
}

/** The same operator (uid, and the name sudo gives under root) on this host, whatever the journal; never an unreadable mark (its journal is not known). */
export function isOwnUser(mark: DrainMark): boolean {
	const uid = process.getuid?.() ?? 0;
	return mark.unreadable === undefined && mark.uid === uid && (uid !== 0 || mark.user === printableName(operatorName())) && mark.host === os.hostname();
}

/**
 * The mark of another maintenance's restore that ended this one's drain (a --take-over, or a
 * resumption taken over in the wizard) after `drainSetAt`, this maintenance's last drain: the
 * newest mark, `ended` by a `ready` drainboard applied, not this run's own. Null otherwise (a drain
 * undone by hand, a reload, or no mark) — nothing is then said of who did it.
 */
export function endedByOther(mark: LatestMark | null, journal: string, drainSetAt: number): LatestMark | null {
	return endedByReady(mark, drainSetAt) && !isOwnMark(mark, journal) ? mark : null;
}

/**
 * The mark of another run on this maintenance's own journal (the `restore` its refusal advises)
 * that ended the drain after `drainSetAt` with a `ready` drainboard applied; null otherwise.
 */
export function endedByOwnJournal(mark: LatestMark | null, journal: string, drainSetAt: number): LatestMark | null {
	return endedByReady(mark, drainSetAt) && isOwnMark(mark, journal) ? mark : null;
}

/** The newest mark says a restore of drainboard's ended the drain after `drainSetAt`. */
function endedByReady(mark: LatestMark | null, drainSetAt: number): mark is LatestMark {
	return mark?.state === 'ended' && mark.how === 'ready' && Date.parse(mark.since) > drainSetAt;
}

/** `max took this maintenance's drain over and put it back into rotation at 14:05:02 (on lb2)`. */
export function takenOverText(mark: LatestMark): string {
	return `${mark.user} took this maintenance's drain over and put it back into rotation at ${markTime(mark)}${markWhere(mark)}, with restore's checks`;
}

/**
 * `A drain mark that cannot be read (not JSON), bob's, written at 14:05:02, claims webapps/app01`:
 * a claim seen while this maintenance's drain holds, short enough for the wizard's alarm (no path).
 */
export function unreadableClaimText(mark: UnreadableMark, label: string): string {
	const whose = mark.uid === (process.getuid?.() ?? 0) && mark.uid !== 0 ? 'yours' : `${mark.user}'s`;
	return `A drain mark that cannot be read (${mark.unreadable.why}), ${whose}, written at ${markTime(mark)}, claims ${label}`;
}

/** `max's maintenance took webapps/app01 over at 14:05:02 (on lb2)`: a take-over seen while the drain still holds. */
export function tookOverText(mark: DrainMark, label: string): string {
	return `${mark.user}'s maintenance took ${label} over at ${markTime(mark)}${markWhere(mark)}`;
}

/** ` on lb2` when the mark was written on another host; nothing on this one. */
function markWhere(mark: DrainMark): string {
	return mark.host === os.hostname() ? '' : ` on ${mark.host}`;
}

/**
 * `alice's maintenance at 14:02:11 on lb2 (journal /home/alice/.local/state/drainboard/journal.jsonl)`;
 * of an unreadable mark, `a maintenance of bob's whose drain mark, written at 14:02:11, cannot be read (<file>: not JSON)`.
 */
export function markText(mark: DrainMark): string {
	return isUnreadable(mark) ? unreadableText(mark) : `${mark.user}'s maintenance at ${markTime(mark)}${markWhere(mark)} (journal ${mark.journal})`;
}

/**
 * A claim whose maintenance is not known: its owner (root's files are every sudo operator's, so
 * which one is not known), when its file was written, and why it cannot be read.
 */
function unreadableText(mark: UnreadableMark): string {
	const whose = mark.uid === 0 ? 'run as root (which operator, not known)' : mark.uid === (process.getuid?.() ?? 0) ? `of yours (${mark.user})` : `of ${mark.user}'s`;
	return `a maintenance ${whose} whose drain mark, written at ${markTime(mark)}, cannot be read (${mark.unreadable.file}: ${mark.unreadable.why})`;
}

/**
 * `alice's maintenance since 14:02:11 (journal …)`: whose the drain is now, and since when, which
 * is when it drained the server or took another's drain over (the mark is written then).
 */
export function heldText(mark: DrainMark): string {
	return isUnreadable(mark) ? unreadableText(mark) : `${mark.user}'s maintenance since ${markTime(mark)}${markWhere(mark)} (journal ${mark.journal})`;
}

/** When the mark was written, as every "since" of the screen says it ({@link sinceTime}: the clock time today, else the date too). */
export function markTime(mark: DrainMark, now = Date.now()): string {
	return sinceTime(mark.since, now);
}

/** How long this user's `ended` marks are kept: long enough for a colleague's drainboard to say who ended their drain. */
const endedKeptMs = 7 * 24 * 3_600_000;

/**
 * Removes this user's `ended` marks older than a week (of any instance, reloaded or gone): the
 * lock directory is shared and lives until reboot, and a roll writes one per server and instance.
 * Drained marks are kept whatever their age: they name a drain that may still be there.
 */
export function pruneEnded(dir: string, uid: number, now: number): void {
	for (const name of listNames(dir)) {
		if (!name.startsWith('drainboard.') || !name.endsWith(`.${uid}.drained`)) {
			continue;
		}

		const file = path.join(dir, name);
		const mark = readMark(file, uid);
		if (mark && 'state' in mark && mark.state === 'ended' && now - Date.parse(mark.since) > endedKeptMs) {
			try {
				unlinkSync(file);
			} catch {
				// Gone already.
			}
		}
	}
}

/** The names in the lock directory; none when it cannot be read. */
function listNames(dir: string): string[] {
	try {
		return readdirSync(dir);
	} catch {
		return [];
	}
}

/** The mark written last. */
function newestOf(marks: Found[]): Found | undefined {
	return marks.sort((one, other) => Date.parse(other.since) - Date.parse(one.since))[0];
}

/** `backend=server`; long names are shortened with a hash of the target. */
function targetName(target: Target): string {
	return fileNameOf(formatTarget(target));
}

/**
 * `backend=server` of `backend/server`, as {@link targetName}: `=` is in no HAProxy name, so
 * `api_v2/s1` and `api/v2_s1` get names of their own (`_` in place of `/` gave both `api_v2_s1`).
 */
function fileNameOf(name: string): string {
	const short = name.length <= 120 ? name : `${name.slice(0, 100)}~${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
	return short.replace(/\//g, '=');
}

/**
 * A mark file that is a regular file owned by `uid`: its mark, or why it holds none (not JSON, not
 * a mark); null for anything else (not its owner's, not a file, gone) and for a mark dated more
 * than a minute ahead of the clock (by its `since`, or the file's time when it holds none), which
 * would outrank every mark written until then: not believed.
 */
function readMark(file: string, uid: number): MarkFile | NoMark | null {
	let fd: number;
	try {
		fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
	} catch {
		return null;
	}

	try {
		const stats = fstatSync(fd);
		if (!stats.isFile() || stats.uid !== uid) {
			return null;
		}

		const buffer = Buffer.alloc(4096);
		const text = buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0));
		let json: unknown;
		try {
			json = JSON.parse(text);
		} catch {
			json = undefined;
		}

		const parsed = markSchema.safeParse(json);
		if (!parsed.success) {
			// Dated by its file: one written ahead of the clock would outrank every mark until then, so not believed either.
			return stats.mtimeMs > Date.now() + skewMs ? null : {why: json === undefined ? (text.trim() === '' ? 'empty' : 'not JSON') : 'not a drain mark drainboard writes', mtimeMs: stats.mtimeMs};
		}

		return Date.parse(parsed.data.since) > Date.now() + skewMs ? null : parsed.data;
	} catch {
		return null;
	} finally {
		closeSync(fd);
	}
}

/** The name /etc/passwd gives `uid`, else `uid 1001`. */
function userName(uid: number, passwd: string): string {
	try {
		const line = readFileSync(passwd, 'utf8')
			.split('\n')
			.find((entry) => entry.split(':')[2] === String(uid));
		const name = line?.split(':')[0];
		return name ? printableName(name) : `uid ${uid}`;
	} catch {
		return `uid ${uid}`;
	}
}

/**
 * Removes this user's marks of the HAProxy whose worker (or master) is `pid`, and those written
 * under its socket (`socket`, when given): for a HAProxy that ends with its owner (the lab), whose
 * drains end with it.
 */
export function forgetMarksOf(dir: string, pid: number, socket?: string): void {
	const uid = process.getuid?.() ?? 0;
	// The socket's part of a name, whatever node name HAProxy gave: `-sock<hash>.`.
	const bySocket = socket === undefined ? null : `${socketPart(socket)}.`;
	for (const name of listNames(dir)) {
		if (name.startsWith('drainboard.') && name.endsWith(`.${uid}.drained`) && (name.includes(`-pid${pid}-`) || name.includes(`-master${pid}.`) || (bySocket !== null && name.includes(bySocket)))) {
			try {
				unlinkSync(path.join(dir, name));
			} catch {
				// Gone already.
			}
		}
	}
}

