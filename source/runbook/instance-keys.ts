import {createHash} from 'node:crypto';
import {realpathSync} from 'node:fs';
import path from 'node:path';
import type {InstanceInfo} from '../decode/info.js';
import {processStat, startedMs, type ProcessStat} from './live-process.js';

/**
 * The names under which one HAProxy instance is locked, the same whatever socket (a UNIX path or
 * a TCP address) reaches it and whichever user asks:
 * - `<node>-pid<Pid>`, from `show info` alone, which every drainboard reads alike;
 * - `<node>-master<pid>` as well when `/proc` shows the worker is this host's process (its start
 *   time is `Start_time_sec`) and its parent is a HAProxy master: a master keeps its pid across
 *   reloads, where a worker's changes.
 */
export function instanceKeys(info: Pick<InstanceInfo, 'pid' | 'startTime' | 'node'>, proc = '/proc'): string[] {
	const node = safe(info.node ?? 'haproxy');
	const keys = [`${node}-pid${info.pid}`];
	const worker = processStat(proc, info.pid);
	if (!worker || !isHaproxy(worker) || !sameStart(proc, worker, info.startTime)) {
		return keys;
	}

	const parent = processStat(proc, worker.parent);
	if (parent && isHaproxy(parent)) {
		keys.push(`${node}-master${worker.parent}`);
	}

	return keys;
}

const isHaproxy = (stat: ProcessStat) => stat.command.startsWith('haproxy');

/** The process's start, from boot time and its start tick, is HAProxy's Start_time_sec (2.4+). */
function sameStart(proc: string, stat: ProcessStat, startTime: number | null): boolean {
	if (startTime === null) {
		return true;
	}

	const started = startedMs(proc, stat);
	return started !== undefined && Math.abs(started / 1000 - startTime) <= 2;
}

/** A node name as a piece of a file name. */
function safe(text: string): string {
	return text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'haproxy';
}

/**
 * `<node>-sock<hash>`: the instance by the socket that reaches it, for the lock only. A HAProxy
 * reloaded with `-sf` and no master is a new process with a new pid, listening on the same
 * socket path: two drainboards on either side of such a reload still share this name. A UNIX
 * path counts by its real directory, so a symlinked way to the same socket is the same name.
 */
export function socketKey(node: string | null, socket: string): string {
	let where = socket;
	if (socket.includes('/')) {
		try {
			where = path.join(realpathSync(path.dirname(path.resolve(socket))), path.basename(socket));
		} catch {
			where = path.resolve(socket);
		}
	}

	return `${safe(node ?? 'haproxy')}-sock${createHash('sha256').update(where).digest('hex').slice(0, 16)}`;
}

/** `-sock<hash>`: {@link socketKey}'s part that names the socket, whatever node name HAProxy gives. */
export function socketPart(socket: string): string {
	return socketKey(null, socket).slice('haproxy'.length);
}
