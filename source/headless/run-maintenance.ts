import {endClaim} from '../runbook/traffic-proof.js';
import process from 'node:process';
import {journalTime} from '../time-format.js';
import {onCrash} from '../crash.js';
import {errorCodeOf, exitCodeOf, stopSignals, UsageError, type ErrorCode, type ExitCode, type StopSignal} from '../errors.js';
import {drainSet} from '../model/server-condition.js';
import type {Options} from '../options.js';
import {journalScopeOf, type RunbookContext, type RunbookIo} from '../runbook/context.js';
import {beginMaintenance, prepareMaintenance} from '../runbook/prepare.js';
import {ChangeRefusedError} from '../runbook/change-guards.js';
import {changeInFlight, changesSettled, stopChanges} from '../runbook/state-change.js';
import {putBackOnOutage} from '../runbook/outage.js';
import {readTarget} from '../runbook/read-target.js';
import {runStep} from '../runbook/run-step.js';
import {planSteps, type MaintenanceKind} from '../runbook/plan-steps.js';
import type {StepId} from '../runbook/steps.js';
import {seenInRead, targetState, targetStateSentence} from '../runbook/target-state.js';
import {clientsFor} from '../poll/clients.js';
import type {RuntimeClient} from '../poll/client.js';
import {formatTarget, type Target} from '../runtime/names.js';
import {expandPattern, formatPattern, parseTargetPattern} from '../poll/target-set.js';
import {terminalLine, terminalSafeJson} from '../visible-text.js';
import {askOnTerminal} from './ask-tty.js';
import {changedByRun, finalState, readServers, targetEntries, type TargetServers} from './final-state.js';
import {headlessResult, type HeadlessResult} from './report.js';
import {checkLine, failureSentence} from '../runbook/check-result.js';
import {dryRunSummary, warnedCheckTexts} from './dry-run.js';
import {failureCode} from '../runbook/failure-code.js';
import {partOfSetWarnings, restoreCommand, restoreHint, statusCommand} from '../runbook/come-back.js';
import {foundDrainWarning, markFoundDrain} from '../runbook/take-over.js';
import {releaseEarlySignals} from '../early-signals.js';

type Kind = MaintenanceKind;

/** What a caller running several maintenances in turn (`roll`) changes in one. */
type MaintenanceHooks = {
	/** Receives the result (also on a signal, just before the exit) instead of stdout. */
	report?: (result: HeadlessResult) => void;
	/** How to come back to a target left drained, instead of restore's and the wizard's lines. */
	comeBack?: string;
	/** The instances already found (their notes already said). */
	clients?: readonly RuntimeClient[];
};

/** How long the state read after a signal may take: the operator (or systemd) is waiting. */
const lastReadMs = 2000;

const write = (line: string) => {
	process.stderr.write(terminalLine(line));
};

/**
 * `drainboard drain B/S` (validate → confirm; leaves the server drained) and `drainboard restore
 * B/S` (maintain → restore), on the wizard's engine and journal. Each state change is shown
 * and confirmed on a terminal, or passed by --yes. What the wizard would raise an alarm about (a
 * drain lost mid-maintenance, an open maintenance HAProxy no longer shows) is a warning on stderr
 * and in the JSON. SIGTERM, SIGHUP or SIGINT stops it with no further change: journaled, the
 * target's state read and said, exit 128 + the signal's number.
 */
export async function headlessMaintenance(kind: Kind, options: Options, targetText: string | undefined, hooks: MaintenanceHooks = {}): Promise<ExitCode> {
	if (targetText === undefined) {
		throw new UsageError(`"${kind}" needs the server as backend/server, '*/server' or @address[:port], for example: drainboard ${kind} webapps/app01 --yes.`);
	}

	const pattern = parseTargetPattern(targetText);
	if (!options.yes && !options.dryRun && !process.stdin.isTTY) {
		throw new UsageError(`"${kind}" changes HAProxy's state and asks before each change, but stdin is not a terminal; pass --yes to confirm in advance.`);
	}

	let target: Target;
	let clients: readonly RuntimeClient[] | undefined = hooks.clients;
	if (pattern.kind === 'one') {
		target = pattern.target;
	} else {
		// Several servers are one maintenance; a pattern that names one server is that server's.
		const loaded = clients ? {clients, notes: []} : await clientsFor(options);
		for (const note of loaded.notes) {
			write(note);
		}

		clients = loaded.clients;
		const targets = await expandPattern(clients, pattern);
		if (targets.length > 1) {
			const {headlessSet} = await import('./run-set.js');
			return headlessSet(kind, options, formatPattern(pattern), targets, clients);
		}

		target = targets[0]!;
	}

	const emit =
		hooks.report ??
		((result: HeadlessResult) => {
			if (options.json) {
				process.stdout.write(`${terminalSafeJson(JSON.stringify(result))}\n`);
			}
		});
	const {context, resume, notice, notes} = await prepareMaintenance(options, target, {interactive: false, ...(clients ? {clients} : {})});
	for (const note of notes) {
		write(note);
	}

	const label = formatTarget(context.target);
	const {store} = context;
	const warnings: string[] = [];
	const warn = (text: string) => {
		warnings.push(text);
		write(`! ${text}`);
	};

	let lastLive = 0;
	let stopping = false;
	const io: RunbookIo = {
		dispatch(action) {
			store.dispatch(action);
			if (stopping) {
				return;
			}

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
			// Once a signal came, nothing more is sent: the answer never comes.
			if (stopping) {
				return new Promise<boolean>(() => undefined);
			}

			if (options.yes) {
				write(prompt.kind === 'command' ? `→ ${(prompt.commands ?? [prompt.command]).join('; ')} (confirmed by --yes)` : `→ ${prompt.question} yes (--yes)`);
				return true;
			}

			// A dry run without --yes and without a terminal answers no: the gate would block.
			if (options.dryRun && !process.stdin.isTTY) {
				write(`→ ${prompt.kind === 'command' ? prompt.command : prompt.question} no (--dry-run without --yes)`);
				return false;
			}

			const yes = await askOnTerminal(prompt);
			return stopping ? new Promise<boolean>(() => undefined) : yes;
		},
	};

	// Read before anything is sent: the JSON's `before`, and what `changed` compares the end with.
	const before = await readServers(context);
	type End = {drained: boolean | null; after: TargetServers | null};
	const result = ({ok, steps, end, error, interrupted}: {ok: boolean; steps: readonly StepId[]; end: End; error?: {code: ErrorCode; message: string}; interrupted?: HeadlessResult['interrupted']}) =>
		headlessResult(store.getState(), {
			ok,
			steps,
			journal: context.journal.file,
			changed: changedByRun(context, before, end.after),
			targets: targetEntries(context, before, end.after),
			drained: end.drained,
			// Every check that warned is a warning (of a dry run: what would hold a real run up).
			warnings: [...warnings, ...warnedCheckTexts(store.getState())],
			...(ok ? {} : {error: error ?? {code: 'state', message: 'The run did not pass; see the steps.'}}),
			...(options.dryRun ? {wouldSend: context.facts.wouldSend} : {}),
			...(interrupted ? {interrupted} : {}),
		});

	const plan = await planSteps(kind, context, resume).catch((error: unknown) => {
		// Refused before any step: the journal still says who tried, and why nothing was sent.
		if (error instanceof ChangeRefusedError && error.code === 'other-maintenance') {
			context.journal.appendGuarded({step: 'restore', event: 'step-failed', check: 'ready-sent', detail: error.message});
		}

		// Refused for what HAProxy shows (in maintenance, not drained; another operator's drain): the server was read, and the object says how.
		if (error instanceof ChangeRefusedError && (error.code === 'not-serving' || error.code === 'other-maintenance')) {
			return {refused: error};
		}

		throw error;
	});
	if ('refused' in plan) {
		write(`✗ ${plan.refused.message}`);
		const after = await readServers(context);
		// Drained as HAProxy shows it now, on every instance read: another's drain stays, a maintenance is none.
		const drained = after === null ? null : [...after.values()].every((server) => drainSet(server));
		return finish(result({ok: false, steps: [], end: {drained, after}, error: {code: errorCodeOf(plan.refused), message: plan.refused.message}}), emit, exitCodeOf(plan.refused));
	}

	write(`drainboard ${kind}${options.dryRun ? ' --dry-run (nothing is sent)' : ''} ${label} on ${context.clients.map((client) => client.socket).join(', ')} (journal ${context.journal.file}${options.dryRun ? ', read, not written' : ''})`);
	for (const text of plan.takenOver ? [] : (plan.lost ?? (notice ? [notice] : []))) {
		warn(text);
	}

	if (kind === 'restore' && !plan.lost) {
		for (const text of partOfSetWarnings(context.journal.file, options, [label], journalScopeOf(context))) {
			warn(text);
		}
	}

	if (plan.lost) {
		context.journal.appendGuarded({step: 'maintain', event: 'abandoned', detail: `restore found the drain gone: ${plan.takenOver ?? plan.lost.join(' ')}`});
		const sentence =
			plan.takenOver ??
			`${label} is not drained: the drain was lost during the maintenance (see above), so it has taken traffic without restore's checks. Nothing was sent; check the server, and its traffic. The journal closes this maintenance.`;
		write(`✗ ${sentence}`);
		return finish(result({ok: false, steps: [], end: {drained: false, after: await readServers(context)}, error: {code: 'state', message: sentence}}), emit, 1);
	}

	if (plan.done) {
		write(`✓ ${plan.done}`);
		return finish(result({ok: true, steps: [], end: {drained: plan.drained ?? null, after: await readServers(context)}}), emit, 0);
	}

	// Another operator's drain: this run proves it, but it is not this run's to restore.
	const heldBy = kind === 'drain' ? plan.resume?.heldBy : undefined;
	if (heldBy) {
		warn(`${label} is drained by ${heldBy}, not by this run: restoring it would end that maintenance (it needs --take-over).`);
	}

	// A drain someone made by hand (socat, another tool) may be theirs for a reason of their own: the
	// warning (in the JSON too) says what this run does with it, for whoever reads the run afterwards.
	const found = foundDrainWarning(kind, label, plan.resume);
	if (found) {
		warn(found);
	}

	if (plan.resume) {
		store.dispatch({type: 'resumed', at: plan.resume.step, drained: plan.resume.drained, ran: plan.resume.ran, time: context.clock.now()});
		// A restore after a drain is that maintenance's second half, not a rescue: said as such.
		const {drainedBy} = plan.resume;
		const again = plan.resume.healthAgain ? ` again: its maintain passed in an earlier run, but the target is still drained, so the health wait runs again (up to ${context.options.readyTimeoutMs / 1000} s, --ready-timeout) before ready` : '';
		write(
			kind === 'restore' && drainedBy
				? `→ the maintenance that ${drainedBy.user} started at ${journalTime(drainedBy.at)} ${drainedBy.tookUp ? 'took up a drain it found already set (by hand or another tool)' : 'drained it'}${plan.resume.execUnfinished ? `; ${plan.resume.execUnfinished}` : ''}; it goes on at ${plan.resume.step}${again}.`
				: `→ resuming at ${plan.resume.step}: ${plan.resume.reason}`,
		);
	}

	const stop = async (signal: StopSignal | 'internal error') => {
		stopping = true;
		stopChanges();
		const state = store.getState();
		const step = state.current;
		const during = ` ${state.steps[step].status === 'running' ? 'during' : 'at'} ${step}`;
		const unanswered = await changesAnswered(signal, options.timeout);
		const read = await stateNow(context);
		const said = unanswered ? {...read, sentence: `${read.sentence} (${unanswered})`} : read;
		context.journal.appendGuarded({step, event: 'interrupted', detail: `${signal === 'internal error' ? 'an internal error' : signal} stopped drainboard ${kind}${during}; ${said.sentence}`});
		const how = said.drained ? ` ${hooks.comeBack ?? restoreHint(context)}` : '';
		write(`${signal === 'internal error' ? 'Stopped by an internal error' : `Stopped by ${signal}`}${during}: ${said.sentence}.${how}`);
		return {step, said};
	};

	let repeated = false;
	const onSignal = (signal: StopSignal) => {
		// Stopping is bounded (a change's reply, one read): a second signal does not cut it short,
		// or the run would end without saying where the server stands (SIGKILL still does).
		if (stopping) {
			if (!repeated) {
				repeated = true;
				write(`${signal} again: already stopping; where ${label} stands is said once HAProxy's answer is in (at most ${options.timeout * 2 + 2 + lastReadMs / 1000} s).`);
			}

			return;
		}

		void stop(signal).then(({step, said}) => {
			const error = {code: 'interrupted' as const, message: `Stopped by ${signal} ${store.getState().steps[step].status === 'running' ? 'during' : 'at'} ${step}: ${said.sentence}.`};
			emit(result({ok: false, steps: plan.steps, end: said, error, interrupted: {signal, step, state: said.sentence}}));

			process.exit(stopSignals[signal]);
		});
	};

	const signals = Object.keys(stopSignals) as StopSignal[];
	// From here this run answers signals itself (cli.tsx's early answer, with --json, is let go).
	releaseEarlySignals();
	for (const signal of signals) {
		process.on(signal, onSignal);
	}

	const removeCrashHook = onCrash(async () => {
		if (!stopping) {
			const {step, said} = await stop('internal error');
			if (options.json) {
				// The crash's own sentence follows on stderr; stdout still carries the one object.
				const error = {code: 'internal' as const, message: `Stopped by an internal error ${store.getState().steps[step].status === 'running' ? 'during' : 'at'} ${step}: ${said.sentence}.`};
				process.stdout.write(`${terminalSafeJson(JSON.stringify(result({ok: false, steps: plan.steps, end: said, error, interrupted: {signal: 'internal error', step, state: said.sentence}})))}\n`);
			}
		}
	});
	try {
		beginMaintenance(context, plan.resume);
		const unmarked = await markFoundDrain(context, plan.resume);
		if (unmarked) {
			warn(unmarked);
		}

		let exitCode: ExitCode = 0;
		let error: {code: ErrorCode; message: string} | undefined;
		for (const step of plan.steps) {
			const outcome = await runStep(step, context, io);
			if (stopping) {
				// The signal handler says what happened and ends the process.
				return await new Promise<never>(() => undefined);
			}

			if (outcome === 'passed') {
				continue;
			}

			const blocking = store.getState().steps[step].checks.find((check) => check.verdict === 'fail');
			exitCode = outcome === 'cancelled' ? 1 : (blocking?.exitCode ?? 1);
			error = outcome === 'cancelled' ? {code: 'interrupted', message: `The operator answered no at ${step}: nothing was sent.`} : blocking ? {code: failureCode(blocking), message: failureSentence(blocking)} : undefined;
			write(outcome === 'cancelled' ? `✗ ${step} · cancelled: nothing was sent.` : `✗ ${step} blocked.`);
			// The rest of the backend went down after the drain: the traffic check failed for that, not for the URL.
			const outage = step === 'confirm' && outcome !== 'cancelled' && !options.dryRun ? await putBackOnOutage(context, io, step) : null;
			if (outage) {
				write(`✗ ${outage.sentence}`);
				exitCode = 1;
				error = {code: 'capacity', message: outage.sentence};
			}

			break;
		}

		context.lock.release();
		// Another operator's drain, proved here: not this journal's to restore, so its maintenance here
		// ends now; else a restore by its owner would later read as this maintenance's drain lost.
		if (heldBy && !options.dryRun) {
			context.journal.appendGuarded({step: store.getState().current, event: 'abandoned', detail: `the drain is ${heldBy}'s: its restore belongs to that maintenance`});
		}

		// Where the target stands comes from HAProxy, read now, not from what this run believes it did.
		const final = await finalState(context, before);
		if (exitCode === 0 && options.dryRun) {
			write(dryRunSummary(`${kind} ${label}`, [{state: store.getState()}]));
		} else if (exitCode === 0) {
			const after = hooks.comeBack === undefined ? ` Run "${restoreCommand(context.commandFlags, label, context.journal.file)}" after the work.` : '';
			const next = heldBy ? ' Its restore belongs to the maintenance that drained it (or needs --take-over).' : after;
			write(`✓ ${label} ${endClaim(kind, [store.getState()])}.${kind === 'drain' ? next : ''}`);
		} else {
			write(final.sentence);
			error ??= {code: 'state', message: final.sentence};
		}

		// Entries lost on the way (observations are journaled best effort): the run is not complete.
		const missing = context.journal.missingNote();
		if (missing) {
			write(`✗ ${missing}`);
			exitCode = exitCode === 0 ? 1 : exitCode;
			error ??= {code: 'journal', message: missing};
		}

		return finish(result({ok: exitCode === 0, steps: plan.steps, end: final, error}), emit, exitCode);
	} finally {
		for (const signal of signals) {
			process.removeListener(signal, onSignal);
		}

		removeCrashHook();
	}
}

/**
 * Before a stopped run says where things stand: a change already sent is applied whether or not
 * its reply is read, so its reply (or its read-back) is awaited, at most two Runtime API timeouts.
 * Null when nothing was left in flight; else what to add to the state read.
 */
export async function changesAnswered(signal: StopSignal | 'internal error', timeoutSeconds: number): Promise<string | null> {
	if (!changeInFlight()) {
		return null;
	}

	const limit = timeoutSeconds * 2 + 2;
	// From the yes on, a change is under way: its command may not have been written yet (then it never is).
	write(`${signal === 'internal error' ? 'An internal error' : signal} came while a change was under way (confirmed, its outcome not known yet): waiting for it to be answered, or called off unsent (at most ${limit} s), before reading where things stand.`);
	return (await changesSettled(limit * 1000)) ? null : `a change sent before the signal was still unanswered after ${limit} s, so this may change: read it again`;
}

/** The target's state read now (briefly: HAProxy may be what is stuck), in one sentence. */
async function stateNow(context: RunbookContext): Promise<{sentence: string; drained: boolean; after: TargetServers | null}> {
	try {
		const views = await readTarget(context, AbortSignal.timeout(lastReadMs));
		const seen = seenInRead(views, Date.now());
		const state = targetState(seen);
		return {sentence: targetStateSentence(context.target, seen), drained: state === 'drained' || state === 'partly-drained', after: new Map(views.map((view) => [view.socket, view.server] as const))};
	} catch {
		return {
			after: null,
			sentence: `the state of ${formatTarget(context.target)} could not be read (HAProxy did not answer within ${lastReadMs / 1000} s); check it with "${statusCommand(context)}"`,
			drained: false,
		};
	}
}


/** Hands the result on (stdout with --json, or the roll's report); gives the exit code, 1 at least when the run did not succeed. */
function finish(result: HeadlessResult, emit: (result: HeadlessResult) => void, exitCode: ExitCode): ExitCode {
	emit(result);

	return result.ok ? 0 : exitCode === 0 ? 1 : exitCode;
}
