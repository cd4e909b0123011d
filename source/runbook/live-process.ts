import {readdirSync, readFileSync} from 'node:fs';
import os from 'node:os';
import process from 'node:process';
import {andList} from '../counted.js';
import {clockTime} from '../time-format.js';
import type {JournalEntry} from './journal.js';
import type {MaintenanceRecord} from './resume.js';

/** What /proc/<pid>/stat says about a process. */
export type ProcessStat = {command: string; state: string; parent: number; group: number; startedAt: number};

/** Clock ticks a second of /proc/<pid>/stat's start time (USER_HZ: 100 on every Linux build in use). */
const ticksPerSecond = 100;

export function processStat(proc: string, pid: number): ProcessStat | undefined {
	try {
		const text = readFileSync(`${proc}/${pid}/stat`, 'utf8');
		// `pid (command) state ppid pgrp … starttime …`; the command may hold spaces and parentheses.
		const open = text.indexOf('(');
		const close = text.lastIndexOf(')');
		const fields = text.slice(close + 2).split(' ');
		const parent = Number(fields[1]);
		const group = Number(fields[2]);
		const startedAt = Number(fields[19]);
		return open > 0 && Number.isInteger(parent) && Number.isInteger(group) && Number.isInteger(startedAt) ? {command: text.slice(open + 1, close), state: fields[0] ?? '', parent, group, startedAt} : undefined;
	} catch {
		return undefined;
	}
}

/** When the process started, in ms since the epoch (boot time plus its start tick); undefined when /proc cannot say. */
export function startedMs(proc: string, stat: ProcessStat): number | undefined {
	// A zombie (ended, not yet reaped by a parent that is gone too) runs nothing.
	if (stat.state === 'Z' || stat.state === 'X') {
		return undefined;
	}

	try {
		const boot = /^btime (\d+)$/m.exec(readFileSync(`${proc}/stat`, 'utf8'));
		return boot === null ? undefined : (Number(boot[1]) + stat.startedAt / ticksPerSecond) * 1000;
	} catch {
		return undefined;
	}
}

/** A journal session is `<ms since the epoch, base 36>-<pid, base 36>` (see Journal). */
const sessionPattern = /^([\da-z]+)-([\da-z]+)$/;

/** Slack between /proc's start time (boot time in whole seconds, ticks) and a clock read. */
const slackMs = 2000;

/**
 * The pid of the drainboard that wrote `entry`, when it still runs: on this host, another process
 * than this one, started before its session began (a pid used again later is not it). Null otherwise.
 */
function liveWriter(entry: Pick<JournalEntry, 'session' | 'host'>, proc = '/proc'): number | null {
	const match = sessionPattern.exec(entry.session);
	if (!match || entry.host !== os.hostname()) {
		return null;
	}

	const pid = Number.parseInt(match[2]!, 36);
	const began = Number.parseInt(match[1]!, 36);
	const stat = pid === process.pid ? undefined : processStat(proc, pid);
	const started = stat ? startedMs(proc, stat) : undefined;
	return started !== undefined && started <= began + slackMs ? pid : null;
}

/** The processes of group `group` that started at or after `sinceMs` (those of a command started then), by pid. */
function groupMembers(group: number, sinceMs: number, proc = '/proc'): number[] {
	let names: string[];
	try {
		names = readdirSync(proc);
	} catch {
		return [];
	}

	return names
		.filter((name) => /^\d+$/.test(name))
		.map(Number)
		.filter((pid) => {
			const stat = processStat(proc, pid);
			const started = stat?.group === group ? startedMs(proc, stat) : undefined;
			return started !== undefined && started >= sinceMs - slackMs;
		});
}

/** The events after which the process that wrote them no longer runs the maintenance. */
const letGo: ReadonlySet<JournalEntry['event']> = new Set(['quit', 'interrupted', 'abandoned', 'finished', 'roll-stopped', 'roll-finished']);

/**
 * Who runs this open maintenance now, besides this drainboard, in one clause (and a short form for
 * a banner line); null when nobody does. Another drainboard still running that wrote its last entry
 * (and did not let it go: quit, stopped, finished), or the `--exec` command of a roll whose
 * drainboard is gone (SIGKILL) still running in its process group: either would go on beside this
 * run (a second --exec on the same server, a restore while the first one's command still works on it).
 */
export function underWay(record: MaintenanceRecord, entries: readonly JournalEntry[], proc = '/proc'): {clause: string; short: string} | null {
	const last = record.lastEntry;
	const writer = letGo.has(last.event) ? null : liveWriter(last, proc);
	if (writer !== null) {
		return {clause: `${last.user}'s drainboard (pid ${writer}) runs it now (its last entry: ${last.step ?? last.event} at ${clockTime(Date.parse(last.time))})`, short: `${last.user}'s drainboard pid ${writer} runs it`};
	}

	// The --exec of this maintenance started last and never ended (no verdict after it).
	const execs = entries.filter((entry) => entry.target === record.target && entry.check === 'exec' && Date.parse(entry.time) >= Date.parse(record.startedAt));
	const started = execs.at(-1);
	const group = started?.verdict === undefined ? started?.evidence?.['group'] : undefined;
	if (started && typeof group === 'number' && Number.isInteger(group) && group > 1) {
		const members = groupMembers(group, Date.parse(started.time), proc);
		if (members.length > 0) {
			return {
				clause: `the --exec command a roll started on it at ${clockTime(Date.parse(started.time))} still runs, though its drainboard is gone (process group ${group}: ${andList(members.map(String))}; stop it with "kill -- -${group}")`,
				short: `a roll's --exec still runs on it (process group ${group})`,
			};
		}
	}

	return null;
}
