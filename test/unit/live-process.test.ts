import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {JournalEntry} from '../../source/runbook/journal.js';
import {underWay} from '../../source/runbook/live-process.js';

const runningElsewhere = (...args: Parameters<typeof underWay>) => underWay(...args)?.clause ?? null;
import type {MaintenanceRecord} from '../../source/runbook/resume.js';

const boot = 1_800_000_000;
let proc: string;

afterEach(() => {
	rmSync(proc, {recursive: true, force: true});
});

/** A /proc with the boot time and processes as Linux prints them: `pid (command) state ppid pgrp … starttime …`. */
function fakeProc(processes: Array<{pid: number; command: string; state?: string; group: number; startedS: number}>): string {
	proc = mkdtempSync(path.join(os.tmpdir(), 'drainboard-proc-'));
	writeFileSync(path.join(proc, 'stat'), `cpu  1 2 3\nbtime ${boot}\n`);
	for (const {pid, command, state = 'S', group, startedS} of processes) {
		mkdirSync(path.join(proc, String(pid)));
		const rest = ['1', String(group), ...Array.from({length: 16}, () => '0'), String(startedS * 100), '0', '0'];
		writeFileSync(path.join(proc, String(pid), 'stat'), `${pid} (${command}) ${state} ${rest.join(' ')}\n`);
	}

	return proc;
}

const at = (seconds: number) => new Date((boot + seconds) * 1000).toISOString();
const session = (seconds: number, pid: number) => `${((boot + seconds) * 1000).toString(36)}-${pid.toString(36)}`;

function entry(fields: Partial<JournalEntry> & Pick<JournalEntry, 'time' | 'session' | 'event'>): JournalEntry {
	return {user: 'alice', host: os.hostname(), target: 'webapps/app01', instances: [], step: 'maintain', ...fields};
}

const record = (last: JournalEntry): MaintenanceRecord => ({target: 'webapps/app01', startedAt: at(10), startedBy: 'alice', passed: ['validate', 'baseline', 'drain', 'confirm'], drainSent: true, drainSentAt: null, drainInstances: null, readySent: false, agentDisabled: false, finished: false, lastEntry: last});

describe('underWay: whether another process runs an open maintenance now', () => {
	it('names the drainboard that wrote the last entry while it runs, started before its session began', () => {
		const last = entry({time: at(20), session: session(10, 4242), event: 'check'});
		expect(runningElsewhere(record(last), [last], fakeProc([{pid: 4242, command: 'node', group: 4242, startedS: 9}]))).toMatch(/^alice's drainboard \(pid 4242\) runs it now \(its last entry: maintain at \d\d:\d\d:\d\d\)$/);
	});

	it('does not count a pid used again by a process started after that session, a zombie, another host, or a run that let go', () => {
		const last = entry({time: at(20), session: session(10, 4242), event: 'check'});
		expect(runningElsewhere(record(last), [last], fakeProc([{pid: 4242, command: 'node', group: 4242, startedS: 500}]))).toBeNull();
		rmSync(proc, {recursive: true});
		expect(runningElsewhere(record(last), [last], fakeProc([{pid: 4242, command: 'node', state: 'Z', group: 4242, startedS: 9}]))).toBeNull();
		const elsewhere = {...last, host: `${os.hostname()}-other`};
		expect(runningElsewhere(record(elsewhere), [elsewhere], proc)).toBeNull();
		const quit = {...last, event: 'quit' as const};
		expect(runningElsewhere(record(quit), [quit], proc)).toBeNull();
	});

	it('names the --exec command of a drainboard that is gone while a process of its group started since still runs', () => {
		const started = entry({time: at(30), session: session(10, 4242), event: 'check', check: 'exec', detail: '--exec started: sleep 120', evidence: {group: 5000}});
		const dir = fakeProc([
			{pid: 5001, command: 'sleep', group: 5000, startedS: 31},
			// An older process of a group with the same number is not the command's.
			{pid: 6000, command: 'bash', group: 6000, startedS: 1},
		]);
		expect(runningElsewhere(record(started), [started], dir)).toMatch(/^the --exec command a roll started on it at \d\d:\d\d:\d\d still runs, though its drainboard is gone \(process group 5000: 5001; stop it with "kill -- -5000"\)$/);
		const ended = entry({time: at(40), session: session(10, 4242), event: 'check', check: 'exec', verdict: 'fail', observed: '--exec was killed'});
		expect(runningElsewhere(record(ended), [started, ended], dir)).toBeNull();
		const reused = {...started, evidence: {group: 6000}};
		expect(runningElsewhere(record(reused), [reused], dir)).toBeNull();
	});
});
