import type {RunbookState} from '../runbook/state.js';
import {stepIds} from '../runbook/steps.js';

/** One maintenance of a dry run: its runbook state, and its target's label when it is one of several. */
type DryRun = {state: RunbookState; label?: string};

/** The checks of a dry run that warned, each named `step · title` (after its target's label in a set). */
function warnedChecks({state, label}: DryRun): Array<{name: string; observed: string; notes?: readonly string[]}> {
	const prefix = label === undefined ? '' : `${label}: `;
	return stepIds.flatMap((step) =>
		state.steps[step].checks.filter((check) => check.verdict === 'warn').map((check) => ({name: `${prefix}${step} · ${check.title}`, observed: check.observed, ...(check.notes ? {notes: check.notes} : {})})),
	);
}

/**
 * The checks of a run that warned, as `step · title: what was seen`: the JSON's `warnings` carry
 * them (of a dry run: what would hold a real run up).
 */
export function warnedCheckTexts(state: RunbookState): string[] {
	return warnedChecks({state}).flatMap((check) => (check.notes ?? [check.observed]).map((note) => `${check.name}: ${note}`));
}

/**
 * The line a dry run that passed ends with, for one target or a set: whether every check passed
 * or which warned (what would hold a real run up), and the commands it would have sent, in order.
 */
export function dryRunSummary(what: string, runs: readonly DryRun[]): string {
	const held = runs.flatMap((run) => warnedChecks(run));
	const checked = held.length === 0 ? 'every check it can make without a change passed' : `no check blocked, ${held.length} warned (${held.map((check) => check.name).join('; ')})`;
	const wouldSend = runs.flatMap((run) => run.state.facts.wouldSend);
	const would = wouldSend.length > 0 ? `it would send ${wouldSend.map((line) => `"${line}"`).join(' then ')}` : 'it would send nothing';
	return `✓ Dry run of ${what}: ${checked}; ${would}. Nothing was sent.`;
}
