import {endClaim} from '../runbook/traffic-proof.js';
import process from 'node:process';
import {stopSignals, type ErrorCode, type ExitCode, type StopSignal} from '../errors.js';
import {isServing} from '../model/server-condition.js';
import type {Options} from '../options.js';
import type {RuntimeClient} from '../poll/client.js';
import {formatTarget, type ProxyName, type Target} from '../runtime/names.js';
import {BackendLock, lockDirectory} from '../runbook/backend-lock.js';
import type {LockHandle, RunbookContext, RunbookIo} from '../runbook/context.js';
import {restoreCommand} from '../runbook/come-back.js';
import {ChangeRefusedError} from '../runbook/change-guards.js';
import {failureCode} from '../runbook/failure-code.js';
import {beginMaintenance, prepareMaintenance} from '../runbook/prepare.js';
import {runStep} from '../runbook/run-step.js';
import type {Prompt} from '../runbook/state.js';
import {stepIds} from '../runbook/steps.js';
import {terminalLine, terminalSafeJson} from '../visible-text.js';
import {askOnTerminal} from './ask-tty.js';
import {changedByRun, finalState, readServers, targetEntries, type TargetServers} from './final-state.js';
import {checkLine, headlessResult, type HeadlessResult} from './report.js';
import {dryRunSummary, dryRunWarnings} from './dry-run.js';
import {changesAnswered, planSteps, type Plan} from './run-maintenance.js';
import {stopChanges} from '../runbook/state-change.js';

type Kind = 'drain' | 'restore';

const write = (line: string) => {
	process.stderr.write(terminalLine(line));
};

/** One server of a maintenance of several: its own context, plan, state and read before the run. */
/** Its runbook state is its context's store (every action goes there, as the checks' facts do). */
type Member = {label: string; context: RunbookContext; plan: Plan; before: TargetServers | null; warnings: string[]};

/** A lock the maintenance holds for all its servers: the runbook's takes and releases leave it alone. */
const heldBySet: LockHandle = {isHeld: true, take: async () => null, release() {}, holder: async () => null};

/**
 * `drain` / `restore` of several servers (`*\/S`, `@ADDRESS[:PORT]`) as one maintenance: the
 * backends' locks taken in name order and held until every drain is confirmed; capacity checked per
 * backend with every server of the maintenance leaving together (a backend that would lose its last
 * serving server refuses the whole maintenance, nothing sent); then each step for every server
 * before the next step, the drains (and the readies) shown as one list and confirmed with one yes.
 * Each server is journaled as its own maintenance, each entry naming the set, so restore (and the
 * wizard) resume each where it stopped.
 */
export async function headlessSet(kind: Kind, options: Options, label: string, targets: readonly Target[], clients: readonly RuntimeClient[]): Promise<ExitCode> {
	const names = targets.map((target) => formatTarget(target));
	write(`drainboard ${kind}${options.dryRun ? ' --dry-run (nothing is sent)' : ''} ${label}: one maintenance of ${targets.length} servers (${names.join(', ')}) on ${clients.map((client) => client.socket).join(', ')}`);
	const members: Member[] = [];
	for (const target of targets) {
		const {context, resume, notice, notes} = await prepareMaintenance(options, target, {interactive: false, clients});
		for (const note of notes) {
			write(note);
		}

		const member: Member = {label: formatTarget(context.target), context, plan: {steps: []}, before: await readServers(context), warnings: []};
		member.plan = await planSteps(kind, context, resume).catch((error: unknown) => {
			// One server of the set is another maintenance's: the set is refused, and the way to the others said.
			if (error instanceof ChangeRefusedError && error.code === 'other-maintenance') {
				const others = names.filter((name) => name !== member.label);
				throw new ChangeRefusedError(`${error.message} The rest of ${label} can be restored one server at a time (${others.map((name) => `"${restoreCommand(options, name, context.journal.file)}"`).join(', ')}).`, 'other-maintenance');
			}

			throw error;
		});
		for (const text of member.plan.lost ?? (notice ? [notice] : [])) {
			member.warnings.push(text);
			write(`! ${member.label}: ${text}`);
		}

		if (member.plan.resume) {
			context.store.dispatch({type: 'resumed', at: member.plan.resume.step, drained: member.plan.resume.drained, ran: member.plan.resume.ran, time: context.clock.now()});
			write(`→ ${member.label}: resuming at ${member.plan.resume.step}: ${member.plan.resume.reason}`);
		}

		if (member.plan.done) {
			write(`✓ ${member.label}: ${member.plan.done}`);
		}

		members.push(member);
	}

	// A dry run takes no lock: each server's validate reads its backend's lock instead.
	const locks = kind === 'drain' && !options.dryRun ? [...new Set(members.map((member) => member.context.target.backend))].sort().map((backend) => new BackendLock({dir: lockDirectory(), backend, clients})) : [];
	const releaseLocks = () => {
		for (const lock of [...locks].reverse()) {
			lock.release();
		}
	};

	let failure: {code: ErrorCode; message: string; exitCode: ExitCode} | undefined;
	const setSteps: HeadlessResult['steps'] = [];
	let stopping = false;
	const approved = new Set<string>();
	const lastLive = new Map<Member, number>();
	const ioOf = (member: Member): RunbookIo => ({
		dispatch(action) {
			member.context.store.dispatch(action);
			if (stopping) {
				return;
			}

			if (action.type === 'check-finished') {
				write(`${member.label} ${checkLine(action.step, action.result)}`);
			} else if (action.type === 'live-updated' && member.context.clock.now() - (lastLive.get(member) ?? 0) >= 5000) {
				lastLive.set(member, member.context.clock.now());
				for (const line of action.lines) {
					write(`${member.label} … ${action.step} · ${line}`);
				}
			}
		},
		async ask(prompt) {
			if (stopping) {
				return new Promise<boolean>(() => undefined);
			}

			if (prompt.kind === 'command' && approved.has(prompt.id)) {
				write(`→ ${(prompt.commands ?? [prompt.command]).join('; ')} (confirmed with the maintenance)`);
				return true;
			}

			return askOnce(prompt, options);
		},
	});

	const onSignal = (signal: StopSignal) => {
		if (stopping) {
			process.exit(stopSignals[signal]);
		}

		stopping = true;
		stopChanges();
		void (async () => {
			const unanswered = await changesAnswered(signal, options.timeout);
			releaseLocks();
			const message = `Stopped by ${signal}: ${await statesSentence(members)}${unanswered ? ` (${unanswered})` : ''}`;
			write(message);
			for (const member of members) {
				member.context.journal.appendGuarded({step: member.context.store.getState().current, event: 'interrupted', detail: `${signal} stopped drainboard ${kind} ${label}`});
			}

			if (options.json) {
				process.stdout.write(`${terminalSafeJson(JSON.stringify(await setResult(false, {code: 'interrupted', message})))}\n`);
			}

			process.exit(stopSignals[signal]);
		})();
	};

	const signals = Object.keys(stopSignals) as StopSignal[];
	for (const signal of signals) {
		process.on(signal, onSignal);
	}

	async function setResult(ok: boolean, error?: {code: ErrorCode; message: string}): Promise<HeadlessResult> {
		const ends = await Promise.all(members.map(async (member) => finalState(member.context, member.before)));
		const drained = ends.some((end) => end.drained === null) ? null : ends.every((end) => end.drained === true);
		const first = members[0]!;
		const result = headlessResult(first.context.store.getState(), {
			ok,
			steps: [],
			journal: first.context.journal.file,
			changed: members.some((member, index) => changedByRun(member.context, member.before, ends[index]!.after)),
			targets: members.flatMap((member, index) => targetEntries(member.context, member.before, ends[index]!.after)),
			drained,
			warnings: members.flatMap((member) => [...member.warnings, ...(options.dryRun ? dryRunWarnings(member.context.store.getState()) : [])].map((text) => `${member.label}: ${text}`)),
			// Exactly code and message (the JSON contract): a failure carries its exit code beside them.
			...(ok ? {} : {error: error ? {code: error.code, message: error.message} : {code: 'state', message: 'The maintenance did not pass; see the steps.'}}),
			...(options.dryRun ? {wouldSend: members.flatMap((member) => member.context.facts.wouldSend)} : {}),
		});
		const steps = [
			...setSteps,
			...members.flatMap((member) =>
				headlessResult(member.context.store.getState(), {ok: true, steps: member.plan.steps, journal: '', changed: false, targets: [], drained: null, warnings: []}).steps.map((step) => ({...step, target: member.label})),
			),
		];
		return {...result, target: label, steps};
	}

	try {
		const lost = members.find((member) => member.plan.lost);
		if (lost) {
			lost.context.journal.appendGuarded({step: 'maintain', event: 'abandoned', detail: `restore of ${label} found the drain gone: ${lost.plan.lost!.join(' ')}`});
			failure = {code: 'state', message: `${lost.label} is not drained: the drain was lost during the maintenance (see above); restore sends nothing for the maintenance. Check the server and its traffic.`, exitCode: 1};
		}

		if (!failure && kind === 'drain') {
			for (const lock of locks) {
				const tookOver = await lock.take(`drain of ${label}`);
				if (tookOver) {
					write(`! ${tookOver}`);
				}
			}

			if (!options.dryRun) {
				write(`✓ ${label} · the backends ${[...new Set(members.map((member) => member.context.target.backend))].sort().join(', ')} are locked for this drainboard until every drain is confirmed.`);
				for (const member of members) {
					member.context.lock = heldBySet;
				}
			}

			const capacity = await capacityTogether(members, options.force);
			setSteps.push({id: 'validate', ok: capacity.ok, detail: capacity.sentence, checks: [{id: 'capacity-together', verdict: capacity.ok ? 'pass' : 'fail', observed: capacity.sentence}], target: label});
			write(`${capacity.ok ? '✓' : '✗'} ${label} · validate · Capacity left, all leaving together: ${capacity.sentence}`);
			if (!capacity.ok) {
				failure = {code: 'capacity', message: capacity.sentence, exitCode: 1};
			}
		}

		if (!failure) {
			for (const member of members) {
				if (member.plan.steps.length > 0) {
					beginMaintenance(member.context, member.plan.resume);
					member.context.journal.appendGuarded({step: member.plan.steps[0]!, event: 'check', check: 'maintenance-set', verdict: 'pass', observed: `one maintenance of ${members.length} servers (${label}): ${members.map((other) => other.label).join(', ')}`});
				}
			}
		}

		for (const step of failure ? [] : stepIds) {
			const running = members.filter((member) => member.plan.steps.includes(step));
			if (running.length === 0) {
				continue;
			}

			if ((step === 'drain' || step === 'restore') && !options.dryRun) {
				const yes = await confirmAll(step, running, options);
				if (!yes) {
					failure = {code: 'interrupted', message: `The operator answered no at ${step}: nothing was sent for it.`, exitCode: 1};
					break;
				}

				for (const member of running) {
					approved.add(`${step}:set server ${member.label} state ${step === 'drain' ? 'drain' : 'ready'}`);
				}
			}

			for (const member of running) {
				const outcome = await runStep(step, member.context, ioOf(member));
				if (stopping) {
					return await new Promise<never>(() => undefined);
				}

				if (outcome !== 'passed') {
					const blocking = member.context.store.getState().steps[step].checks.find((check) => check.verdict === 'fail');
					failure =
						outcome === 'cancelled' || !blocking
							? {code: 'interrupted', message: `${member.label}: ${step} was cancelled; nothing was sent for it.`, exitCode: 1}
							: {code: failureCode(blocking), message: `${member.label}: ${blocking.observed}`, exitCode: blocking.exitCode ?? 1};
					write(`✗ ${member.label} · ${step} blocked: the maintenance of ${label} stops here.`);
					break;
				}
			}

			if (failure) {
				break;
			}
		}

		releaseLocks();
		const missing = members.map((member) => member.context.journal.missingNote()).find(Boolean);
		if (missing && !failure) {
			failure = {code: 'journal', message: missing, exitCode: 1};
		}

		const result = await setResult(failure === undefined, failure);
		if (failure) {
			write(`✗ ${label}: ${failure.message}`);
			write(await statesSentence(members));
		} else if (options.dryRun) {
			write(dryRunSummary(`${kind} ${label}`, members.map((member) => ({state: member.context.store.getState(), label: member.label}))));
		} else {
			const claim = endClaim(kind, members.map((member) => member.context.store.getState()), ' to each');
			write(`✓ ${label} (${members.map((member) => member.label).join(', ')}) ${claim}.${kind === 'drain' ? ` Run "${restoreCommand(options, label, members[0]!.context.journal.file)}" after the work.` : ''}`);
		}

		if (options.json) {
			process.stdout.write(`${terminalSafeJson(JSON.stringify(result))}\n`);
		}

		return failure ? (failure.exitCode === 0 ? 1 : failure.exitCode) : 0;
	} finally {
		releaseLocks();
		for (const signal of signals) {
			process.removeListener(signal, onSignal);
		}
	}
}

/** A yes for a prompt: --yes, a terminal's answer, or (a dry run without either) no. */
async function askOnce(prompt: Prompt, options: Options): Promise<boolean> {
	if (options.yes) {
		write(prompt.kind === 'command' ? `→ ${(prompt.commands ?? [prompt.command]).join('; ')} (confirmed by --yes)` : `→ ${prompt.question} yes (--yes)`);
		return true;
	}

	if (!process.stdin.isTTY) {
		write(`→ ${prompt.kind === 'command' ? prompt.command : prompt.question} no (no terminal and no --yes)`);
		return false;
	}

	return askOnTerminal(prompt);
}

/** The drains (or readies) of every server of the step, shown as one list and confirmed with one yes. */
async function confirmAll(step: 'drain' | 'restore', members: readonly Member[], options: Options): Promise<boolean> {
	const state = step === 'drain' ? 'drain' : 'ready';
	const commands = members.map((member) => `set server ${member.label} state ${state}`);
	const sockets = members[0]!.context.clients.map((client) => client.socket);
	const why = step === 'drain' ? 'New requests stop going to these servers; their open sessions finish.' : 'These servers go back into rotation and get new requests again.';
	return askOnce({kind: 'command', id: `${step}:set`, command: commands[0]!, ...(commands.length > 1 ? {commands} : {}), why, sockets}, options);
}

/**
 * Capacity with every server of the maintenance leaving together, per backend and instance: a
 * backend left with no other active server up and in rotation refuses the whole maintenance.
 */
async function capacityTogether(members: readonly Member[], force: boolean): Promise<{ok: boolean; sentence: string}> {
	const byBackend = new Map<ProxyName, Set<string>>();
	for (const member of members) {
		const set = byBackend.get(member.context.target.backend) ?? new Set<string>();
		set.add(member.context.target.server);
		byBackend.set(member.context.target.backend, set);
	}

	const clients = members[0]!.context.clients;
	const lines: string[] = [];
	for (const [backend, leaving] of byBackend) {
		for (const client of clients) {
			const snapshot = await client.snapshot(backend);
			const servers = snapshot.backends.find((candidate) => candidate.name === backend)?.servers ?? [];
			const staying = servers.filter((server) => !leaving.has(server.server) && !server.backup && isServing(server));
			const where = clients.length > 1 ? ` at ${client.socket}` : '';
			if (staying.length === 0) {
				const sentence = `backend ${backend}${where} would lose its last serving server (${[...leaving].join(', ')} leaving together, no other active server up and in rotation), so the whole maintenance is refused and nothing was sent${force ? '' : '; --force passes this gate (journaled)'}.`;
				if (!force) {
					return {ok: false, sentence};
				}

				lines.push(`${sentence.replace(/, so the whole.*$/, '')}: passed by --force.`);
				continue;
			}

			lines.push(`${backend}${where}: ${staying.map((server) => server.server).join(', ')} stay in rotation while ${[...leaving].join(', ')} leave.`);
		}
	}

	if (force && lines.some((line) => line.endsWith('passed by --force.'))) {
		for (const member of members) {
			member.context.journal.appendGuarded({step: 'validate', event: 'override', check: 'capacity-together', detail: `passed by --force: ${lines.join(' ')}`});
		}
	}

	return {ok: true, sentence: lines.join(' ')};
}

/** Where every server of the maintenance stands now, read from HAProxy, in one line each. */
async function statesSentence(members: readonly Member[]): Promise<string> {
	const sentences = await Promise.all(
		members.map(async (member) => {
			const end = await finalState(member.context, member.before);
			return end.sentence.includes(member.label) ? end.sentence : `${member.label}: ${end.sentence}`;
		}),
	);
	// "Nothing was changed on HAProxy by this run." once for all, when it is what each one says.
	const plain = sentences.map((sentence, index) => sentence.replace(`${members[index]!.label}: `, ''));
	return plain.every((sentence) => sentence === plain[0]) && !plain[0]!.includes('/') ? plain[0]! : sentences.join(' ');
}

