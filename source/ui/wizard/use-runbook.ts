import {useCallback, useEffect, useMemo, useRef, useState} from 'react';
import type {PollView} from '../../poll/pool-poller.js';
import {createProbe} from '../../probe/create-probe.js';
import type {RunbookIo} from '../../runbook/context.js';
import {beginMaintenance, type PreparedMaintenance} from '../../runbook/prepare.js';
import {runStep} from '../../runbook/run-step.js';
import {Cancelled, changeState} from '../../runbook/state-change.js';
import {canBringRestoreForward, seenSettled, stepRunning, type Prompt, type RunbookState} from '../../runbook/state.js';
import {seenInView, targetStale, targetState, targetStateSentence} from '../../runbook/target-state.js';
import {PoolWatch} from '../../runbook/watch.js';
import {formatTarget, type Target} from '../../runtime/names.js';
import {sentenceOf} from '../../errors.js';
import {askToQuit} from './quit-question.js';
import {useReadyWatch} from './use-ready-watch.js';
import {useResumeQuestion} from './use-resume-question.js';
import {useTakeOverWatch, useTakenOver} from './use-taken-over.js';
import {useRunbookState} from './use-runbook-state.js';

/** A question on screen, waiting for y or n: the one piece of the wizard's state outside the store. */
type Pending = {resolve: (yes: boolean) => void; reject: (error: Error) => void; prompt: Prompt};

export type RunbookHandle = {
	state: RunbookState;
	target: Target;
	label: string;
	running: boolean;
	/** Paused: an instance does not answer. */
	paused: boolean;
	notice: string | null;
	/** The wizard asks for a listener URL at baseline (none is known, and a probe may be needed). */
	needsUrl: boolean;
	/** With --proof auto the URL may be left empty: Enter then tries live traffic. */
	urlOptional: boolean;
	/** Enter: run (or retry) the current step; at maintain it means the work is done. */
	runCurrent(): void;
	answer(yes: boolean): void;
	reapplyDrain(): void;
	setUrl(text: string): void;
	/**
	 * Asks before quitting while the last read shows the target drained (or, after this maintenance
	 * drained it, while HAProxy's answer is missing); resolves true when the app may exit.
	 */
	confirmQuit(): Promise<boolean>;
	/** Yes to the quit question, if it is the one open (Ctrl-C pressed again). */
	insistQuit(): void;
	/** False until a read made after this wizard's last step or change has arrived: `state.seen` may not show that yet. */
	seenSettled: boolean;
	/** Nothing this maintenance drained is out of rotation, no step runs, no question is open: Esc may go back to the grid. */
	canGoBack: boolean;
	/** Before going back: a maintenance begun and not finished is closed in the journal (nothing was drained). */
	leave(): void;
	/** Esc where it cannot go back: says why, instead of doing nothing. */
	explainNoBack(): void;
	/** Says a sentence of the screen's own (a key that cannot act now, and why) where problems show. */
	say(sentence: string): void;
	/** b while the backend has no server serving: restore runs now, past what is left of confirm and maintain (journaled). */
	restoreNow(): void;
};

/** The poller behind the wizard's view: when HAProxy last answered, and a poll now. */
export type PollAccess = {readAt: () => number | null; refresh: () => void};

const noPoll: PollAccess = {readAt: () => null, refresh: () => undefined};

/**
 * The wizard's actions over one prepared maintenance. Its state is the maintenance's store
 * (`context.store`, changed by runbook actions only); the open prompt's answer is the one thing
 * held here. Rendering is elsewhere.
 */
type RunbookOptions = {
	poll?: PollAccess;
	/** Resume without asking (chosen already, from the grid's banner). */
	resumeNow?: boolean;
	/** The operator declined to take up a drained target: leave it as it is and go back. */
	onLeave?: () => void;
};

export function useRunbook(prepared: PreparedMaintenance, view: PollView, {poll = noPoll, resumeNow = false, onLeave}: RunbookOptions = {}): RunbookHandle {
	const {context} = prepared;
	const {store} = context;
	const label = formatTarget(context.target);
	const state = useRunbookState(store);
	const pending = useRef<Pending | undefined>(undefined);
	// The latest callback, read when the answer comes: the question is asked once, whatever renders.
	const leaveRef = useRef(onLeave);
	leaveRef.current = onLeave;
	const [controller] = useState(() => new AbortController());

	const io: RunbookIo = useMemo(
		() => ({
			dispatch: store.dispatch,
			signal: controller.signal,
			async ask(prompt: Prompt) {
				return new Promise<boolean>((resolve, reject) => {
					pending.current = {resolve, reject, prompt};
					store.dispatch({type: 'prompt-opened', prompt});
				});
			},
		}),
		[store, controller],
	);
	/** A step ended or HAProxy was changed: what the view shows may predate it, so poll now. */
	const changed = useCallback(() => {
		store.dispatch({type: 'haproxy-changed', time: Date.now()});
		poll.refresh();
	}, [store, poll]);

	useEffect(
		() => () => {
			controller.abort();
			pending.current?.resolve(false);
			// Back to the grid, or quitting: the backend's lock ends with this maintenance's screen.
			context.lock.release();
		},
		[context, controller],
	);

	useReadyWatch(state.prompt, context, {
		isOpen: (prompt) => pending.current?.prompt === prompt,
		withdraw(error) {
			const open = pending.current;
			pending.current = undefined;
			store.dispatch({type: 'prompt-closed'});
			open?.reject(error);
		},
	});

	useResumeQuestion(prepared, io, {resumeNow, leave: leaveRef});

	// Each poll: what HAProxy shows of the target now, and the alarms it raises or clears.
	const [watch] = useState(() => new PoolWatch());
	const readAt = poll.readAt();
	useEffect(() => {
		store.dispatch({type: 'target-seen', seen: seenInView(view, context.target, readAt)});
		const now = store.getState();
		// A finished maintenance owns nothing: a later change of its server is another maintenance's,
		// not an alarm of this one. What it said of HAProxy is still withdrawn when a poll no longer
		// shows it (its backend serving again after its restore): the screen says nothing not seen.
		const changes = watch.observe(view, {target: context.target, drained: now.drained && !now.finished, restoring: now.current === 'restore'});
		for (const id of changes.clear) {
			if (now.alarms.some((alarm) => alarm.id === id)) {
				store.dispatch({type: 'alarm-cleared', id});
			}
		}

		if (now.finished) {
			return;
		}

		for (const alarm of changes.raise) {
			store.dispatch({type: 'alarm-raised', alarm});
			try {
				context.journal.append({step: now.current, event: 'alarm', detail: alarm.message, socket: alarm.socket});
			} catch {
				// The alarm is on screen; the next state change will stop on the journal.
			}
		}

		if (changes.drainBack && !now.reapplying) {
			const before = now.current;
			store.dispatch({type: 'drain-returned', time: Date.now()});
			if (store.getState().current !== before) {
				// Confirm watches the drain hold from this read, when HAProxy was first seen with it again.
				store.dispatch({type: 'facts-learned', facts: {drainSetAt: context.clock.now()}});
				context.journal.appendGuarded({step: before, event: 'alarm', detail: `${formatTarget(context.target)} is drained again, set outside this maintenance after its drain was gone: confirm runs again`});
			}
		}
	}, [view, readAt, context, watch, store]);

	useTakeOverWatch(state, context);
	useTakenOver(state, context, (error) => {
		const open = pending.current;
		if (open && open.prompt.kind === 'command') {
			pending.current = undefined;
			open.reject(error);
		}
	});

	const paused = state.alarms.some((alarm) => alarm.kind === 'unreachable');
	const runCurrent = useCallback(() => {
		const current = store.getState();
		if (stepRunning(current) || current.prompt || current.finished || paused || pending.current !== undefined || (current.current === 'baseline' && !current.probe && context.options.proof === 'probe')) {
			return;
		}

		if (!current.begun) {
			beginMaintenance(context, prepared.resume);
			store.dispatch({type: 'maintenance-begun'});
		}

		// Dispatches step-started before it returns: a second Enter finds the step running.
		void runStep(current.current, context, io).finally(changed);
	}, [changed, context, io, paused, prepared.resume, store]);

	const answer = useCallback(
		(yes: boolean) => {
			const open = pending.current;
			if (!open) {
				return;
			}

			pending.current = undefined;
			store.dispatch({type: 'prompt-closed'});
			open.resolve(yes);
		},
		[store],
	);

	const reapplyDrain = useCallback(() => {
		const now = store.getState();
		if (pending.current || now.reapplying || !now.alarms.some((alarm) => alarm.reapply)) {
			return;
		}

		store.dispatch({type: 'reapply-started'});
		void changeState(context, io, now.current, {kind: 'state', state: 'drain'}, 'The drain is gone from HAProxy; this puts it back.').then(
			(outcome) => {
				// Confirm, run again, watches the drain hold from now, not from the drain that was undone;
				// the summary dates the drain when HAProxy applied it, as the journal does.
				store.dispatch({type: 'facts-learned', facts: {drainSetAt: context.clock.now(), drainSentAt: outcome.appliedAt}});
				for (const alarm of store.getState().alarms.filter((candidate) => candidate.reapply)) {
					store.dispatch({type: 'alarm-cleared', id: alarm.id});
				}

				store.dispatch({type: 'reapply-ended', problem: null, time: Date.now()});
				poll.refresh();
			},
			(error: unknown) => {
				store.dispatch({type: 'reapply-ended', problem: error instanceof Cancelled ? null : sentenceOf(error), time: Date.now()});
			},
		);
	}, [context, io, poll, store]);

	const setUrl = useCallback(
		(text: string) => {
			try {
				store.dispatch({type: 'probe-set', probe: createProbe(text.trim(), context.options.urlSettings), source: 'typed in by the operator'});
			} catch (error) {
				store.dispatch({type: 'problem-shown', problem: sentenceOf(error)});
			}
		},
		[context, store],
	);

	const confirmQuit = useCallback(async () => askToQuit({context, io, comeBack: prepared.comeBack, closeOpen: () => answer(false)}), [answer, context, io, prepared.comeBack]);

	const insistQuit = useCallback(() => {
		if (pending.current?.prompt.id === 'quit') {
			answer(true);
		}
	}, [answer]);

	const leave = useCallback(() => {
		const now = store.getState();
		if (now.begun && !now.finished) {
			const gone = drainGone(now);
			const why = gone ? `: its drain was undone outside it (${targetStateSentence(context.target, now.seen)})` : ', with nothing drained by this maintenance';
			context.journal.appendGuarded({step: now.current, event: 'abandoned', detail: `back to the grid at ${now.current}${why}`});
			if (gone) {
				// Its drain mark would name this maintenance for a later drain made by hand: it ended.
				void context.marks.end(context.target, context.journal.file, 'seen').catch(() => undefined);
			}
		}
	}, [context, store]);

	const explainNoBack = useCallback(() => {
		const now = store.getState();
		const unread = drainSent(now) && (!seenSettled(now) || targetStale(now.seen));
		const why = unread
			? `The drain was sent and HAProxy has not been read since: Esc goes back once a read shows ${label} in rotation; q quits and says what is known.`
			: now.drained
				? `${label} is drained, and this maintenance has it: Esc goes back only when nothing is drained. Finish with restore, or press q to quit and leave it drained.`
				: drainUnread(now)
					? `The drain was sent: Esc goes back once HAProxy shows ${label} in rotation.`
					: 'Esc goes back once the step has finished and no question is open.';
		store.dispatch({type: 'problem-shown', problem: why});
	}, [label, store]);

	const say = useCallback(
		(sentence: string) => {
			store.dispatch({type: 'problem-shown', problem: sentence});
		},
		[store],
	);

	const restoreNow = useCallback(() => {
		const now = store.getState();
		if (pending.current !== undefined || !canBringRestoreForward(now)) {
			return;
		}

		// At restore already: b is its Enter.
		if (now.current === 'restore') {
			runCurrent();
			return;
		}

		const outage = now.alarms.find((alarm) => alarm.kind === 'backend-down')!;
		const journaled = context.journal.appendGuarded({step: now.current, event: 'override', detail: `restore brought forward at ${now.current}: ${outage.message}`});
		if (!journaled.written) {
			store.dispatch({type: 'problem-shown', problem: journaled.sentence});
			return;
		}

		store.dispatch({type: 'restore-brought-forward'});
		runCurrent();
	}, [context, runCurrent, store]);

	const running = stepRunning(state);
	return {
		state,
		target: context.target,
		label,
		running,
		paused,
		notice: prepared.notice,
		needsUrl: state.probe === null && context.options.proof !== 'live',
		urlOptional: context.options.proof === 'auto',
		runCurrent,
		answer,
		reapplyDrain,
		setUrl,
		confirmQuit,
		insistQuit,
		seenSettled: seenSettled(state),
		canGoBack: !running && !state.prompt && (!state.drained || drainGone(state)) && !drainUnread(state),
		leave,
		explainNoBack,
		say,
		restoreNow,
	};
}

/**
 * The drain was sent (its reply may have been lost) and no read since shows the target in
 * rotation on every instance: leaving would say "nothing drained" without having seen it.
 */
function drainUnread(state: RunbookState): boolean {
	return drainSent(state) && !seenInRotation(state);
}

/**
 * This maintenance drained the target and a read made since its last change shows it in rotation
 * on every instance: undone outside it (by hand, a reload). Nothing is drained: Esc may go back.
 */
function drainGone(state: RunbookState): boolean {
	return state.drained && seenInRotation(state);
}

/** A fresh read, made since this maintenance's last change, shows the target in rotation on every instance. */
function seenInRotation(state: RunbookState): boolean {
	return seenSettled(state) && targetState(state.seen) === 'not-drained' && !targetStale(state.seen);
}

/** This maintenance sent the drain (whatever became of its reply). */
function drainSent(state: RunbookState): boolean {
	return state.facts.drainOutcome !== 'not-sent';
}
