import {useCallback, useEffect, useMemo, useRef, useState} from 'react';
import type {PollView} from '../../poll/pool-poller.js';
import {createProbe} from '../../probe/create-probe.js';
import type {RunbookIo} from '../../runbook/context.js';
import {beginMaintenance, type PreparedMaintenance} from '../../runbook/prepare.js';
import {runStep} from '../../runbook/run-step.js';
import {Cancelled, changeState} from '../../runbook/state-change.js';
import {seenSettled, stepRunning, type Prompt, type RunbookState} from '../../runbook/state.js';
import {seenInView, targetStale, targetState, targetStateSentence} from '../../runbook/target-state.js';
import {PoolWatch} from '../../runbook/watch.js';
import {endedByOther, endedByOwnJournal, markTime, takenOverText} from '../../runbook/drain-mark.js';
import {formatTarget, type Target} from '../../runtime/names.js';
import {sentenceOf} from '../../errors.js';
import {askToQuit} from './quit-question.js';
import {useReadyWatch} from './use-ready-watch.js';
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

	useEffect(() => {
		const {resume} = prepared;
		if (!resume) {
			return;
		}

		// Chosen already (the grid's banner): resumed without a second question.
		const answer = resumeNow
			? Promise.resolve(true)
			: io.ask({
					kind: 'question',
					id: 'resume',
					// Another maintenance's drain: going on means taking it over (its restore ends that one), asked as such.
					question: resume.heldBy
						? `${label}: ${resume.reason}. Take it over? This maintenance then goes on at ${resume.step}, and its restore ends that one.`
						: `${label}: ${resume.reason}. Resume at ${resume.step}?`,
					yes: resume.heldBy ? `take it over, go on at ${resume.step}` : `resume at ${resume.step}`,
					// A new maintenance cannot start on a drained target (baseline needs it serving).
					no: resume.drained && leaveRef.current ? 'not now: leave it drained, go back' : 'start a new maintenance at validate',
				});
		void answer
			.then((yes) => {
				if (yes) {
					store.dispatch({type: 'resumed', at: resume.step, drained: resume.drained, ran: resume.ran, time: context.clock.now()});
					beginMaintenance(context, resume);
					if (resume.heldBy) {
						// The operator's yes is the --take-over of the wizard: journaled, and restore may then end that maintenance.
						context.options.takeOver = true;
						context.journal.appendGuarded({step: resume.step, event: 'override', detail: `take-over: the operator took over the drain of ${resume.heldBy}`});
					}
				} else if (resume.drained && leaveRef.current) {
					// Nothing is journaled: an open maintenance stays open, for the grid's banner to offer.
					leaveRef.current();
					return;
				} else {
					context.journal.append({step: null, event: 'abandoned', detail: 'the operator started a new maintenance instead of resuming'});
					store.dispatch({type: 'drain-changed', drained: resume.drained});
					beginMaintenance(context, undefined);
				}

				store.dispatch({type: 'maintenance-begun'});
			})
			.catch((error: unknown) => {
				store.dispatch({type: 'problem-shown', problem: sentenceOf(error)});
			});
	}, [context, io, label, prepared, store, resumeNow]);

	// Each poll: what HAProxy shows of the target now, and the alarms it raises or clears.
	const [watch] = useState(() => new PoolWatch());
	const readAt = poll.readAt();
	useEffect(() => {
		store.dispatch({type: 'target-seen', seen: seenInView(view, context.target, readAt)});
		const now = store.getState();
		const changes = watch.observe(view, {target: context.target, drained: now.drained});
		for (const id of changes.clear) {
			if (now.alarms.some((alarm) => alarm.id === id)) {
				store.dispatch({type: 'alarm-cleared', id});
			}
		}

		for (const alarm of changes.raise) {
			store.dispatch({type: 'alarm-raised', alarm});
			try {
				context.journal.append({step: now.current, event: 'alarm', detail: alarm.message, socket: alarm.socket});
			} catch {
				// The alarm is on screen; the next state change will stop on the journal.
			}
		}
	}, [view, readAt, context, watch, store]);

	// The drain is gone: another operator's restore (a take-over) says so in its mark, and then this
	// maintenance is over. Their mark is written right after HAProxy applied their ready, which a
	// poll may see first: read again every half second for a while after the alarm.
	const lost = state.alarms.find((alarm) => alarm.reapply);
	const lostId = lost ? `${lost.id}@${lost.at}` : null;
	useEffect(() => {
		if (lostId === null) {
			return;
		}

		let stopped = false;
		let timer: NodeJS.Timeout | undefined;
		const deadline = Date.now() + markWaitMs;
		const attempt = async () => {
			const ended = await endedElsewhere(context);
			const later = store.getState();
			if (stopped || later.finished || !later.alarms.some((alarm) => alarm.reapply)) {
				return;
			}

			if (!ended) {
				if (Date.now() < deadline) {
					timer = setTimeout(() => void attempt(), 500);
				}

				return;
			}

			const open = pending.current;
			if (open && open.prompt.kind === 'command') {
				pending.current = undefined;
				open.reject(new Error(ended.message));
			}

			store.dispatch({type: 'taken-over', ...ended});
			if (ended.other) {
				// A restore run on this journal closed it there already.
				context.journal.appendGuarded({step: later.current, event: 'abandoned', detail: `the drain was taken over: ${ended.message}`});
			}
		};

		void attempt();
		return () => {
			stopped = true;
			clearTimeout(timer);
		};
	}, [lostId, context, store]);

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
			() => {
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

/** How long after a lost-drain alarm the drain marks are read for who ended it. */
const markWaitMs = 10_000;

/**
 * Why this maintenance is over when a restore outside this wizard ended its drain, by the newest
 * drain mark (written after this maintenance's last drain, by a `ready` drainboard applied):
 * another maintenance's (a take-over), or another run on this maintenance's own journal (the
 * restore command its refusal advises). Null when no mark says so.
 */
async function endedElsewhere(context: PreparedMaintenance['context']): Promise<{message: string; other: boolean} | null> {
	const {facts, startedAt} = context.store.getState();
	const drainSetAt = facts.drainSetAt ?? facts.drainSentAt ?? startedAt;
	const mark = await context.marks.latest(context.target).catch(() => null);
	const label = formatTarget(context.target);
	const ended = endedByOther(mark, context.journal.file, drainSetAt);
	if (ended) {
		return {message: `${label} is back in rotation: ${takenOverText(ended)}. This maintenance is over; the journal closes it.`, other: true};
	}

	const again = endedByOwnJournal(mark, context.journal.file, drainSetAt);
	if (again && facts.readySentAt === null) {
		return {message: `${label} is back in rotation: a restore run on this maintenance's journal put it back at ${markTime(again)}, with restore's checks. This maintenance is over.`, other: false};
	}

	return null;
}
