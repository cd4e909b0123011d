import {describe, expect, it} from 'vitest';
import {passed, failed, warned} from '../../source/runbook/check-result.js';
import {initialRunbookState, runbookReducer, type RunbookState} from '../../source/runbook/state.js';

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

	it('after a lost drain is re-applied at maintain, goes back to confirm, to prove again what the time in rotation changed; a failed re-apply stays', () => {
		const atMaintain = run(start, {type: 'resumed', at: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], time: 1}, {type: 'reapply-started'});
		expect(atMaintain.steps.confirm.status).toBe('passed');
		const back = run(atMaintain, {type: 'reapply-ended', problem: null, time: 2});
		expect(back.current).toBe('confirm');
		expect([back.steps.confirm.status, back.steps.maintain.status, back.steps.restore.status]).toEqual(['pending', 'pending', 'pending']);
		expect(back.steps.drain.status).toBe('passed');
		expect(back.problem).toBe('The drain is back on webapps/app01, after it was in rotation: confirm runs again, for the traffic and sessions it took meanwhile.');
		const refused = run(atMaintain, {type: 'reapply-ended', problem: 'HAProxy refused it.', time: 2});
		expect(refused.current).toBe('maintain');
		expect(refused.steps.confirm.status).toBe('passed');
	});

	it('brings restore forward only during an outage while drained, and a no to its ready goes back to the step it came from', () => {
		const atMaintain = run(start, {type: 'resumed', at: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], time: 1});
		// No outage: nothing to bring forward.
		expect(run(atMaintain, {type: 'restore-brought-forward'}).current).toBe('maintain');
		const outage = run(atMaintain, {type: 'alarm-raised', alarm: {id: 'backend-down:/s', kind: 'backend-down', socket: '/s', message: 'webapps has no server serving on /s', at: 2}});
		const forward = run(outage, {type: 'restore-brought-forward'});
		expect([forward.current, forward.steps.confirm.status, forward.steps.maintain.status, forward.restoreFrom]).toEqual(['restore', 'passed', 'skipped', 'maintain']);
		const no = run(forward, {type: 'step-started', step: 'restore', time: 3}, {type: 'step-cancelled', step: 'restore'});
		expect([no.current, no.steps.maintain.status, no.steps.restore.status, no.restoreFrom]).toEqual(['maintain', 'pending', 'pending', null]);
		expect(no.problem).toBe('Answered no at restore: nothing was sent to HAProxy; back at maintain.');
		// An ordinary restore answered no stays at restore.
		const atRestore = run(start, {type: 'resumed', at: 'restore', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm', 'maintain'], time: 1});
		expect(run(atRestore, {type: 'step-started', step: 'restore', time: 2}, {type: 'step-cancelled', step: 'restore'}).current).toBe('restore');
	});

	it('retries a failed step from a clean slate', () => {
		let state = run(start, {type: 'step-started', step: 'validate', time: 1}, {type: 'check-finished', step: 'validate', result: failed('a', 'A', 'x')}, {type: 'step-finished', step: 'validate', time: 2});
		state = run(state, {type: 'step-started', step: 'validate', time: 3}, {type: 'check-finished', step: 'validate', result: passed('a', 'A', 'ok')}, {type: 'step-finished', step: 'validate', time: 4});
		expect(state.steps.validate.checks).toHaveLength(1);
		expect(state.current).toBe('baseline');
	});

	it('finishes after restore and clears the drained mark', () => {
		let state = run(start, {type: 'resumed', at: 'restore', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm', 'maintain'], time: 1});
		expect(state.steps.maintain.status).toBe('passed');
		expect(state.drained).toBe(true);
		state = run(state, {type: 'step-started', step: 'restore', time: 2}, {type: 'check-finished', step: 'restore', result: passed('s', 'S', 'ok')}, {type: 'step-finished', step: 'restore', time: 3});
		expect(state).toMatchObject({finished: true, drained: false, current: 'restore'});
	});

	it('marks the steps before a resumption that never ran (a drain found, not made) as skipped, not passed', () => {
		const state = run(start, {type: 'resumed', at: 'confirm', drained: true, ran: [], time: 1});
		expect([state.steps.validate.status, state.steps.baseline.status, state.steps.drain.status, state.steps.confirm.status]).toEqual(['skipped', 'skipped', 'skipped', 'pending']);
		const own = run(start, {type: 'resumed', at: 'confirm', drained: true, ran: ['validate', 'drain'], time: 1});
		expect([own.steps.validate.status, own.steps.baseline.status, own.steps.drain.status]).toEqual(['passed', 'skipped', 'passed']);
	});

	it('puts a cancelled step back to pending', () => {
		const state = run(start, {type: 'step-started', step: 'validate', time: 1}, {type: 'prompt-opened', prompt: {kind: 'question', id: 'q', question: '?', yes: 'y', no: 'n'}}, {type: 'step-cancelled', step: 'validate'});
		expect(state.steps.validate.status).toBe('pending');
		expect(state.prompt).toBeNull();
	});
});
