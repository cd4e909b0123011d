import {errorCodeOf, sentenceOf} from '../errors.js';
import type {RunbookState} from '../runbook/state.js';
import type {StepId} from '../runbook/steps.js';
import type {HeadlessResult} from './result-schema.js';
import {counted} from '../counted.js';

export type {HeadlessResult} from './result-schema.js';

/** What a run knows besides its steps, for the `--json` object. */
type ResultExtra = Pick<HeadlessResult, 'changed' | 'targets' | 'drained' | 'warnings' | 'interrupted' | 'error' | 'wouldSend'>;

/** The `--json` object of an error thrown before any step ran (usage, a name HAProxy does not have, HAProxy unreachable...). */
export function errorResult(target: string, error: unknown): HeadlessResult {
	return {ok: false, changed: false, target, targets: [], drained: null, steps: [], warnings: [], error: {code: errorCodeOf(error), message: sentenceOf(error)}};
}

/** The result of a run over `steps`, each with its checks as `state` has them. */
export function headlessResult(state: RunbookState, run: ResultExtra & Pick<HeadlessResult, 'ok' | 'journal'> & {steps: readonly StepId[]}): HeadlessResult {
	const {ok, journal, steps, ...extra} = run;
	return {
		ok,
		target: state.target,
		journal,
		...extra,
		steps: steps
			.filter((id) => state.steps[id].checks.length > 0)
			.map((id) => {
				const step = state.steps[id];
				const blocking = step.checks.find((check) => check.verdict === 'fail');
				const warnings = step.checks.filter((check) => check.verdict === 'warn').length;
				const skips = step.checks.filter((check) => check.verdict === 'skip').length;
				const last = step.checks.at(-1);
				// Passed without doing its work: every check skipped (--allow-down's baseline), or stopped at the change a dry run did not send.
				const notRun = step.status === 'passed' && last?.verdict === 'skip';
				return {
					id,
					ok: step.status === 'passed' && !notRun,
					...(notRun ? {skipped: true as const} : {}),
					detail: blocking
						? `${blocking.title}: ${blocking.observed}`
						: notRun
							? `Not run: ${last.observed}`
							: `${counted(step.checks.length - skips, 'check')} passed${warnings > 0 ? `, ${warnings} with a warning` : ''}${skips > 0 ? `, ${skips} not run` : ''}`,
					checks: step.checks.map((check) => ({id: check.id, verdict: check.verdict, observed: check.observed, ...(check.evidence ? {evidence: check.evidence} : {})})),
				};
			}),
	};
}
