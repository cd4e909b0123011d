import {useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore} from 'react';
import type {PollView} from '../../poll/pool-poller.js';
import {createProbe} from '../../probe/create-probe.js';
import type {RunbookIo} from '../../runbook/context.js';
import {beginMaintenance, type PreparedMaintenance} from '../../runbook/prepare.js';
import {runStep} from '../../runbook/run-step.js';
import {healthText} from '../../runbook/checks/maintain.js';
import {Cancelled, changeState, PromptWithdrawn} from '../../runbook/state-change.js';
import {isHealthy} from '../../model/server-condition.js';
import {readTarget} from '../../runbook/read-target.js';
import {seenSettled, stepRunning, type Prompt, type RunbookState} from '../../runbook/state.js';
import {seenInView, targetStale, targetState, targetStateSentence} from '../../runbook/target-state.js';
import {PoolWatch} from '../../runbook/watch.js';
import {formatTarget, type Target} from '../../runtime/names.js';
import {sentenceOf} from '../../errors.js';

/** A question on screen, waiting for y or n: the one piece of the wizard's state outside the store. */
type Pending = {resolve: (yes: boolean) => void; reject: (error: Error) => void; prompt: Prompt};

export type {LogItem} from '../../runbook/state.js';

export type RunbookHandle = {
	state: RunbookState;
	target: Target;
	label: string;
	running: boolean;
	/** Paused: an instance does not answer. */
	paused: boolean;
	notice: string | null;
	/** The wizard needs a listener URL typed in before baseline can run. */
	needsUrl: boolean;
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
};

/** The poller behind the wizard's view: when HAProxy last answered, and a poll now. */
export type PollAccess = {readAt: () => number | null; refresh: () => void};

const noPoll: PollAccess = {readAt: () => null, refresh: () => undefined};

/** Longest wait, on q, for a read made after the wizard's last step (a poll is a round trip). */
const settleWaitMs = 2000;

/**
 * The wizard's actions over one prepared maintenance. Its state is the maintenance's store
 * (`context.store`, changed by runbook actions only); the open prompt's answer is the one thing
 * held here. Rendering is elsewhere.
 */
export function useRunbook(prepared: PreparedMaintenance, view: PollView, poll: PollAccess = noPoll, resumeNow = false): RunbookHandle {
	const {context} = prepared;
	const {store} = context;
	const label = formatTarget(context.target);
	// One render per turn of the event loop: actions a step sends a few promise hops apart (the
	// prompt closed, then the step cancelled) show as one frame, not a half-way one between them.
	const subscribe = useCallback(
		(onChange: () => void) => {
			let timer: ReturnType<typeof setImmediate> | undefined;
			const unsubscribe = store.subscribe(() => {
				timer ??= setImmediate(() => {
					timer = undefined;
					onChange();
				});
			});
			return () => {
				unsubscribe();
				clearImmediate(timer);
			};
		},
		[store],
	);
	const state = useSyncExternalStore(subscribe, store.getState);
	const pending = useRef<Pending | undefined>(undefined);
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

	// While `ready` waits for y, the target's health is read from HAProxy every half second (a poll
	// of the grid can miss a server that came back and failed again): unhealthy, the question is taken back.
	const prompt = state.prompt;
	useEffect(() => {
		const open = pending.current;
		if (prompt?.kind !== 'command' || !prompt.command.endsWith(' state ready') || open?.prompt !== prompt) {
			return undefined;
		}

		const watching = new AbortController();
		let timer: ReturnType<typeof setTimeout> | undefined;
		const look = async () => {
			const views = await readTarget(context, watching.signal).catch(() => undefined);
			const sick = views?.find((one) => one.server && !isHealthy(one.server));
			if (watching.signal.aborted || pending.current !== open) {
				return;
			}

			if (sick?.server) {
				pending.current = undefined;
				store.dispatch({type: 'prompt-closed'});
				open.reject(
					new PromptWithdrawn(
						`The question was withdrawn: ${label} is no longer healthy${context.clients.length > 1 ? ` on ${sick.socket}` : ''} (${healthText(sick.server)}), so "state ready" was not sent and it stays drained; bring the service back, and restore once its health check passes.`,
					),
				);
				return;
			}

			timer = setTimeout(() => void look(), 500);
		};

		timer = setTimeout(() => void look(), 500);
		return () => {
			watching.abort();
			clearTimeout(timer);
		};
	}, [prompt, context, label, store]);

	useEffect(() => {
		const {resume} = prepared;
		if (!resume) {
			return;
		}

		// Chosen already (the grid's banner): resumed without a second question.
		const answer = resumeNow
			? Promise.resolve(true)
			: io.ask({kind: 'question', id: 'resume', question: `${label}: ${resume.reason}. Resume at ${resume.step}?`, yes: `resume at ${resume.step}`, no: 'start a new maintenance at validate'});
		void answer
			.then((yes) => {
				if (yes) {
					store.dispatch({type: 'resumed', at: resume.step, drained: resume.drained, time: context.clock.now()});
					beginMaintenance(context, resume);
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

	const paused = state.alarms.some((alarm) => alarm.kind === 'unreachable');
	const runCurrent = useCallback(() => {
		const current = store.getState();
		if (stepRunning(current) || current.prompt || current.finished || paused || pending.current !== undefined || (current.current === 'baseline' && !current.probe && context.options.proof !== 'live')) {
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
				store.dispatch({type: 'probe-set', probe: createProbe(text.trim()), source: 'typed in by the operator'});
			} catch (error) {
				store.dispatch({type: 'problem-shown', problem: sentenceOf(error)});
			}
		},
		[store],
	);

	const confirmQuit = useCallback(async () => {
		// Right after a step the view may predate it: wait (briefly) for a read made since.
		for (const started = Date.now(); !seenSettled(store.getState()) && Date.now() - started < settleWaitMs; ) {
			await new Promise((resolve) => {
				setTimeout(resolve, 50);
			});
		}

		const latest = store.getState();
		const {seen: now} = latest;
		const read = targetState(now);
		const drained = read === 'drained' || read === 'partly-drained';
		const unknown = read === 'unknown' || targetStale(now) || !seenSettled(latest);
		const sentence = targetStateSentence(context.target, now);
		if (!drained && !(unknown && latest.drained)) {
			if (latest.drained) {
				journalQuietly(context, {step: latest.current, event: 'quit', detail: `quit after the drain was undone outside this wizard: ${sentence}`});
			}

			return true;
		}

		answer(false);
		const yes = await io.ask({
			kind: 'question',
			id: 'quit',
			// The command to resume (with every flag) is printed once the terminal is given back.
			question: `${capitalized(sentence)}. Quit anyway? ${drained ? 'It stays drained' : 'It may still be drained'}; ${prepared.comeBack ? 'the command to resume is printed on the way out.' : 'the lab stops with its HAProxy.'}`,
			yes: drained ? 'quit, leave it drained' : 'quit',
			no: 'stay',
		});
		if (yes) {
			journalQuietly(context, {step: store.getState().current, event: 'quit', detail: `quit: ${sentence}`});
		}

		return yes;
	}, [answer, context, io, prepared.comeBack, store]);

	const insistQuit = useCallback(() => {
		if (pending.current?.prompt.id === 'quit') {
			answer(true);
		}
	}, [answer]);

	const leave = useCallback(() => {
		const now = store.getState();
		if (now.begun && !now.finished) {
			journalQuietly(context, {step: now.current, event: 'abandoned', detail: `back to the grid at ${now.current}, with nothing drained by this maintenance`});
		}
	}, [context, store]);

	const running = stepRunning(state);
	return {
		state,
		target: context.target,
		label,
		running,
		paused,
		notice: prepared.notice,
		needsUrl: state.probe === null && context.options.proof !== 'live',
		runCurrent,
		answer,
		reapplyDrain,
		setUrl,
		confirmQuit,
		insistQuit,
		seenSettled: seenSettled(state),
		canGoBack: !running && !state.prompt && !state.drained,
		leave,
	};
}

/** A state sentence as the start of a question: `the state of …` gets its capital; a name stays as it is. */
function capitalized(sentence: string): string {
	return sentence.startsWith('the ') ? `The ${sentence.slice(4)}` : sentence;
}

/** Quitting must stay possible whether or not the journal takes the entry. */
function journalQuietly(context: PreparedMaintenance['context'], record: Parameters<PreparedMaintenance['context']['journal']['append']>[0]): void {
	try {
		context.journal.append(record);
	} catch {
		// The journal already holds the drain; the screen says the rest.
	}
}
