import {createHash} from 'node:crypto';
import {closeSync, constants, fstatSync, openSync, readSync, renameSync, unlinkSync, writeSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import * as z from 'zod/mini';
import type {RuntimeClient} from '../poll/client.js';
import {formatTarget, type Target} from '../runtime/names.js';
import {clockTime} from '../time-format.js';
import {printableName} from './backend-lock.js';
import {instanceKeys} from './instance-keys.js';
import {operatorName} from './journal.js';

/**
 * Whose maintenance drained a server, where every operator of the host sees it: journals are per
 * user, so without this one operator's `restore` would end another's maintenance unawares.
 *
 * One small file per HAProxy instance and server in the lock directory (beside the backends'
 * locks), written when a drain is applied and read back, removed when `ready` is applied. It is
 * named after the instance's worker pid and start time (`<node>-pid<pid>-t<start>`, {@link instanceKeys}): a reload or
 * restart, which drops a drain that no server-state file keeps, leaves the mark of the old worker
 * behind, unread. A mark counts only while HAProxy shows the server drained; it is a claim, not a
 * fact about HAProxy, and is said as one ("drained by alice's maintenance").
 */
export type DrainMark = z.infer<typeof markSchema>;

// eslint-disable-next-line no-control-regex -- the lock directory is writable by every user, and the mark's text reaches the terminal
const plain = z.string().check(z.minLength(1), z.maxLength(1000), z.regex(/^[^\u0000-\u001f\u007f-\u009f]*$/));
const markSchema = z.object({user: plain, host: plain, journal: plain, since: z.iso.datetime()});

/** What the runbook does with drain marks (tests give a directory of their own). */
export type MarkHandle = Pick<DrainMarks, 'write' | 'remove' | 'read'>;

export class DrainMarks {
	constructor(private readonly options: {dir: string; clients: readonly RuntimeClient[]; proc?: string}) {}

	/** Records that this run's maintenance (its journal) drained `target`, on every instance. Returns a sentence when it could not. */
	async write(target: Target, journal: string, signal?: AbortSignal): Promise<string | null> {
		const mark: DrainMark = {user: printableName(operatorName()), host: os.hostname(), journal: path.resolve(journal), since: new Date().toISOString()};
		const text = Buffer.from(`${JSON.stringify(mark)}\n`);
		const failed: string[] = [];
		for (const file of await this.files(target, signal)) {
			const temporary = `${file}.${process.pid}.tmp`;
			try {
				const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
				try {
					writeSync(fd, text, 0, text.length, 0);
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

		return failed.length === 0 ? null : `The note that this maintenance drained ${formatTarget(target)} could not be written (${failed.join(', ')}), so another operator's drainboard will not name it.`;
	}

	/** Removes the marks of `target` (its drain ended); a mark this user may not remove stays, and counts no more once the server is not drained. */
	async remove(target: Target, signal?: AbortSignal): Promise<void> {
		for (const file of await this.files(target, signal)) {
			try {
				unlinkSync(file);
			} catch {
				// Not there, or another user's in a sticky directory.
			}
		}
	}

	/** The mark of `target` on the first instance that has one, or null. */
	async read(target: Target, signal?: AbortSignal): Promise<DrainMark | null> {
		for (const file of await this.files(target, signal)) {
			const mark = readMark(file);
			if (mark) {
				return mark;
			}
		}

		return null;
	}

	private async files(target: Target, signal?: AbortSignal): Promise<string[]> {
		const files: string[] = [];
		for (const client of this.options.clients) {
			// The worker's own key and start: a reload gives a new worker, whose marks start empty, and a
			// reused pid has another start time.
			const info = await client.info(signal);
			const [key] = instanceKeys(info, this.options.proc);
			files.push(path.join(this.options.dir, fileName(`${key!}${info.startTime === null ? '' : `-t${info.startTime}`}`, target)));
		}

		return [...new Set(files)];
	}
}

/** Whether a mark is this run's own maintenance: the same user, host and journal. */
export function isOwnMark(mark: DrainMark, journal: string): boolean {
	return mark.user === printableName(operatorName()) && mark.host === os.hostname() && mark.journal === path.resolve(journal);
}

/** `alice's maintenance at 14:02:11 on lb2 (journal /home/alice/.local/state/drainboard/journal.jsonl)`. */
export function markText(mark: DrainMark): string {
	const where = mark.host === os.hostname() ? '' : ` on ${mark.host}`;
	return `${mark.user}'s maintenance at ${clockTime(Date.parse(mark.since))}${where} (journal ${mark.journal})`;
}

/** `drainboard.<instance>.<backend>.<server>.drained`; long names are shortened with a hash of the target. */
function fileName(key: string, target: Target): string {
	const name = formatTarget(target);
	const short = name.length <= 120 ? name : `${name.slice(0, 100)}~${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
	return `drainboard.${key}.${short.replace(/\//g, '_')}.drained`;
}

function readMark(file: string): DrainMark | null {
	let fd: number;
	try {
		fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
	} catch {
		return null;
	}

	try {
		if (!fstatSync(fd).isFile()) {
			return null;
		}

		const buffer = Buffer.alloc(4096);
		const parsed = markSchema.safeParse(JSON.parse(buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0))));
		return parsed.success ? parsed.data : null;
	} catch {
		return null;
	} finally {
		closeSync(fd);
	}
}
