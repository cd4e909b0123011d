import {andList} from '../counted.js';
import type {ErrorCode, ExitCode} from '../errors.js';
import {capacityAfter, emptiedReasons} from '../model/capacity.js';
import {drainSet} from '../model/server-condition.js';
import type {Options} from '../options.js';
import type {RuntimeClient} from '../poll/client.js';
import {formatTarget, type Target} from '../runtime/names.js';
import {BackendLock, lockDirectory} from './backend-lock.js';
import {ChangeRefusedError} from './change-guards.js';
import {checkLine, failureSentence} from './check-result.js';
import {partOfSetWarnings, restoreCommand, setComeBackCommand} from './come-back.js';
import {journalScopeOf, type LockHandle, type RunbookContext, type RunbookIo} from './context.js';
import {failureCode} from './failure-code.js';
import {planSteps, type MaintenanceKind, type Plan} from './plan-steps.js';
import {beginMaintenance, prepareMaintenance} from './prepare.js';
import {readTarget} from './read-target.js';
import {runStep} from './run-step.js';
import {putBackOnOutage} from './outage.js';
import {openConfirmWindow} from './checks/confirm.js';
import type {Prompt} from './state.js';
import {stepIds, type StepId} from './steps.js';
import {foundDrainWarning, markFoundDrain, takeOverDrain} from './take-over.js';

/** One server of a maintenance of several: its own context, plan and state (its context's store). */
export type SetMember = {label: string; context: RunbookContext; plan: Plan; warnings: string[]};

/** The servers of a maintenance of several, and what is said of the set as a whole (part of a machine's maintenance restored). */
type PreparedSet = SetMember[] & {warnings: string[]};

/**
 * Why a maintenance of several servers stopped: a code of the JSON contract, one sentence, the exit
 * code; `namesRestore`: the sentence already says how to put the drained servers back.
 */
export type SetFailure = {code: ErrorCode; message: string; exitCode: ExitCode; namesRestore?: boolean};

/** How the maintenance talks to whoever runs it: headless prints and asks on the terminal, the wizard shows and asks on screen. */
type SetIo = {
	/** One plain line of progress (`✓ webapps/app01 validate · …`, `→ …`, `! …`). */
	write(line: string): void;
	/** The operator's answer to a prompt (a state change, a question). */
	ask(prompt: Prompt): Promise<boolean>;
	/** True once the run is being stopped (a signal): nothing more is written, and no step starts. */
	stopping(): boolean;
	/** Shortest time between two lines of live rates of one server (headless: 5 s; a screen: 1 s). */
	liveEveryMs: number;
	/** Aborted when whoever runs it goes (the wizard quits): the step under way ends at once (a health wait, a live window). */
	signal?: AbortSignal;
};

/** A lock the maintenance holds for all its servers: the runbook's takes and releases leave it alone. */
const heldBySet: LockHandle = {isHeld: true, take: async () => null, release() {}, holder: async () => null};

/**
 * Each server's maintenance prepared (journal, configuration, probe) and planned (where its
 * journal says it stands). A server that is another operator's maintenance refuses the whole set.
 */
export async function prepareSet(kind: MaintenanceKind, options: Options, label: string, targets: readonly Target[], clients: readonly RuntimeClient[], io: Pick<SetIo, 'write'>, interactive = false): Promise<PreparedSet> {
	const names = targets.map((target) => formatTarget(target));
	const members: SetMember[] = [];
	for (const target of targets) {
		const {context, resume, notice, notes} = await prepareMaintenance(options, target, {interactive, clients});
		context.together = targets;
		for (const note of notes) {
			io.write(note);
		}

		const member: SetMember = {label: formatTarget(context.target), context, plan: {steps: []}, warnings: []};
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
			io.write(`! ${member.label}: ${text}`);
		}

		const found = foundDrainWarning(kind, member.label, member.plan.resume);
		if (found) {
			member.warnings.push(found);
			io.write(`! ${member.label}: ${found}`);
		}

		if (member.plan.resume) {
			context.store.dispatch({type: 'resumed', at: member.plan.resume.step, drained: member.plan.resume.drained, ran: member.plan.resume.ran, time: context.clock.now()});
			io.write(`→ ${member.label}: resuming at ${member.plan.resume.step}: ${member.plan.resume.reason}`);
		} else if (member.plan.done && resume?.drained) {
			// Drained and confirmed by an earlier run: which steps that run made, and which it found made.
			context.store.dispatch({type: 'resumed', at: resume.step, drained: true, ran: resume.ran, time: context.clock.now()});
		}

		if (member.plan.done) {
			io.write(`✓ ${member.label}: ${member.plan.done}`);
		}

		members.push(member);
	}

	// Part of a machine's maintenance restored: the rest of it is said, not left silently drained.
	const first = members[0];
	const warnings = kind === 'restore' && first ? partOfSetWarnings(first.context.journal.file, options, names, journalScopeOf(first.context)) : [];
	for (const text of warnings) {
		io.write(`! ${text}`);
	}

	return Object.assign(members, {warnings});
}

/** The backends' locks of a drain of several servers, taken in name order (none for a restore or a dry run). */
export function setLocks(kind: MaintenanceKind, options: Options, members: readonly SetMember[]): {locks: BackendLock[]; release: () => void} {
	const clients = members[0]?.context.clients ?? [];
	// A dry run takes no lock: each server's validate reads its backend's lock instead.
	const locks = kind === 'drain' && !options.dryRun ? [...new Set(members.map((member) => member.context.target.backend))].sort().map((backend) => new BackendLock({dir: lockDirectory(), backend, clients})) : [];
	return {
		locks,
		release() {
			for (const lock of [...locks].reverse()) {
				lock.release();
			}
		},
	};
}

/** What a run of the set came to: the failure that stopped it (none: every step passed), and the capacity check of a drain. */
type SetOutcome = {failure?: SetFailure; capacity?: {ok: boolean; sentence: string; facts: string}};

/**
 * `drain` / `restore` of several servers (`*\/S`, `@ADDRESS[:PORT]`) as one maintenance: the
 * backends' locks taken in name order and held until every drain is confirmed; capacity checked per
 * backend with every server of the maintenance leaving together (a backend that would lose its last
 * serving server refuses the whole maintenance, nothing sent); then each step for every server
 * before the next step (maintain's wait on health for all at once), the drains (and the readies)
 * shown as one list and confirmed with one yes.
 * Each server is journaled as its own maintenance, each entry naming the set, so restore (and the
 * wizard) resume each where it stopped. The locks are released when it returns.
 */
export async function runSet(kind: MaintenanceKind, options: Options, label: string, members: readonly SetMember[], locking: ReturnType<typeof setLocks>, io: SetIo): Promise<SetOutcome> {
	const approved = new Set<string>();
	const ownLocks = new Map<SetMember, LockHandle>();
	const ioOf = memberIo(io, approved);
	const outcome: SetOutcome = {};
	const fail = (failure: SetFailure) => {
		outcome.failure = failure;
		return outcome;
	};

	try {
		const lost = members.find((member) => member.plan.lost);
		if (lost) {
			lost.context.journal.appendGuarded({step: 'maintain', event: 'abandoned', detail: `restore of ${label} found the drain gone: ${lost.plan.lost!.join(' ')}`});
			const others = members.filter((member) => member !== lost && !member.plan.lost && member.plan.steps.length > 0);
			// Its maintenance closed by the entry above, the same restore again restores the others: said as such.
			const again = lost.context.options.interactive ? 'Enter again' : 'The same restore run again';
			const oneByOne = `"${others.map((member) => restoreCommand(member.context.commandFlags, member.label, member.context.journal.file)).join('", "')}"`;
			const rest = others.length > 0 ? ` ${again} puts back the others (${others.map((member) => member.label).join(', ')}) with their checks, or put them back one at a time (${oneByOne}).` : '';
			return fail({code: 'state', message: `${lost.label} is not drained: the drain was lost during the maintenance (see above), so this restore sent nothing. Check ${lost.label} and its traffic; the journal closes its maintenance.${rest}`, exitCode: 1, namesRestore: others.length > 0});
		}

		if (kind === 'drain') {
			for (const lock of locking.locks) {
				const tookOver = await lock.take(`drain of ${label}`);
				if (tookOver) {
					io.write(`! ${tookOver}`);
				}
			}

			if (locking.locks.length > 0) {
				io.write(`✓ ${label} · the backends ${[...new Set(members.map((member) => member.context.target.backend))].sort().join(', ')} are locked for this drainboard until every drain is confirmed.`);
				for (const member of members) {
					ownLocks.set(member, member.context.lock);
					member.context.lock = heldBySet;
				}
			}

			const capacity = await capacityTogether(members, options.force);
			outcome.capacity = capacity;
			// The facts per backend here; a refusal's sentence is the failure, said once where the run ends.
			io.write(`${capacity.ok ? '✓' : '✗'} ${label} · validate · Capacity left, all leaving together: ${capacity.facts}`);
			if (!capacity.ok) {
				return fail({code: 'capacity', message: capacity.sentence, exitCode: 1});
			}
		}

		for (const member of members) {
			if (member.plan.steps.length > 0) {
				beginMaintenance(member.context, member.plan.resume);
				const unmarked = await markFoundDrain(member.context, member.plan.resume);
				if (unmarked) {
					io.write(`! ${unmarked}`);
				}

				if (member.plan.resume?.heldBy && member.context.options.takeOver) {
					// Journaled, then marked, as the maintenance begins: a take-over asked before a refusal (capacity) leaves no mark naming a journal without it.
					member.context.journal.appendGuarded({step: member.plan.steps[0]!, event: 'override', detail: `take-over: the maintenance of ${label} took over the drain of ${member.plan.resume.heldBy}`});
					const unmarked = await takeOverDrain(member.context);
					io.write(unmarked ? `! ${member.label}: ${unmarked}` : `→ ${member.label}: taken over; this maintenance's journal holds its drain now.`);
				}

				// `detail` is the pattern itself: the grid's banner resumes the set by it (resume.ts, openDrains).
				member.context.journal.appendGuarded({step: member.plan.steps[0]!, event: 'check', check: 'maintenance-set', verdict: 'pass', observed: `one maintenance of ${members.length} servers (${label}): ${members.map((other) => other.label).join(', ')}`, detail: label});
			}
		}

		for (const step of stepIds) {
			const running = members.filter((member) => member.plan.steps.includes(step));
			if (running.length === 0) {
				continue;
			}

			if ((step === 'drain' || step === 'restore') && !options.dryRun) {
				const yes = await confirmAll(step, running, io);
				if (!yes) {
					for (const member of running) {
						member.context.journal.appendGuarded({step, event: 'step-cancelled', detail: `the operator answered no to the ${step === 'drain' ? 'drains' : 'readies'} of the maintenance of ${label}`});
					}

					return fail({code: 'interrupted', message: `The operator answered no at ${step}: nothing was sent for it.`, exitCode: 1});
				}

				for (const member of running) {
					approved.add(`${step}:set server ${member.label} state ${step === 'drain' ? 'drain' : 'ready'}`);
				}

				// The capacity of all leaving together, read again after the yes and before any drain: a backend
				// changed while the question was open refuses the whole maintenance, not the servers after a first drain.
				if (step === 'drain') {
					const again = await capacityTogether(members, options.force);
					if (!again.ok) {
						io.write(`✗ ${label} · drain · Capacity left, read again after the yes: ${again.facts}`);
						for (const member of running) {
							member.context.journal.appendGuarded({step, event: 'step-cancelled', detail: `HAProxy changed while the question was open: ${again.sentence}`});
						}

						return fail({code: 'capacity', message: `HAProxy changed while the question was open: ${again.sentence}`, exitCode: 1});
					}
				}
			}

			if (step === 'confirm') {
				await watchFoundDrains(running, io.signal);
				// Each server's confirm judges its traffic from here, right after the drains, not from when its turn comes.
				for (const member of running) {
					await openConfirmWindow(member.context, ioOf(member), {early: true});
				}
			}

			// Maintain only reads (each server's health, after the work): the servers of one machine come
			// back together, so their health is watched at once, not one settle window after another.
			// Every other step runs server by server: it sends, probes or asks.
			const together = step === 'maintain' ? await Promise.all(running.map(async (member) => runStep(step, member.context, ioOf(member)))) : undefined;
			for (const [index, member] of running.entries()) {
				const result = together ? together[index]! : await runStep(step, member.context, ioOf(member));
				if (io.stopping()) {
					return await new Promise<never>(() => undefined);
				}

				if (result !== 'passed') {
					io.write(`✗ ${member.label} · ${step} blocked: the maintenance of ${label} stops here.`);
					// Headless, the rest of a backend gone down after the drains: each healthy server of it is put back at once (the wizard offers b).
					const outages = step === 'confirm' && result === 'failed' && !member.context.options.interactive && !options.dryRun ? await putBackOnOutages(running, ioOf) : [];
					for (const outage of outages) {
						io.write(`✗ ${outage}`);
					}

					return fail(outages.length > 0 ? {code: 'capacity', message: outages.join(' '), exitCode: 1} : stepFailure(member, step, result));
				}
			}
		}

		const missing = members.map((member) => member.context.journal.missingNote()).find(Boolean);
		return missing ? fail({code: 'journal', message: missing, exitCode: 1}) : outcome;
	} finally {
		locking.release();
		// Each server's own lock back: a later change of it (the set screen's r) takes its backend's lock again.
		for (const [member, lock] of ownLocks) {
			member.context.lock = lock;
		}
	}
}

/**
 * How each server's steps talk to whoever runs the set: its check lines and live rates written
 * with its name (live rates at most every `liveEveryMs`), its questions asked, and a state change
 * confirmed with the list of the whole maintenance (in `approved`) not asked again.
 */
function memberIo(io: SetIo, approved: ReadonlySet<string>): (member: SetMember) => RunbookIo {
	const lastLive = new Map<SetMember, number>();
	return (member) => ({
		...(io.signal ? {signal: io.signal} : {}),
		dispatch(action) {
			member.context.store.dispatch(action);
			if (io.stopping()) {
				return;
			}

			if (action.type === 'check-finished') {
				io.write(`${member.label} ${checkLine(action.step, action.result)}`);
			} else if (action.type === 'live-updated' && member.context.clock.now() - (lastLive.get(member) ?? 0) >= io.liveEveryMs) {
				lastLive.set(member, member.context.clock.now());
				for (const line of action.lines) {
					io.write(`${member.label} … ${action.step} · ${line}`);
				}
			}
		},
		async ask(prompt) {
			if (io.stopping()) {
				return new Promise<boolean>(() => undefined);
			}

			// Confirmed with the list of the whole maintenance (said once, there); the check line says what was sent.
			if (prompt.kind === 'command' && approved.has(prompt.id)) {
				return true;
			}

			return io.ask(prompt);
		},
	});
}

/** {@link putBackOnOutage} for each server of the step: the sentences of those whose backend went down. */
async function putBackOnOutages(members: readonly SetMember[], ioOf: (member: SetMember) => RunbookIo): Promise<string[]> {
	const said: string[] = [];
	for (const member of members) {
		const outage = await putBackOnOutage(member.context, ioOf(member), 'confirm');
		if (outage) {
			said.push(outage.sentence);
		}
	}

	return said;
}

/** Why a server's step did not pass, as the set's failure: the blocking check's sentence, or the no that cancelled it. */
function stepFailure(member: SetMember, step: StepId, result: 'failed' | 'cancelled'): SetFailure {
	const blocking = member.context.store.getState().steps[step].checks.find((check) => check.verdict === 'fail');
	return result === 'cancelled' || !blocking
		? {code: 'interrupted', message: `${member.label}: ${step} was cancelled; nothing was sent for it.`, exitCode: 1}
		: {code: failureCode(blocking), message: `${member.label}: ${failureSentence(blocking)}`, exitCode: blocking.exitCode ?? 1};
}

/**
 * Confirm again, server by server, for servers of a drained set whose drain was put back (the set
 * screen's r) after they were in rotation: new traffic goes elsewhere again and the sessions they
 * took meanwhile end, before the work goes on. Each server's runbook goes back to confirm first
 * (as the one-server wizard's does), its drain watched from when it was put back; confirm takes
 * the backend's lock and lets it go when it passes.
 */
async function confirmAgain(label: string, members: readonly SetMember[], io: SetIo): Promise<SetOutcome> {
	const ioOf = memberIo(io, new Set());
	for (const member of members) {
		const {store, clock} = member.context;
		store.dispatch({type: 'reapply-started'});
		store.dispatch({type: 'reapply-ended', problem: null, time: clock.now()});
		if (store.getState().current !== 'confirm') {
			continue;
		}

		const result = await runStep('confirm', member.context, ioOf(member));
		if (io.stopping()) {
			return new Promise<never>(() => undefined);
		}

		if (result !== 'passed') {
			io.write(`✗ ${member.label} · confirm blocked: the maintenance of ${label} stops here.`);
			return {failure: stepFailure(member, 'confirm', result)};
		}
	}

	return {};
}

/**
 * Drains found made (set outside this maintenance: a take-over, a drain someone else sent) have no
 * known time, so confirm watches each hold from its first read: one after the other, a machine in
 * ten backends would wait ten windows. Read once here, all of them, drained ones are watched from
 * this read instead. A server not read drained here is left to confirm's own checks.
 */
async function watchFoundDrains(members: readonly SetMember[], signal: AbortSignal | undefined): Promise<void> {
	const found = members.filter((member) => member.context.facts.drainSetAt === null && member.context.facts.drainSentAt === null);
	for (const member of found) {
		const views = await readTarget(member.context, signal).catch(() => null);
		if (views !== null && views.length > 0 && views.every((view) => drainSet(view.server))) {
			member.context.store.dispatch({type: 'facts-learned', facts: {drainSeenAt: member.context.clock.now()}});
		}
	}
}

/** The drains (or readies) of every server of the step, shown as one list and confirmed with one yes. */
async function confirmAll(step: 'drain' | 'restore', members: readonly SetMember[], io: SetIo): Promise<boolean> {
	const state = step === 'drain' ? 'drain' : 'ready';
	const commands = members.map((member) => `set server ${member.label} state ${state}`);
	const sockets = members[0]!.context.clients.map((client) => client.socket);
	const these = members.length === 1 ? 'this server' : 'these servers';
	const why = step === 'drain' ? `New requests stop going to ${these}; their open sessions finish.` : members.length === 1 ? 'This server goes back into rotation and gets new requests again.' : 'These servers go back into rotation and get new requests again.';
	return io.ask({kind: 'command', id: `${step}:set`, command: commands[0]!, ...(commands.length > 1 ? {commands} : {}), why, sockets});
}

/**
 * Capacity with every server of the maintenance leaving together, per backend and instance: a
 * backend left with no other active server up and in rotation refuses the whole maintenance.
 * Servers that track one of them leave with them (in any backend), and one failing its health
 * checks does not count as staying.
 */
async function capacityTogether(members: readonly SetMember[], force: boolean): Promise<{ok: boolean; sentence: string; facts: string}> {
	const targets = members.map((member) => member.context.target);
	const clients = members[0]!.context.clients;
	const lines: string[] = [];
	// Every backend (and instance) that would be left with nothing serving, named together: one refusal, not one at a time.
	const emptied: Array<{name: string; leaving: string; why: string[]}> = [];
	for (const client of clients) {
		const snapshot = await client.snapshot();
		const where = clients.length > 1 ? ` at ${client.socket}` : '';
		for (const backend of capacityAfter(snapshot, targets)) {
			const leaving = [...targets.filter((target) => target.backend === backend.backend).map((target) => target.server), ...backend.trackers.map((server) => server.server)];
			const why = emptiedReasons(backend);
			const going = `${leaving.join(', ')} ${leaving.length === 1 ? 'leaves' : 'leave'}${why.length > 0 ? ` (${why.join('; ')})` : ''}`;
			if (backend.emptied) {
				emptied.push({name: `${backend.backend}${where}`, leaving: leaving.join(', '), why});
				lines.push(`${backend.backend}${where}: no other active server up and in rotation while ${going}${force ? ' (passed by --force)' : ''}.`);
				continue;
			}

			lines.push(`${backend.backend}${where}: ${backend.staying.map((server) => server.server).join(', ')} ${backend.staying.length === 1 ? 'stays' : 'stay'} in rotation while ${going}.`);
		}
	}

	if (emptied.length > 0 && !force) {
		const because = (backend: (typeof emptied)[number]) => (backend.why.length > 0 ? `: ${backend.why.join('; ')}` : '');
		const sentence =
			emptied.length === 1
				? `backend ${emptied[0]!.name} would lose its last serving server (${emptied[0]!.leaving} leaving together, no other active server up and in rotation${because(emptied[0]!)})`
				: `backends ${andList(emptied.map((backend) => `${backend.name} (${backend.leaving} leaving together${because(backend)})`))} would each lose their last serving server (no other active server up and in rotation)`;
		return {ok: false, sentence: `${sentence}, so the whole maintenance is refused and nothing was sent; --force passes this gate (journaled).`, facts: lines.join(' ')};
	}

	if (emptied.length > 0) {
		for (const member of members) {
			member.context.journal.appendGuarded({step: 'validate', event: 'override', check: 'capacity-together', detail: `passed by --force: ${lines.join(' ')}`});
		}
	}

	return {ok: true, sentence: lines.join(' '), facts: lines.join(' ')};
}

/** A maintenance of several servers for the wizard: the same engine as headless, with the flags and instances of this run. */
export type SetRunner = {
	/** The pattern as given (`@10.0.0.5`, `'*\/app01'`). */
	label: string;
	targets: readonly Target[];
	prepare(kind: MaintenanceKind, io: Pick<SetIo, 'write'>): Promise<SetMember[]>;
	run(kind: MaintenanceKind, members: readonly SetMember[], io: SetIo): Promise<SetOutcome>;
	/** Confirm again for servers whose drain was put back after they were in rotation ({@link confirmAgain}). */
	confirmAgain(members: readonly SetMember[], io: SetIo): Promise<SetOutcome>;
	/** The command that opens this maintenance again in the wizard, with this run's flags and journal; null in the lab (its HAProxy ends with it). */
	comeBack: string | null;
	/** The headless restore of the whole set, with this run's flags and journal; null in the lab. */
	restore: string | null;
};

/** The {@link SetRunner} of `drainboard '<pattern>'` in a terminal (the checks may ask, as the wizard's do). */
export function setRunner(options: Options, label: string, targets: readonly Target[], clients: readonly RuntimeClient[], journal: string): SetRunner {
	return {
		label,
		targets,
		prepare: async (kind, io) => prepareSet(kind, options, label, targets, clients, io, true),
		run: async (kind, members, io) => runSet(kind, options, label, members, setLocks(kind, options, members), io),
		confirmAgain: async (members, io) => confirmAgain(label, members, io),
		comeBack: setComeBackCommand(options, label, journal),
		restore: restoreCommand(options, label, journal),
	};
}
