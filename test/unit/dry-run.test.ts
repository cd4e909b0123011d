import {describe, expect, it} from 'vitest';
import {dryRunSummary, warnedCheckTexts} from '../../source/headless/dry-run.js';
import {passed, warned, type CheckResult} from '../../source/runbook/check-result.js';
import {initialRunbookState, runbookReducer, type RunbookAction, type RunbookState} from '../../source/runbook/state.js';

/** A dry run's state: validate with these checks, and the change it would send. */
function dryRun(target: string, validate: CheckResult[], wouldSend: string[]): RunbookState {
	const actions: RunbookAction[] = [
		{type: 'step-started', step: 'validate', time: 1},
		...validate.map((result): RunbookAction => ({type: 'check-finished', step: 'validate', result})),
		{type: 'step-finished', step: 'validate', time: 2},
		{type: 'facts-learned', facts: {wouldSend}},
	];
	return actions.reduce(runbookReducer, initialRunbookState(target, 0));
}

const lock = warned('backend-free', 'Nobody else changing it', 'bob holds the lock of webapps: a real run would be refused now.');
const know = warned('warnings', 'Things to know', 'No server-state file: a reload drops the drain.');
const capacity = passed('capacity', 'Capacity left', '2 other servers serving.');

describe('the summary a dry run ends with', () => {
	it('says every check passed, and what it would send, in order', () => {
		const state = dryRun('webapps/app01', [capacity], ['disable agent webapps/app01', 'set server webapps/app01 state drain']);
		expect(dryRunSummary('drain webapps/app01', [{state}])).toBe(
			'✓ Dry run of drain webapps/app01: every check it can make without a change passed; it would send "disable agent webapps/app01" then "set server webapps/app01 state drain". Nothing was sent.',
		);
		expect(warnedCheckTexts(state)).toEqual([]);
	});

	it('counts and names the checks that warned, and says when it would send nothing', () => {
		const state = dryRun('webapps/app01', [lock, capacity, know], []);
		expect(dryRunSummary('restore webapps/app01', [{state}])).toBe(
			'✓ Dry run of restore webapps/app01: no check blocked, 2 warned (validate · Nobody else changing it; validate · Things to know); it would send nothing. Nothing was sent.',
		);
		expect(warnedCheckTexts(state)).toEqual([
			'validate · Nobody else changing it: bob holds the lock of webapps: a real run would be refused now.',
			'validate · Things to know: No server-state file: a reload drops the drain.',
		]);
	});

	it('gives each note of a warning made of several its own entry, and counts the check once', () => {
		const notes = ['No server-state file: a reload drops the drain.', '10.0.0.5:8080 also serves api/app01, left in rotation.'];
		const state = dryRun('webapps/app01', [warned('warnings', 'Things to know', notes.join(' '), {notes})], []);
		expect(warnedCheckTexts(state)).toEqual(notes.map((note) => `validate · Things to know: ${note}`));
		expect(dryRunSummary('drain webapps/app01', [{state}])).toContain('no check blocked, 1 warned (validate · Things to know)');
	});

	it('for a set, names each warning after its server and lists every server\'s commands', () => {
		const first = dryRun('webapps/app01', [capacity, know], ['set server webapps/app01 state drain']);
		const second = dryRun('api/app01', [capacity], ['set server api/app01 state drain']);
		expect(dryRunSummary('drain */app01', [{state: first, label: 'webapps/app01'}, {state: second, label: 'api/app01'}])).toBe(
			'✓ Dry run of drain */app01: no check blocked, 1 warned (webapps/app01: validate · Things to know); it would send "set server webapps/app01 state drain" then "set server api/app01 state drain". Nothing was sent.',
		);
	});
});
