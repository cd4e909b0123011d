import type {ErrorCode, ExitCode} from '../errors.js';
import type {StepId} from './steps.js';

/** How a check came out. `warn` does not block; `fail` does, unless the operator may override it. */
export type Verdict = 'pass' | 'warn' | 'fail' | 'skip';

/** Numbers and names that back a verdict (request counts, counter deltas, pids). */
type Evidence = Record<string, string | number | boolean | null>;

/** The outcome of one check, in plain words: what was seen, what it means, what to do. */
export type CheckResult = {
	id: string;
	title: string;
	verdict: Verdict;
	observed: string;
	meaning?: string;
	todo?: string;
	evidence?: Evidence;
	/**
	 * A failed check the operator may pass knowingly: `force` with --force (capacity),
	 * `acknowledge` after answering a question (hash-based balancing). The choice is journaled.
	 */
	override?: {kind: 'force' | 'acknowledge'; question: string};
	/** For headless runs: 3 when HAProxy was unreachable or refused, else a failure is 1. */
	exitCode?: ExitCode;
	/** For `--json`: why it failed, when the check's own code (see failureCode) is not the reason. */
	code?: ErrorCode;
};

type Details = Omit<CheckResult, 'id' | 'title' | 'verdict' | 'observed'>;

export function passed(id: string, title: string, observed: string, details: Details = {}): CheckResult {
	return {id, title, verdict: 'pass', observed, ...details};
}

export function warned(id: string, title: string, observed: string, details: Details = {}): CheckResult {
	return {id, title, verdict: 'warn', observed, ...details};
}

export function failed(id: string, title: string, observed: string, details: Details = {}): CheckResult {
	return {id, title, verdict: 'fail', observed, ...details};
}

export function skipped(id: string, title: string, observed: string, details: Details = {}): CheckResult {
	return {id, title, verdict: 'skip', observed, ...details};
}

export function blocks(result: CheckResult): boolean {
	return result.verdict === 'fail';
}

const symbols = {pass: '✓', warn: '!', fail: '✗', skip: '–'} as const;

/** One plain line per finished check, for logs: `✓ validate · Capacity left: …`. */
export function checkLine(step: StepId, check: CheckResult): string {
	const extra = check.verdict === 'fail' || check.verdict === 'warn' ? [check.meaning, check.todo ? `Do: ${check.todo}` : undefined].filter(Boolean).join(' ') : '';
	return `${symbols[check.verdict]} ${step} · ${check.title}: ${check.observed}${extra ? ` ${extra}` : ''}`;
}
