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
	/** A warning made of independent notes (`observed` joins them): each is its own entry in the JSON's `warnings`. */
	notes?: readonly string[];
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

/**
 * A blocking check as the one sentence of an error (`--json`'s `error.message`): what it saw,
 * then what to do, each one's sentences joined as clauses (`… rotation; HAProxy would answer 503
 * to every request; bring another server back first …`). The step lines keep them as they are.
 */
export function failureSentence(check: CheckResult): string {
	// Its first letter as the check wrote it: a sentence may begin with a name (`webapps/app01 is …`).
	const [observed, ...rest] = [check.observed, check.todo].flatMap((part) => (part ? [asClauses(part)] : []));
	return `${[observed, ...rest.map(clauseStart)].join('; ')}.`;
}

/**
 * `A. Bc d.` as `A; bc d`: a sentence's end inside becomes a clause's. Only a sentence's end: a
 * lone period after a word, before a space. Dots of an ellipsis (`stats socket ... mode 660`) or of
 * an abbreviation (`e.g. a`) stay as written, so the sentence says what stderr says.
 */
function asClauses(text: string): string {
	return text
		.trim()
		.replace(/(?<![.\s])\.$/, '')
		.replace(/(?<![.\s]|(?:^|[\s(.])[A-Za-z])\.\s+(\S+)/g, (_match, word: string) => `; ${clauseStart(word)}`);
}

/** A capital that only began a sentence as a small letter (`Bring` → `bring`); `HAProxy`, `--force`, names stay. */
function clauseStart(text: string): string {
	return /^[A-Z][a-z]/.test(text) ? `${text.charAt(0).toLowerCase()}${text.slice(1)}` : text;
}
