import {createElement, useCallback, useEffect, useRef, useState} from 'react';
import {sentenceOf} from '../../errors.js';
import type {PollView} from '../../poll/pool-poller.js';
import type {SetMember, SetRunner} from '../../runbook/maintenance-set.js';
import type {MaintenanceKind} from '../../runbook/plan-steps.js';
import type {Prompt, RunbookState} from '../../runbook/state.js';
import {Cancelled, changeState, changesSettled, changeWaitMs} from '../../runbook/state-change.js';
import {stepIds, type StepId} from '../../runbook/steps.js';
import {formatTarget} from '../../runtime/names.js';
import {drainedInView, inView} from '../open-drains.js';
import {usePrint} from '../scrollback.js';
import {SetLogLine} from './set-log-line.js';
import {wordsFor} from './set-words.js';

/**
 * Where a maintenance of several servers stands in the wizard: being prepared (journal, config),
 * ready to drain, running a phase, drained and waiting for the work, restored, or stopped by a
 * failed check (one sentence).
 */
type SetPhase = 'preparing' | 'ready' | 'running' | 'drained' | 'restored' | 'failed';

/** Longest kept log: the screen shows the last lines that fit. */
const keptLines = 300;

export type SetMaintenance = {
	phase: SetPhase;
	/** The phase being run or last run: drain (validate … confirm) or restore (maintain, restore). */
	kind: MaintenanceKind;
	/** The servers of the current phase, each with its own runbook state. */
	members: readonly SetMember[];
	/** The steps of the whole maintenance, each as far as its servers got (for the checklist line). */
	steps: Pick<RunbookState, 'steps' | 'current' | 'finished'>;
	lines: readonly string[];
	prompt: Prompt | null;
	/** The check that stopped the phase, and whether its sentence already says how to put the servers back. */
	failure: {message: string; namesRestore: boolean} | null;
	/** Enter: start the drain, the restore, or try the failed phase again (from where the journal says). */
	next(): void;
	answer(yes: boolean): void;
	/** Servers of the maintenance HAProxy's last read shows drained (first instance). */
	drainedNow: readonly string[];
	/** Drained and confirmed by this maintenance, none shown drained, and these not in HAProxy's last read (not read yet, not answering): they may be drained still. */
	mayBe: readonly string[];
	/** Beside {@link drainedNow}: servers of the drained maintenance that HAProxy's last read does not show (removed, an instance not answering). */
	unshown: readonly string[];
	/** Servers of the maintenance HAProxy's last read shows in rotation (not drained). */
	inRotation: readonly string[];
	/** `r` while drained: the drain HAProxy no longer shows is put back on each server in rotation (capacity read again, one y each). */
	reapply(): void;
	/** The drains being put back (r). */
	reapplying: boolean;
	/** Servers whose drain r put back and whose confirm is running again, or ran again and passed. */
	reapplied: readonly string[];
	/** Nothing of it drained, no phase running, no question open: Esc may go back to the grid. */
	canGoBack: boolean;
	/** Before going back: each server's maintenance begun and not finished is closed in the journal. */
	leave(): void;
	confirmQuit(): Promise<boolean>;
	insistQuit(): void;
};

/**
 * The wizard of several servers: runs the maintenance-set engine (the one headless drain and
 * restore run) phase by phase, its lines kept as the log and its prompts shown as the wizard's.
 * Whether a server is drained is read from HAProxy's last poll, never from what was sent.
 */
export function useSetMaintenance(runner: SetRunner, view: PollView, goBack: () => void): SetMaintenance {
	const [phase, setPhase] = useState<SetPhase>('preparing');
	const [kind, setKind] = useState<MaintenanceKind>('drain');
	const [lines, setLines] = useState<string[]>([]);
	const [prompt, setPrompt] = useState<Prompt | null>(null);
	const [failure, setFailure] = useState<SetMaintenance['failure']>(null);
	const [reapplying, setReapplying] = useState(false);
	// Servers whose drain r put back: confirm runs again for them (the phase is running meanwhile).
	const [reapplied, setReapplied] = useState<readonly string[]>([]);
	// The servers of each phase (restore prepares its own, from the journal), and a render after each line.
	const [members, setMembers] = useState<{drain: SetMember[]; restore: SetMember[]}>({drain: [], restore: []});
	const pending = useRef<{prompt: Prompt; resolve: (yes: boolean) => void} | null>(null);
	const alive = useRef(true);
	// The maintenance ran (its journal has it begun): going back to the grid says so there.
	const begun = useRef(false);
	// Quitting ends the step under way at once (a health wait, a live window), not when it would have.
	const [controller] = useState(() => new AbortController());
	useEffect(
		() => () => {
			alive.current = false;
			controller.abort();
			pending.current?.resolve(false);
		},
		[controller],
	);

	const print = usePrint();
	const write = useCallback(
		(line: string) => {
			if (alive.current) {
				setLines((previous) => withLine(previous, line));
				// Each finished line also goes once into the terminal's scrollback: the screen shows the
				// last lines that fit, and validate's notes of a machine would be gone by its drain question.
				if (print && !liveLine.test(line)) {
					print(createElement(SetLogLine, {line}));
				}
			}
		},
		[print],
	);

	// The sentence that stopped a phase, on the screen and once in the scrollback (it leaves the screen with the grid).
	const fail = useCallback(
		(failure: NonNullable<SetMaintenance['failure']>) => {
			setFailure(failure);
			if (print && alive.current) {
				print(createElement(SetLogLine, {line: `✗ ${failure.message}`}));
			}
		},
		[print],
	);

	const ask = useCallback(
		async (question: Prompt) =>
			new Promise<boolean>((resolve) => {
				pending.current = {prompt: question, resolve};
				setPrompt(question);
			}),
		[],
	);

	const answer = useCallback((yes: boolean) => {
		const open = pending.current;
		pending.current = null;
		setPrompt(null);
		open?.resolve(yes);
	}, []);

	const prepare = useCallback(
		async (next: MaintenanceKind): Promise<SetMember[] | null> => {
			setPhase('preparing');
			setKind(next);
			setFailure(null);
			try {
				// The restore takes up the drain this maintenance made: its "resuming at maintain" is no news here, unless its health wait runs again.
				const prepared = await runner.prepare(next, {write: (line) => (next === 'restore' && / resuming at maintain: /.test(line) && !line.includes('health wait runs again') ? undefined : write(line))});
				setMembers((previous) => ({...previous, [next]: prepared}));
				return prepared;
			} catch (error) {
				fail({message: sentenceOf(error), namesRestore: false});
				setPhase('failed');
				return null;
			}
		},
		[runner, write, fail],
	);

	const run = useCallback(
		async (next: MaintenanceKind, prepared: SetMember[]) => {
			setPhase('running');
			begun.current = true;
			try {
				const outcome = await runner.run(next, prepared, {write, ask, stopping: () => !alive.current, liveEveryMs: 1000, signal: controller.signal});
				if (outcome.failure) {
					fail({message: outcome.failure.message, namesRestore: outcome.failure.namesRestore === true});
					setPhase('failed');
				} else {
					setPhase(next === 'drain' ? 'drained' : 'restored');
				}
			} catch (error) {
				fail({message: sentenceOf(error), namesRestore: false});
				setPhase('failed');
			}
		},
		[runner, write, ask, controller, fail],
	);

	// Opening: the drain prepared (where the journal says each server stands), then Enter starts it.
	useEffect(() => {
		void (async () => {
			const prepared = await prepare('drain');
			if (!prepared) {
				return;
			}

			// Drained by another maintenance (another journal): going on means taking it over, asked once for all.
			const held = prepared.filter((member) => member.plan.resume?.heldBy);
			if (held.length > 0 && !(await takeOver(held))) {
				if (alive.current) {
					goBack();
				}

				return;
			}

			// Each already drained and confirmed (an earlier run of this maintenance): on to the work.
			setPhase(prepared.every((member) => member.plan.steps.length === 0 && member.plan.drained) ? 'drained' : 'ready');
		})();
		// Once, when the screen opens.
	}, []);

	/**
	 * Asks whether to take over the drains another maintenance made (the wizard's --take-over). Yes:
	 * as the maintenance begins, the journal records the take-over and each server's drain mark names
	 * this maintenance's journal, so its restore (here, or the headless command printed on the way
	 * out) is this maintenance's, and the other one's is refused.
	 */
	const takeOver = async (held: readonly SetMember[]): Promise<boolean> => {
		const labels = held.map((member) => member.label);
		const words = wordsFor(labels.length);
		const step = held[0]!.plan.resume!.step;
		const yes = await ask({
			kind: 'question',
			id: 'resume',
			question: `${labels.join(', ')} ${words.is} drained by ${held[0]!.plan.resume!.heldBy}, not by a maintenance of this journal. Take ${words.it} over? This maintenance then goes on at ${step}, and its restore ends that one.`,
			yes: `take ${words.it} over, go on at ${step}`,
			no: `not now: leave ${words.it} drained, go back`,
		});
		if (!yes) {
			return false;
		}

		// The wizard's --take-over: journaled and marked as the maintenance begins (maintenance-set.ts), not before.
		for (const member of held) {
			member.context.options.takeOver = true;
		}

		return true;
	};

	const next = useCallback(() => {
		if (phase === 'preparing' || phase === 'running' || phase === 'restored' || reapplying || pending.current) {
			return;
		}

		const again = phase === 'failed' ? kind : phase === 'ready' ? 'drain' : 'restore';
		void (async () => {
			// The drain prepared at opening runs as is; a restore, or a try again, reads the journal afresh.
			const prepared = phase === 'ready' ? members.drain : await prepare(again);
			if (!prepared) {
				return;
			}

			if (prepared.every((member) => member.plan.steps.length === 0) && !prepared.some((member) => member.plan.lost)) {
				setPhase(again === 'drain' ? 'drained' : 'restored');
				return;
			}

			await run(again, prepared);
		})();
	}, [phase, kind, members.drain, prepare, run]);

	const labels = runner.targets.map((target) => formatTarget(target));
	const drainedNow = labels.filter((label) => drainedInView(view, label));
	// Servers HAProxy's last read does not show (the first poll not in yet, an instance not answering).
	const unread = labels.filter((label) => !inView(view, label));
	const mayBe = phase === 'drained' && drainedNow.length === 0 ? unread : [];
	const unshown = phase === 'drained' && drainedNow.length > 0 ? unread : [];
	const inRotation = labels.filter((label) => inView(view, label) && !drainedInView(view, label));
	const current = kind === 'drain' ? members.drain : members.restore;

	const reapply = useCallback(() => {
		const lost = members.drain.filter((member) => inRotation.includes(member.label));
		if (phase !== 'drained' || reapplying || pending.current || lost.length === 0) {
			return;
		}

		setReapplying(true);
		void (async () => {
			const back: SetMember[] = [];
			// One at a time, each with the change's own checks: the capacity read again, the drain read back.
			for (const member of lost) {
				try {
					const outcome = await changeState(member.context, {dispatch: (action) => member.context.store.dispatch(action), ask, signal: controller.signal}, 'confirm', {kind: 'state', state: 'drain'}, `HAProxy no longer shows ${member.label} drained; this puts the drain back.`);
					// Confirm watches the drain hold from now, not from the drain that was undone; the drain is dated when HAProxy applied it.
					member.context.store.dispatch({type: 'facts-learned', facts: {drainSetAt: member.context.clock.now(), drainSentAt: outcome.appliedAt}});
					write(`${member.label}: the drain is back on HAProxy (read back after it was sent); confirm runs again for it.`);
					back.push(member);
				} catch (error) {
					// Leaving (a quit, the screen gone) also cancels the question: nothing more is asked then.
					if (!alive.current) {
						return;
					}

					write(error instanceof Cancelled ? `${member.label}: the drain was not put back (answered no).` : `✗ ${member.label}: ${sentenceOf(error)}`);
				}

				if (!alive.current) {
					return;
				}
			}

			setReapplying(false);
			if (back.length === 0) {
				return;
			}

			// In rotation meanwhile, each took new traffic and sessions: confirm proves again they go elsewhere and end.
			setReapplied((previous) => [...new Set([...previous, ...back.map((member) => member.label)])]);
			setPhase('running');
			try {
				const outcome = await runner.confirmAgain(back, {write, ask, stopping: () => !alive.current, liveEveryMs: 1000, signal: controller.signal});
				if (outcome.failure) {
					fail({message: outcome.failure.message, namesRestore: outcome.failure.namesRestore === true});
					setPhase('failed');
				} else {
					setPhase('drained');
				}
			} catch (error) {
				fail({message: sentenceOf(error), namesRestore: false});
				setPhase('failed');
			}
		})();
	}, [phase, reapplying, members.drain, inRotation, ask, write, controller, runner, fail]);

	const leave = useCallback(() => {
		if (!begun.current) {
			return;
		}

		for (const member of current) {
			const state = member.context.store.getState();
			if (!state.finished) {
				member.context.journal.appendGuarded({step: state.current, event: 'abandoned', detail: `back to the grid at ${state.current} of the maintenance of ${runner.label}, with nothing of it drained as HAProxy last showed`});
			}
		}
	}, [current, runner.label]);

	const confirmQuit = useCallback(async () => {
		// A change on its way lands whether or not the app is still there to say so: its answer first.
		await changesSettled(changeWaitMs);
		if (phase !== 'running' && drainedNow.length === 0 && mayBe.length === 0) {
			return true;
		}

		// An open question waits aside while the quit is asked: "stay" brings it back as it was.
		const open = pending.current;
		pending.current = null;
		const drained = drainedNow.length > 0;
		const shown = wordsFor(drainedNow.length);
		const unseen = wordsFor(mayBe.length);
		// Servers of the drained maintenance that HAProxy's last read does not show are named beside those it shows drained.
		const alsoMayBe = unshown.length > 0 ? `, and HAProxy has not shown ${unshown.join(', ')} since: ${wordsFor(unshown.length).they} may still be drained` : '';
		const yes = await ask({
			kind: 'question',
			id: 'quit',
			question:
				runner.comeBack === null
					? `${drained ? `${drainedNow.join(', ')} ${shown.is} drained${alsoMayBe}` : mayBe.length > 0 ? `${mayBe.join(', ')} may still be drained` : `The maintenance of ${runner.label} is running`}. End the lab anyway? Its HAProxy stops with it.`
					: drained
						? `${drainedNow.join(', ')} ${shown.is} drained${alsoMayBe}. Quit anyway? ${shown.They} stay${shown.s} drained; the command to resume is printed on the way out.`
						: mayBe.length > 0
							? `HAProxy has not shown ${mayBe.join(', ')} since this maintenance drained and confirmed ${unseen.it}: ${unseen.they} may still be drained. Quit anyway? The command to resume is printed on the way out.`
							: `The maintenance of ${runner.label} is running; HAProxy shows none of it drained. Quit anyway? Nothing more is sent.`,
			yes: runner.comeBack === null ? 'end the lab' : drained ? `quit, leave ${shown.it} drained` : 'quit',
			no: 'stay',
		});
		if (!yes) {
			if (open) {
				pending.current = open;
				setPrompt(open.prompt);
			}

			return false;
		}

		// Nothing is sent for the question that waited: it is answered no on the way out.
		open?.resolve(false);
		for (const member of current) {
			member.context.journal.appendGuarded({
				step: member.context.store.getState().current,
				event: 'quit',
				detail: drained ? `quit the maintenance of ${runner.label} with ${drainedNow.join(', ')} drained, as HAProxy last showed` : `quit the maintenance of ${runner.label} while it ran, none of it drained as HAProxy last showed`,
			});
		}

		return true;
	}, [phase, drainedNow, mayBe, unshown, ask, runner.label, runner.comeBack, current]);

	const insistQuit = useCallback(() => {
		if (pending.current?.prompt.id === 'quit') {
			answer(true);
		}
	}, [answer]);

	return {
		phase,
		kind,
		members: current,
		steps: setSteps(members, phase),
		lines,
		prompt,
		failure,
		next,
		answer,
		reapply,
		reapplying,
		reapplied,
		drainedNow,
		mayBe,
		unshown,
		inRotation,
		canGoBack: phase !== 'running' && phase !== 'preparing' && !reapplying && prompt === null && drainedNow.length === 0,
		leave,
		confirmQuit,
		insistQuit,
	};
}

/** `webapps/app01 … maintain · …`: a line of live rates or health of one server, replaced by its next line. */
const liveLine = /^(\S+) … /;

/**
 * The log with `line` added. A server has at most one live line: its next live line takes its
 * place (the servers of a machine watched at once keep their rows, not one new row a second each),
 * and its next other line replaces it at the end (it says what the live line said was coming).
 */
export function withLine(lines: readonly string[], line: string): string[] {
	const server = line.split(' ', 1)[0];
	let live = lines.length - 1;
	while (live >= 0 && liveLine.exec(lines[live]!)?.[1] !== server) {
		live--;
	}

	if (live < 0) {
		return [...lines, line].slice(-keptLines);
	}

	return liveLine.test(line) ? [...lines.slice(0, live), line, ...lines.slice(live + 1)] : [...lines.slice(0, live), ...lines.slice(live + 1), line];
}

/**
 * Each step as far as the servers got: the drain's steps from the drain phase, maintain and restore
 * from the restore phase, each from the servers whose plan runs it (a step none of them runs in
 * this maintenance: `–`, or done once the drain is behind). A phase stopped outside any step (the
 * capacity of all leaving together, a no to the drains) shows the step where it stopped as failed.
 */
function setSteps(members: {drain: readonly SetMember[]; restore: readonly SetMember[]}, phase: SetPhase): SetMaintenance['steps'] {
	const pastDrain = phase === 'drained' || phase === 'restored' || members.restore.length > 0;
	const steps = {} as RunbookState['steps'];
	for (const id of stepIds) {
		const restoreStep = id === 'maintain' || id === 'restore';
		const phaseMembers = restoreStep ? members.restore : members.drain;
		const states = phaseMembers.filter((member) => member.plan.steps.includes(id)).map((member) => member.context.store.getState().steps[id]);
		// A step no server runs now: done by an earlier run, or never run (a drain found made, taken up at confirm).
		const recorded = phaseMembers.map((member) => member.context.store.getState().steps[id].status);
		const neverRan = recorded.length > 0 && recorded.every((status) => status === 'skipped');
		// Resumed past it, the journal showing it passed for each (maintain before a restore taken up at restore).
		const ranBefore = recorded.length > 0 && recorded.every((status) => status === 'passed');
		const status =
			states.length === 0
				? ranBefore || (!restoreStep && pastDrain && !neverRan)
					? 'passed'
					: phaseMembers.length > 0
						? 'skipped'
						: 'pending'
				: states.some((step) => step.status === 'failed')
					? 'failed'
					: states.some((step) => step.status === 'running')
						? 'running'
						: states.every((step) => step.status === 'passed' || step.status === 'skipped')
							? 'passed'
							: 'pending';
		steps[id] = {status, checks: [], startedAt: null, finishedAt: null};
	}

	const current: StepId = stepIds.find((id) => steps[id].status !== 'passed' && steps[id].status !== 'skipped') ?? 'restore';
	if (phase === 'failed' && !stepIds.some((id) => steps[id].status === 'failed')) {
		steps[current] = {...steps[current], status: 'failed'};
	}

	return {steps, current, finished: phase === 'restored'};
}
