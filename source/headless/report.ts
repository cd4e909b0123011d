import type {CheckResult} from '../runbook/check-result.js';
import type {RunbookState} from '../runbook/state.js';
import type {StepId} from '../runbook/steps.js';

const symbols = {pass: '✓', warn: '!', fail: '✗', skip: '–'} as const;

/** One plain line per finished check, for logs: `✓ validate · Capacity left: …`. */
export function checkLine(step: StepId, check: CheckResult): string {
	const extra = check.verdict === 'fail' || check.verdict === 'warn' ? [check.meaning, check.todo ? `Do: ${check.todo}` : undefined].filter(Boolean).join(' ') : '';
	return `${symbols[check.verdict]} ${step} · ${check.title}: ${check.observed}${extra ? ` ${extra}` : ''}`;
}

/** The `drain --json` / `restore --json` object. */
export type HeadlessResult = {
	ok: boolean;
	target: string;
	/** Whether HAProxy showed the target drained when the command ended (read back then); null when it could not be read. */
	drained: boolean | null;
	journal: string;
	/** What the operator must know besides the checks: a drain lost mid-maintenance (and why), an open maintenance HAProxy no longer shows. */
	warnings: string[];
	/** The signal that stopped the run, the step it was in, and the target's state as read then. */
	interrupted?: {signal: string; step: StepId | null; state: string};
	steps: Array<{
		id: StepId;
		ok: boolean;
		detail: string;
		checks: Array<{id: string; verdict: CheckResult['verdict']; observed: string; evidence?: CheckResult['evidence']}>;
	}>;
};

/** The result of a run over `steps`, each with its checks as `state` has them. */
export function headlessResult(state: RunbookState, run: Pick<HeadlessResult, 'ok' | 'journal' | 'drained' | 'warnings' | 'interrupted'> & {steps: readonly StepId[]}): HeadlessResult {
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
				return {
					id,
					ok: step.status === 'passed',
					detail: blocking ? `${blocking.title}: ${blocking.observed}` : `${step.checks.length} check(s) passed${warnings > 0 ? `, ${warnings} with a warning` : ''}`,
					checks: step.checks.map((check) => ({id: check.id, verdict: check.verdict, observed: check.observed, ...(check.evidence ? {evidence: check.evidence} : {})})),
				};
			}),
	};
}
