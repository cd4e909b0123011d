import process from 'node:process';
import {UsageError, type ExitCode} from '../errors.js';
import type {Options} from '../options.js';
import type {RunbookIo} from '../runbook/context.js';
import {beginMaintenance, prepareMaintenance} from '../runbook/prepare.js';
import {readTarget} from '../runbook/read-target.js';
import type {ResumePoint} from '../runbook/resume.js';
import {runStep} from '../runbook/run-step.js';
import {initialRunbookState, runbookReducer, type RunbookState} from '../runbook/state.js';
import {stepIds, stepIndex, type StepId} from '../runbook/steps.js';
import {formatTarget, parseTarget} from '../runtime/names.js';
import {clockTime} from '../time-format.js';
import {terminalLine, terminalSafeJson} from '../visible-text.js';
import {askOnTerminal} from './ask-tty.js';
import {checkLine, headlessResult} from './report.js';

type Kind = 'drain' | 'restore';

const write = (line: string) => {
	process.stderr.write(terminalLine(line));
};

/**
 * `drainboard drain B/S` (validate → confirm; leaves the server drained) and `drainboard restore
 * B/S` (maintain → restore), on the wizard's engine and journal. Each state change is shown
 * and confirmed on a terminal, or passed by --yes.
 */
export async function headlessMaintenance(kind: Kind, options: Options, targetText: string | undefined): Promise<ExitCode> {
	if (targetText === undefined) {
		throw new UsageError(`"${kind}" needs the server as backend/server, for example: drainboard ${kind} webapps/app01 --yes.`);
	}

	const target = parseTarget(targetText);
	if (!options.yes && !process.stdin.isTTY) {
		throw new UsageError(`"${kind}" changes HAProxy's state and asks before each change, but stdin is not a terminal; pass --yes to confirm in advance.`);
	}

	const {context, resume, notes} = await prepareMaintenance(options, target, {offerShutdown: false});
	for (const note of notes) {
		write(note);
	}

	const label = formatTarget(context.target);
	let state: RunbookState = initialRunbookState(label, context.clock.now());
	let lastLive = 0;
	const io: RunbookIo = {
		dispatch(action) {
			state = runbookReducer(state, action);
			if (action.type === 'check-finished') {
				write(checkLine(action.step, action.result));
			} else if (action.type === 'live-updated' && context.clock.now() - lastLive >= 5000) {
				lastLive = context.clock.now();
				for (const line of action.lines) {
					write(`… ${action.step} · ${line}`);
				}
			}
		},
		async ask(prompt) {
			if (options.yes) {
				write(prompt.kind === 'command' ? `→ ${prompt.command} (confirmed by --yes)` : `→ ${prompt.question} yes (--yes)`);
				return true;
			}

			return askOnTerminal(prompt);
		},
	};

	const plan = await planSteps(kind, context, resume);
	write(`drainboard ${kind} ${label} on ${context.clients.map((client) => client.socket).join(', ')} (journal ${context.journal.file})`);
	if (plan.done) {
		write(`✓ ${plan.done}`);
		return finish(kind, state, [], context.journal.file, true, options.json);
	}

	if (plan.resume) {
		state = runbookReducer(state, {type: 'resumed', at: plan.resume.step, drained: plan.resume.drained, time: context.clock.now()});
		write(`→ resuming at ${plan.resume.step}: ${plan.resume.reason}`);
	}

	beginMaintenance(context, plan.resume);
	let exitCode: ExitCode = 0;
	for (const step of plan.steps) {
		const outcome = await runStep(step, context, io);
		if (outcome === 'passed') {
			continue;
		}

		const blocking = state.steps[step].checks.find((check) => check.verdict === 'fail');
		exitCode = outcome === 'cancelled' ? 1 : (blocking?.exitCode ?? 1);
		write(outcome === 'cancelled' ? `✗ ${step} · cancelled: nothing was sent.` : `✗ ${step} blocked.`);
		if (state.drained) {
			const since = context.facts.drainSentAt ? ` since ${clockTime(context.facts.drainSentAt)}` : '';
			write(`${label} is DRAINED now (out of rotation${since}). Run "drainboard restore ${label}" to put it back, or "drainboard ${label}" to continue in the wizard.`);
		} else {
			write(`Nothing was changed on HAProxy by this run.`);
		}

		break;
	}

	if (exitCode === 0) {
		write(kind === 'drain' ? `✓ ${label} is drained and proven out of rotation. Run "drainboard restore ${label}" after the work.` : `✓ ${label} is back in rotation, proven by traffic.`);
	}

	// Entries lost on the way (observations are journaled best effort): the run is not complete.
	const missing = context.journal.missingNote();
	if (missing) {
		write(`✗ ${missing}`);
		exitCode = exitCode === 0 ? 1 : exitCode;
	}

	return finish(kind, state, plan.steps, context.journal.file, exitCode === 0, options.json, exitCode);
}

type Plan = {steps: StepId[]; resume?: ResumePoint; done?: string};

async function planSteps(kind: Kind, context: Parameters<typeof readTarget>[0], resume: ResumePoint | undefined): Promise<Plan> {
	const through = (from: StepId, to: StepId) => stepIds.slice(stepIndex(from), stepIndex(to) + 1);
	if (kind === 'drain') {
		if (!resume?.drained) {
			return {steps: through('validate', 'confirm')};
		}

		return stepIndex(resume.step) > stepIndex('confirm') ? {steps: [], done: `${formatTarget(context.target)} is already drained and confirmed (${resume.reason}).`} : {steps: through(resume.step, 'confirm'), resume};
	}

	if (resume?.drained) {
		const at = stepIndex(resume.step) < stepIndex('maintain') ? 'maintain' : resume.step;
		return {steps: through(at, 'restore'), resume: {...resume, step: at}};
	}

	if (resume?.step === 'restore') {
		return {steps: ['restore'], resume};
	}

	const views = await readTarget(context);
	const flags = views.flatMap((view) => view.server?.adminFlags ?? []);
	if (flags.includes('FMAINT') || flags.includes('RMAINT')) {
		throw new UsageError(`${formatTarget(context.target)} is in maintenance (${flags.join('+')}), not drained; drainboard restores drains only. Send "set server ${formatTarget(context.target)} state ready" yourself if that is meant.`);
	}

	return {steps: [], done: `${formatTarget(context.target)} is not drained (admin flags: ${flags.join('+') || 'none'}); nothing to restore.`};
}

function finish(kind: Kind, state: RunbookState, steps: StepId[], journal: string, ok: boolean, json: boolean, exitCode: ExitCode = 0): ExitCode {
	if (json) {
		process.stdout.write(`${terminalSafeJson(JSON.stringify(headlessResult(state, steps, journal, ok)))}\n`);
	}

	return ok ? 0 : exitCode === 0 ? 1 : exitCode;
}
