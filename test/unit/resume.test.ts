import {describe, expect, it} from 'vitest';
import type {JournalEntry} from '../../source/runbook/journal.js';
import {lastMaintenance, openDrains, resumePoint, staleMaintenanceNotice} from '../../source/runbook/resume.js';

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
		expect(resumePoint(record, {targetDrained: true})).toMatchObject({step: 'maintain', drained: true});
	});

	it('runs maintain again when its maintain passed but HAProxy still shows the target drained (no ready took effect): health an earlier run saw is no proof now', () => {
		const passed = ['validate', 'baseline', 'drain', 'confirm', 'maintain'] as const;
		const entries = [entry('started'), drainReply, ...passed.map((step) => entry('step-passed', {step})), entry('step-failed', {step: 'restore'})];
		const point = resumePoint(lastMaintenance(entries, 'webapps/app01'), {targetDrained: true});
		expect(point).toMatchObject({step: 'maintain', drained: true, healthAgain: true, ran: ['validate', 'baseline', 'drain', 'confirm']});
		expect(point?.reason).toContain("its maintain passed, but HAProxy still shows the target drained, so maintain's health wait runs again before ready");
		// After confirm only: maintain as ever, nothing said about running it again.
		expect(resumePoint(lastMaintenance(entries.slice(0, -2), 'webapps/app01'), {targetDrained: true})).not.toHaveProperty('healthAgain');
		// A ready that took effect (not drained now): restore, to prove traffic returned.
		const ready = entry('reply', {step: 'restore', command: 'set server webapps/app01 state ready', ok: true});
		expect(resumePoint(lastMaintenance([...entries, ready], 'webapps/app01'), {targetDrained: false})?.step).toBe('restore');
	});

	it("says a roll's --exec on the target that failed or was stopped: the work may not be done; one that passed says nothing", () => {
		const base = [entry('started'), drainReply, ...(['validate', 'baseline', 'drain', 'confirm'] as const).map((step) => entry('step-passed', {step}))];
		const started = entry('check', {step: 'maintain', check: 'exec', detail: '--exec started: systemctl restart app'});
		const reasonOf = (more: JournalEntry[]) => resumePoint(lastMaintenance([...base, ...more], 'webapps/app01'), {targetDrained: true})?.reason ?? '';
		expect(reasonOf([started])).toContain('the --exec a roll ran on it was stopped before it ended, so the work may not be done');
		expect(reasonOf([started, entry('check', {step: 'maintain', check: 'exec', verdict: 'fail', detail: 'x'})])).toContain('the --exec a roll ran on it failed, so the work may not be done');
		expect(reasonOf([started, entry('check', {step: 'maintain', check: 'exec', verdict: 'pass', detail: 'x'})])).not.toContain('--exec');
		expect(reasonOf([])).not.toContain('--exec');
	});

	it('resumes at confirm when the drain was sent but not proven, or when HAProxy shows a drain the journal does not know', () => {
		const record = lastMaintenance([entry('started'), drainReply], 'webapps/app01');
		expect(resumePoint(record, {targetDrained: true})?.step).toBe('confirm');
		expect(resumePoint(undefined, {targetDrained: true})).toMatchObject({step: 'confirm', reason: expect.stringContaining('drained by someone or something else')});
	});

	it('takes a drain seen after this maintenance\'s drain was replaced by a maintenance (MAINT) for someone else\'s, not its own; a drain applied again is its own', () => {
		const base = [entry('started'), drainReply, ...(['validate', 'baseline', 'drain', 'confirm'] as const).map((step) => entry('step-passed', {step}))];
		const seenByPrepare = entry('check', {check: 'drain-replaced', verdict: 'fail', observed: 'x', evidence: {replaced: 'maintenance'}});
		const seenByConfirm = entry('check', {step: 'confirm', check: 'drain-holds', verdict: 'fail', observed: 'x', evidence: {reads: 2, heldMs: 900, replaced: 'maintenance'}});
		for (const seen of [seenByPrepare, seenByConfirm]) {
			const record = lastMaintenance([...base, seen], 'webapps/app01');
			expect(record).toMatchObject({drainReplaced: 'maintenance', finished: false});
			expect(resumePoint(record, {targetDrained: true})).toMatchObject({step: 'confirm', found: true, reason: "HAProxy shows the target drained again, by someone or something else: a run saw the drain of ana's maintenance (started at 2026-11-25 14:02:11 UTC, still open in this journal) replaced by someone's maintenance (state maint) after it was made"});
			// Another operator's drain (a mark names them) is theirs, as ever.
			expect(resumePoint(record, {targetDrained: true, drainedBy: "bob's maintenance"})).toMatchObject({found: true, heldBy: "bob's maintenance"});
			// Not an open drain of this journal for the grid to offer.
			expect(openDrains([...base, seen])).toEqual([]);
			// The drain applied again by this maintenance (a retry) is its own again.
			const again = lastMaintenance([...base, seen, entry('reply', {step: 'confirm', command: 'set server webapps/app01 state drain', ok: true})], 'webapps/app01');
			expect(again).not.toHaveProperty('drainReplaced');
			expect(resumePoint(again, {targetDrained: true})).not.toHaveProperty('found');
		}

		// A drain-holds failure of another kind (the drain undone, set ready) says nothing of it.
		const undone = entry('check', {step: 'confirm', check: 'drain-holds', verdict: 'fail', observed: 'x', evidence: {reads: 2, heldMs: 900}});
		expect(lastMaintenance([...base, undone], 'webapps/app01')).not.toHaveProperty('drainReplaced');
	});

	it('takes a drain seen after the grid saw this maintenance\'s server in rotation for one found made (confirm again), and still offers the open drain', () => {
		const base = [entry('started'), drainReply, ...(['validate', 'baseline', 'drain', 'confirm'] as const).map((step) => entry('step-passed', {step}))];
		const seenByGrid = entry('check', {check: 'drain-replaced', verdict: 'fail', observed: 'x', evidence: {replaced: 'rotation'}});
		const record = lastMaintenance([...base, seenByGrid], 'webapps/app01');
		expect(record).toMatchObject({drainReplaced: 'rotation', finished: false});
		// The grid's note is no step of the maintenance: the grid does not run it (live-process.ts reads the last entry's session).
		expect(record?.lastEntry).toBe(base.at(-1));
		expect(resumePoint(record, {targetDrained: true})).toMatchObject({
			step: 'confirm',
			found: true,
			ran: [],
			reason: "HAProxy shows the target drained again, by someone or something else: a run saw the drain of ana's maintenance (started at 2026-11-25 14:02:11 UTC, still open in this journal) gone, the server in rotation (it took traffic since), after it was made",
		});
		// Still the grid's to offer (lost while in rotation, r resumes once drained), marked as seen lost: journaled once.
		expect(openDrains([...base, seenByGrid])).toEqual([{target: 'webapps/app01', startedBy: 'ana', startedAt: '2026-11-25T14:02:11.000Z', lostSeen: true}]);
		// A drain this maintenance applies again is its own.
		const again = lastMaintenance([...base, seenByGrid, entry('reply', {step: 'confirm', command: 'set server webapps/app01 state drain', ok: true})], 'webapps/app01');
		expect(again).not.toHaveProperty('drainReplaced');
	});

	it('lists the targets whose last maintenance drained them and did not end (what the grid offers to resume)', () => {
		const other = (event: JournalEntry['event'], extra: Partial<JournalEntry> = {}) => entry(event, {target: 'webapps/app02', ...extra});
		const entries = [
			entry('started'),
			drainReply,
			other('started'),
			other('reply', {step: 'drain', command: 'set server webapps/app02 state drain', ok: true}),
			other('finished'),
			entry('started', {target: 'api/api1'}),
		];
		expect(openDrains(entries)).toEqual([{target: 'webapps/app01', startedBy: 'ana', startedAt: '2026-11-25T14:02:11.000Z'}]);
		expect(openDrains([...entries, entry('abandoned')])).toEqual([]);
	});

	it('finishes a restore whose ready was sent', () => {
		const record = lastMaintenance([entry('started'), drainReply, entry('reply', {step: 'restore', command: 'set server webapps/app01 state ready', ok: true})], 'webapps/app01');
		expect(resumePoint(record, {targetDrained: false})?.step).toBe('restore');
	});

	it('starts afresh after a finished maintenance, or when HAProxy lost the drain, and says so', () => {
		const finished = lastMaintenance([entry('started'), drainReply, entry('finished')], 'webapps/app01');
		expect(resumePoint(finished, {targetDrained: false})).toBeUndefined();
		expect(staleMaintenanceNotice(finished, {targetDrained: false})).toBeNull();
		const lost = lastMaintenance([entry('started'), drainReply], 'webapps/app01');
		expect(resumePoint(lost, {targetDrained: false})).toBeUndefined();
		expect(staleMaintenanceNotice(lost, {targetDrained: false})).toContain('HAProxy shows the server in rotation now');
	});

	it('forgets a change that was rolled back because another instance refused it', () => {
		const rolledBackDrain = lastMaintenance(
			[entry('started'), drainReply, entry('rollback', {step: 'drain', command: 'set server webapps/app01 state ready', ok: true, socket: '/a.sock'})],
			'webapps/app01',
		);
		expect(rolledBackDrain).toMatchObject({drainSent: false, drainSentAt: null});
		expect(staleMaintenanceNotice(rolledBackDrain, {targetDrained: false})).toBeNull();
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
		expect(resumePoint(rolledBackReady, {targetDrained: true})?.step).toBe('confirm');
		const failedRollback = lastMaintenance([entry('started'), drainReply, entry('rollback', {step: 'drain', command: 'set server webapps/app01 state ready', ok: false})], 'webapps/app01');
		expect(failedRollback?.drainSent).toBe(true);
	});

	it('ignores other targets', () => {
		expect(lastMaintenance([entry('started', {target: 'webapps/app02'})], 'webapps/app01')).toBeUndefined();
	});
});
