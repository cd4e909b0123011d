import {DrainboardError, exitCodeOf, sentenceOf} from '../errors.js';
import {isUnreachable, RuntimeApiError} from '../runtime/runtime-error.js';
import {formatTarget} from '../runtime/names.js';
import {blocks, failed, passed, skipped, warned, type CheckResult} from './check-result.js';
import type {RunbookContext, RunbookIo} from './context.js';
import {backendFreeInDryRun} from './checks/backend-free.js';
import {runbook} from './definitions.js';
import {JournalError} from './journal.js';
import {Cancelled, NotSentInDryRun} from './state-change.js';
import type {CheckDefinition} from './step-definition.js';
import {stepIds, type StepId} from './steps.js';

/**
 * The title of a check that failed because HAProxy could not be reached: what failed, in words that
 * do not read as an answer from HAProxy where the ✗ is not shown (the JSON's step detail).
 */
export const unreachableTitle = 'Reaching HAProxy';

type StepOutcome = 'passed' | 'failed' | 'cancelled';

/**
 * Runs one step's checks in order and reports each to the wizard and the journal. The first
 * blocking check stops the step; a failure the operator may override (--force, or a question
 * answered yes) is journaled and passes as a warning. A thrown error becomes a failed check
 * whose text is one sentence; a "no" to a prompt puts the step back to pending.
 */
export async function runStep(step: StepId, context: RunbookContext, io: RunbookIo): Promise<StepOutcome> {
	const outcome = await runChecks(step, context, io);
	keepLockFor(step, outcome, context);
	return outcome;
}

/** The steps that run under the backend's lock; validate takes it at its capacity check. */
const lockedSteps: ReadonlySet<StepId> = new Set(['baseline', 'drain', 'confirm']);

/**
 * The lock is held from validate's capacity check to the end of confirm: it ends when confirm
 * passes, and when the maintenance stops before the drain (validate, baseline or drain did not pass).
 */
function keepLockFor(step: StepId, outcome: StepOutcome, context: RunbookContext): void {
	// A drain that may be in effect (its reply lost and not read back, or left drained where it could
	// not be put back, or accepted and not read right after) keeps the lock until a retry or the end
	// of this maintenance says more. A drain never sent (the capacity re-check), refused or put back lets it go.
	const drainMayHold = context.facts.drainOutcome === 'applied' || context.facts.drainOutcome === 'unknown';
	const stoppedBeforeDrain = outcome !== 'passed' && (step === 'validate' || step === 'baseline' || (step === 'drain' && !drainMayHold));
	// A restore brought forward past a confirm that did not pass (the backend had no server serving) ends it too.
	if (((step === 'confirm' || step === 'restore') && outcome === 'passed') || stoppedBeforeDrain) {
		context.lock.release();
	}
}

const lockCheck: CheckDefinition = {
	id: 'backend-free',
	title: 'Nobody else changing it',
	async run(context, io) {
		const tookOver = await context.lock.take(`drain of ${formatTarget(context.target)}`, io.signal);
		const held = `${context.target.backend} is locked for this drainboard.`;
		return tookOver ? warned(this.id, this.title, `${tookOver} ${held}`) : passed(this.id, this.title, held);
	},
};

/**
 * The lock check a step starts with, if any. The lock is taken again where it was let go (a retry
 * after a failed step): said only when refused. A dry run takes no lock: it reads it once, at
 * validate or at the first step that would take it (restore's change), and warns if it is held.
 */
function lockCheckFor(step: StepId, context: RunbookContext): CheckDefinition | undefined {
	if (!context.options.dryRun) {
		return lockedSteps.has(step) && !context.lock.isHeld ? lockCheck : undefined;
	}

	const state = context.store.getState();
	const seen = stepIds.some((id) => state.steps[id].checks.some((check) => check.id === lockCheck.id));
	return (lockedSteps.has(step) || step === 'restore') && !context.lock.isHeld && !seen ? dryRunLockCheck : undefined;
}

const dryRunLockCheck: CheckDefinition = {
	id: lockCheck.id,
	title: lockCheck.title,
	run: backendFreeInDryRun,
};

async function runChecks(step: StepId, context: RunbookContext, io: RunbookIo): Promise<StepOutcome> {
	io.dispatch({type: 'step-started', step, time: context.clock.now()});
	const results: CheckResult[] = [];
	const first = lockCheckFor(step, context);
	const checks = first ? [first, ...runbook[step].checks] : runbook[step].checks;
	for (const check of checks) {
		if (io.signal?.aborted) {
			return leftWhileRunning(step, check, context, io);
		}

		let result: CheckResult;
		try {
			if (check.applies && !(await check.applies(context, io))) {
				continue;
			}

			result = await check.run(context, io);
		} catch (error) {
			if (error instanceof NotSentInDryRun) {
				// The change is the last thing a dry run does in its step: what comes after it needs the change made.
				io.dispatch({type: 'facts-learned', facts: {wouldSend: [...context.facts.wouldSend, ...error.lines]}});
				// Not run, so not passed: `skip`, under a title that does not say it was sent.
				const sockets = context.clients.map((client) => client.socket).join(', ');
				result = skipped(check.id, 'Not sent (dry run)', `Would send ${error.lines.map((line) => `"${line}"`).join(' then ')} to ${sockets}; nothing was sent.${error.note ? ` ${error.note}` : ''}`);
				context.journal.appendGuarded({step, event: 'check', check: result.id, verdict: result.verdict, observed: result.observed});
				io.dispatch({type: 'check-finished', step, result});
				results.push(result);
				break;
			}

			if (error instanceof Cancelled) {
				io.dispatch({type: 'step-cancelled', step});
				context.journal.appendGuarded({step, event: 'step-cancelled', check: check.id, detail: error.reason});
				return 'cancelled';
			}

			const code = error instanceof DrainboardError ? error.code : 'internal';
			// A socket that cannot be reached says nothing about what the check looks at: named as what failed.
			const unreachable = error instanceof RuntimeApiError && isUnreachable(error);
			result = failed(check.id, unreachable ? unreachableTitle : check.title, sentenceOf(error), {
				exitCode: error instanceof JournalError ? 1 : unreachable || (error instanceof RuntimeApiError && error.exitCode === 3) ? 3 : exitCodeOf(error),
				...(code ? {code} : {}),
			});
		}

		// The screen was left while the check ran: a watch cut short passes early and a probe sends
		// nothing, so its result says what was not seen. Not journaled; the step is taken up again.
		if (io.signal?.aborted) {
			return leftWhileRunning(step, check, context, io);
		}

		if (result.verdict === 'fail' && result.override) {
			result = await override(result, context, io, step);
		}

		if (!(result.verdict === 'pass' && (check === lockCheck || check === dryRunLockCheck))) {
			context.journal.appendGuarded({step, event: 'check', check: result.id, verdict: result.verdict, observed: result.observed, evidence: result.evidence});
			io.dispatch({type: 'check-finished', step, result});
		}

		results.push(result);
		if (blocks(result)) {
			break;
		}
	}

	const ok = !results.some((result) => blocks(result));
	io.dispatch({type: 'step-finished', step, time: context.clock.now()});
	context.journal.appendGuarded({step, event: ok ? 'step-passed' : 'step-failed'});
	if (ok && step === 'restore') {
		context.journal.appendGuarded({step, event: 'finished'});
	}

	return ok ? 'passed' : 'failed';
}

async function override(result: CheckResult, context: RunbookContext, io: RunbookIo, step: StepId): Promise<CheckResult> {
	const how = result.override!;
	if (how.kind === 'force') {
		if (!context.options.force) {
			return result;
		}

		return journaledOverride(context, step, result, `passed by --force: ${result.observed}`, 'Passed by --force (journaled).');
	}

	const yes = await io.ask({kind: 'question', id: `${step}:${result.id}`, question: how.question, yes: 'continue knowingly', no: 'stop here'});
	if (!yes) {
		return result;
	}

	return journaledOverride(context, step, result, `continued knowingly: ${result.observed}`, 'The operator continued knowingly (journaled).');
}

/** An override counts only once it is in the journal. */
function journaledOverride(context: RunbookContext, step: StepId, result: CheckResult, detail: string, note: string): CheckResult {
	const journaled = context.journal.appendGuarded({step, event: 'override', check: result.id, detail});
	if (!journaled.written) {
		return {...result, observed: `${result.observed} ${journaled.sentence}`};
	}

	return {...result, verdict: 'warn', observed: `${result.observed} ${note}`};
}

/** The maintenance's screen was left (back to the grid, or quitting) while `check` ran or was next: journaled as such, no verdict. */
function leftWhileRunning(step: StepId, check: CheckDefinition, context: RunbookContext, io: RunbookIo): StepOutcome {
	io.dispatch({type: 'step-cancelled', step});
	context.journal.appendGuarded({step, event: 'step-cancelled', check: check.id, detail: `the maintenance was left while "${check.title}" ran: no verdict taken`});
	return 'cancelled';
}
