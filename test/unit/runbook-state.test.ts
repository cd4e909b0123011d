import {describe, expect, it} from 'vitest';
import {passed, failed, warned} from '../../source/runbook/check-result.js';
import {lastMaintenance, resumePoint, staleMaintenanceNotice} from '../../source/runbook/resume.js';
import type {JournalEntry} from '../../source/runbook/journal.js';
import {initialRunbookState, runbookReducer, type RunbookState} from '../../source/runbook/state.js';
import {TargetWatch, type Observation} from '../../source/runbook/watch.js';
import {parseTarget} from '../../source/runtime/names.js';
import {makeServer} from '../helpers/model.js';

const run = (state: RunbookState, ...actions: Parameters<typeof runbookReducer>[1][]) => actions.reduce(runbookReducer, state);

describe('runbookReducer', () => {
	const start = initialRunbookState('webapps/app01', 0);

	it('advances only when the current step finished with no blocking check', () => {
		let state = run(start, {type: 'step-started', step: 'validate', time: 1}, {type: 'check-finished', step: 'validate', result: warned('a', 'A', 'careful')}, {type: 'step-finished', step: 'validate', time: 2});
		expect(state.current).toBe('baseline');
		expect(state.steps.validate.status).toBe('passed');
		state = run(state, {type: 'step-started', step: 'baseline', time: 3}, {type: 'check-finished', step: 'baseline', result: failed('b', 'B', 'no traffic')}, {type: 'step-finished', step: 'baseline', time: 4});
		expect(state.current).toBe('baseline');
		expect(state.steps.baseline.status).toBe('failed');
		expect(state.steps.baseline.checks[0]?.observed).toBe('no traffic');
	});

	it('does not pass a step that ran no check, nor start a step that is not current', () => {
		const empty = run(start, {type: 'step-started', step: 'validate', time: 1}, {type: 'step-finished', step: 'validate', time: 2});
		expect(empty.current).toBe('validate');
		expect(run(start, {type: 'step-started', step: 'drain', time: 1}).steps.drain.status).toBe('pending');
	});

	it('retries a failed step from a clean slate', () => {
		let state = run(start, {type: 'step-started', step: 'validate', time: 1}, {type: 'check-finished', step: 'validate', result: failed('a', 'A', 'x')}, {type: 'step-finished', step: 'validate', time: 2});
		state = run(state, {type: 'step-started', step: 'validate', time: 3}, {type: 'check-finished', step: 'validate', result: passed('a', 'A', 'ok')}, {type: 'step-finished', step: 'validate', time: 4});
		expect(state.steps.validate.checks).toHaveLength(1);
		expect(state.current).toBe('baseline');
	});

	it('finishes after restore and clears the drained mark', () => {
		let state = run(start, {type: 'resumed', at: 'restore', drained: true, time: 1});
		expect(state.steps.maintain.status).toBe('passed');
		expect(state.drained).toBe(true);
		state = run(state, {type: 'step-started', step: 'restore', time: 2}, {type: 'check-finished', step: 'restore', result: passed('s', 'S', 'ok')}, {type: 'step-finished', step: 'restore', time: 3});
		expect(state).toMatchObject({finished: true, drained: false, current: 'restore'});
	});

	it('puts a cancelled step back to pending', () => {
		const state = run(start, {type: 'step-started', step: 'validate', time: 1}, {type: 'prompt-opened', prompt: {kind: 'question', id: 'q', question: '?', yes: 'y', no: 'n'}}, {type: 'step-cancelled', step: 'validate'});
		expect(state.steps.validate.status).toBe('pending');
		expect(state.prompt).toBeNull();
	});
});

describe('TargetWatch', () => {
	const target = parseTarget('webapps/app01');
	const instance = (pid: number) => ({socket: '/s', pid, version: '2.6.12', startTime: 1000 + pid, stopping: false});
	const seen = (at: number, pid: number | null, adminState = 8): Observation => ({
		socket: '/s',
		at,
		instance: pid === null ? null : instance(pid),
		server: pid === null ? null : makeServer({backend: 'webapps', server: 'app01', adminState}),
	});

	it('calls a seamless process change a reload, and says the drain is gone', () => {
		const watch = new TargetWatch();
		watch.observe(seen(1, 10), {target, drained: true});
		const {raise} = watch.observe(seen(2, 11, 0), {target, drained: true});
		expect(raise).toHaveLength(1);
		expect(raise[0]).toMatchObject({kind: 'reload', reapply: true});
		expect(raise[0]!.message).toBe('HAProxy at /s was reloaded (pid 10 → 11). The drain is gone: app01 is back in rotation. Press r to re-apply it.');
	});

	it('calls it a restart when HAProxy stopped answering in between, and notes a drain that survived', () => {
		const watch = new TargetWatch();
		watch.observe(seen(1, 10), {target, drained: true});
		expect(watch.observe(seen(2, null), {target, drained: true}).raise[0]?.kind).toBe('unreachable');
		expect(watch.observe(seen(3, null), {target, drained: true}).raise).toEqual([]);
		const back = watch.observe(seen(4, 12, 8), {target, drained: true});
		expect(back.clear).toContain('unreachable:/s');
		expect(back.raise[0]).toMatchObject({kind: 'restart'});
		expect(back.raise[0]!.message).toContain('restarted (pid 10 → 12). The drain survived');
		expect(back.raise[0]!.reapply).toBeUndefined();
	});

	it('flags someone else changing the target, but not the changes the wizard expects', () => {
		const watch = new TargetWatch();
		watch.observe(seen(1, 10, 0), {target, drained: false});
		expect(watch.observe(seen(2, 10, 8), {target, drained: true}).raise).toEqual([]);
		const changed = watch.observe(seen(3, 10, 0), {target, drained: true});
		expect(changed.raise[0]).toMatchObject({kind: 'external-change', reapply: true});
		expect(changed.raise[0]!.message).toBe('Someone else changed webapps/app01 on /s: it is ready (no admin flags) now, was FDRAIN. Press r to re-apply the drain.');
		const maint = watch.observe(seen(4, 10, 1), {target, drained: true});
		expect(maint.raise[0]!.message).toContain('it is FMAINT now, was ready');
	});

	it('says when the target is gone', () => {
		const watch = new TargetWatch();
		watch.observe(seen(1, 10), {target, drained: true});
		const gone = watch.observe({socket: '/s', at: 2, instance: instance(10), server: null}, {target, drained: true});
		expect(gone.raise[0]?.kind).toBe('target-missing');
	});
});

describe('resume', () => {
	const entry = (event: JournalEntry['event'], extra: Partial<JournalEntry> = {}): JournalEntry => ({
		time: '2026-11-25T14:02:11.000Z',
		session: 's1',
		user: 'ana',
		host: 'lb1',
		target: 'webapps/app01',
		instances: [],
		step: null,
		event,
		...extra,
	});
	const drainReply = entry('reply', {step: 'drain', command: 'set server webapps/app01 state drain', ok: true});

	it('resumes a drained target at the step after the last one passed', () => {
		const record = lastMaintenance([entry('started'), entry('step-passed', {step: 'validate'}), entry('step-passed', {step: 'baseline'}), drainReply, entry('step-passed', {step: 'drain'}), entry('step-passed', {step: 'confirm'})], 'webapps/app01');
		expect(record).toMatchObject({drainSent: true, finished: false, passed: ['validate', 'baseline', 'drain', 'confirm']});
		expect(resumePoint(record, true)).toMatchObject({step: 'maintain', drained: true});
	});

	it('resumes at confirm when the drain was sent but not proven, or when HAProxy shows a drain the journal does not know', () => {
		const record = lastMaintenance([entry('started'), drainReply], 'webapps/app01');
		expect(resumePoint(record, true)?.step).toBe('confirm');
		expect(resumePoint(undefined, true)).toMatchObject({step: 'confirm', reason: expect.stringContaining('drained by someone or something else')});
	});

	it('finishes a restore whose ready was sent', () => {
		const record = lastMaintenance([entry('started'), drainReply, entry('reply', {step: 'restore', command: 'set server webapps/app01 state ready', ok: true})], 'webapps/app01');
		expect(resumePoint(record, false)?.step).toBe('restore');
	});

	it('starts afresh after a finished maintenance, or when HAProxy lost the drain, and says so', () => {
		const finished = lastMaintenance([entry('started'), drainReply, entry('finished')], 'webapps/app01');
		expect(resumePoint(finished, false)).toBeUndefined();
		expect(staleMaintenanceNotice(finished, false)).toBeNull();
		const lost = lastMaintenance([entry('started'), drainReply], 'webapps/app01');
		expect(resumePoint(lost, false)).toBeUndefined();
		expect(staleMaintenanceNotice(lost, false)).toContain('HAProxy shows the server in rotation now');
	});

	it('forgets a change that was rolled back because another instance refused it', () => {
		const rolledBackDrain = lastMaintenance(
			[entry('started'), drainReply, entry('rollback', {step: 'drain', command: 'set server webapps/app01 state ready', ok: true, socket: '/a.sock'})],
			'webapps/app01',
		);
		expect(rolledBackDrain).toMatchObject({drainSent: false, drainSentAt: null});
		expect(staleMaintenanceNotice(rolledBackDrain, false)).toBeNull();
		const rolledBackReady = lastMaintenance(
			[
				entry('started'),
				drainReply,
				entry('reply', {step: 'restore', command: 'set server webapps/app01 state ready', ok: true}),
				entry('rollback', {step: 'restore', command: 'set server webapps/app01 state drain', ok: true}),
			],
			'webapps/app01',
		);
		expect(rolledBackReady).toMatchObject({drainSent: true, readySent: false});
		expect(resumePoint(rolledBackReady, true)?.step).toBe('confirm');
		const failedRollback = lastMaintenance([entry('started'), drainReply, entry('rollback', {step: 'drain', command: 'set server webapps/app01 state ready', ok: false})], 'webapps/app01');
		expect(failedRollback?.drainSent).toBe(true);
	});

	it('ignores other targets', () => {
		expect(lastMaintenance([entry('started', {target: 'webapps/app02'})], 'webapps/app01')).toBeUndefined();
	});
});

describe('systemClock', () => {
	it('leaves no abort listener behind on a long-lived signal', async () => {
		const {EventEmitter} = await import('node:events');
		const {systemClock} = await import('../../source/runbook/context.js');
		const controller = new AbortController();
		for (let index = 0; index < 15; index++) {
			await systemClock.sleep(1, controller.signal);
		}

		expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(0);
		const pending = systemClock.sleep(60_000, controller.signal);
		controller.abort();
		await pending;
	});
});

describe('readJournal', () => {
	it('refuses a device, and reads only the end of a huge journal', async () => {
		const {readJournal, journalReadLimit} = await import('../../source/runbook/journal.js');
		const {mkdtempSync, writeFileSync} = await import('node:fs');
		const {tmpdir} = await import('node:os');
		expect(() => readJournal('/dev/full')).toThrow('The journal /dev/full is refused because it is not a regular file (a device)');
		expect(() => readJournal('/dev/null')).toThrow('The journal /dev/null is refused because it is not a regular file (a device)');
		const file = `${mkdtempSync(`${tmpdir()}/drainboard-big-`)}/journal.jsonl`;
		const line = JSON.stringify({time: 't', session: 's', user: 'u', host: 'h', target: 'webapps/app01', instances: [], step: null, event: 'started'});
		const filler = `${'x'.repeat(1023)}\n`.repeat(journalReadLimit / 1024 + 10);
		writeFileSync(file, `${line}\n${filler}${line}\n`);
		const read = readJournal(file);
		expect(read.entries).toHaveLength(1);
		expect(read.unreadable).toBeGreaterThan(1000);
	});
});
