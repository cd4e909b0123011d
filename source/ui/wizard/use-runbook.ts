import {useCallback, useEffect, useMemo, useReducer, useRef, useState} from 'react';
import type {PollView} from '../../poll/pool-poller.js';
import {createProbe} from '../../probe/create-probe.js';
import type {RunbookIo} from '../../runbook/context.js';
import {beginMaintenance, type PreparedMaintenance} from '../../runbook/prepare.js';
import {runStep} from '../../runbook/run-step.js';
import {healthText} from '../../runbook/checks/maintain.js';
import {Cancelled, changeState, PromptWithdrawn} from '../../runbook/state-change.js';
import {isHealthy} from '../../model/server-condition.js';
import {readTarget} from '../../runbook/read-target.js';
import {initialRunbookState, runbookReducer, type Prompt, type RunbookState} from '../../runbook/state.js';
import type {StepId} from '../../runbook/steps.js';
import {seenInView, targetStale, targetState, targetStateSentence, type TargetSeen} from '../../runbook/target-state.js';
import {PoolWatch} from '../../runbook/watch.js';
import {formatTarget, type Target} from '../../runtime/names.js';
import {sentenceOf} from '../../errors.js';

/** A question on screen, waiting for y or n. */
type Pending = {resolve: (yes: boolean) => void; reject: (error: Error) => void; prompt: Prompt};

/** A finished step attempt, printed once into the scrollback log. */
export type LogItem = {key: string; step: StepId; passed: boolean; finishedAt: number};

export type RunbookHandle = {
	state: RunbookState;
	target: Target;
	label: string;
	running: boolean;
	/** Paused: an instance does not answer. */
	paused: boolean;
	log: LogItem[];
	notice: string | null;
	/** The wizard needs a listener URL typed in before baseline can run. */
	needsUrl: boolean;
	problem: string | null;
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
	/** The target as HAProxy last showed it, instance by instance: every sentence about its state comes from here. */
	seen: TargetSeen[];
	/** False until a read made after this wizard's last step or change has arrived: `seen` may not show that yet. */
	seenSettled: boolean;
	/** Nothing has been journaled or changed yet: going back to the grid loses nothing. */
	pristine: boolean;
};

/** The wizard's state and actions over one prepared maintenance. Rendering is elsewhere. */
/** The poller behind the wizard's view: when HAProxy last answered, and a poll now. */
export type PollAccess = {readAt: () => number | null; refresh: () => void};

const noPoll: PollAccess = {readAt: () => null, refresh: () => undefined};

/** Longest wait, on q, for a read made after the wizard's last step (a poll is a round trip). */
const settleWaitMs = 2000;

export function useRunbook(prepared: PreparedMaintenance, view: PollView, poll: PollAccess = noPoll): RunbookHandle {
	const {context} = prepared;
	const label = formatTarget(context.target);
	const [state, dispatch] = useReducer(runbookReducer, undefined, () => initialRunbookState(label, context.clock.now()));
	const [running, setRunning] = useState(false);
	// Set at once, not on the next render: a second Enter must not start the step again.
	const runningNow = useRef(false);
	const [begun, setBegun] = useState(false);
	const [log, setLog] = useState<LogItem[]>([]);
	const [problem, setUrlError] = useState<string | null>(null);
	const [needsUrl, setNeedsUrl] = useState(context.probe === null && context.options.proof !== 'live');
	const pending = useRef<Pending | undefined>(undefined);
	const controller = useRef(new AbortController());
	const reapplying = useRef(false);
	const latest = useRef(state);
	latest.current = state;
	// When this wizard last finished a step or changed HAProxy (wall clock, as the poller's): a read from before may not show it.
	const changedAt = useRef(0);
	const readAt = poll.readAt();
	const seen = useMemo(() => seenInView(view, context.target, readAt), [view, context.target, readAt]);
	const seenSettled = (readAt ?? 0) > changedAt.current;
	const latestSeen = useRef({seen, settled: seenSettled});
	latestSeen.current = {seen, settled: seenSettled};
	const changed = useCallback(() => {
		changedAt.current = Date.now();
		poll.refresh();
	}, [poll]);

	const io: RunbookIo = useMemo(
		() => ({
			dispatch,
			signal: controller.current.signal,
			async ask(prompt: Prompt) {
				return new Promise<boolean>((resolve, reject) => {
					pending.current = {resolve, reject, prompt};
					dispatch({type: 'prompt-opened', prompt});
				});
			},
		}),
		[],
	);

	useEffect(
		() => () => {
			controller.current.abort();
			pending.current?.resolve(false);
			// Back to the grid, or quitting: the backend's lock ends with this maintenance's screen.
			context.lock.release();
		},
		[context],
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
			const sick = views?.find((view) => view.server && !isHealthy(view.server));
			if (watching.signal.aborted || pending.current !== open) {
				return;
			}

			if (sick?.server) {
				pending.current = undefined;
				dispatch({type: 'prompt-closed'});
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
	}, [prompt, context, label]);

	const begin = useCallback(
		(resume = prepared.resume) => {
			if (!begun) {
				beginMaintenance(context, resume);
				setBegun(true);
			}
		},
		[begun, context, prepared.resume],
	);

	useEffect(() => {
		const {resume} = prepared;
		if (!resume) {
			return;
		}

		void io
			.ask({kind: 'question', id: 'resume', question: `${label}: ${resume.reason}. Resume at ${resume.step}?`, yes: `resume at ${resume.step}`, no: 'start a new maintenance at validate'})
			.then((yes) => {
				if (yes) {
					dispatch({type: 'resumed', at: resume.step, drained: resume.drained, time: context.clock.now()});
					beginMaintenance(context, resume);
				} else {
					context.journal.append({step: null, event: 'abandoned', detail: 'the operator started a new maintenance instead of resuming'});
					dispatch({type: 'drain-changed', drained: resume.drained});
					beginMaintenance(context, undefined);
				}

				setBegun(true);
			})
			.catch((error: unknown) => {
				setUrlError(sentenceOf(error));
			});
	}, [context, io, label, prepared]);

	const [watch] = useState(() => new PoolWatch());
	useEffect(() => {
		const changes = watch.observe(view, {target: context.target, drained: latest.current.drained});
		for (const id of changes.clear) {
			if (latest.current.alarms.some((alarm) => alarm.id === id)) {
				dispatch({type: 'alarm-cleared', id});
			}
		}

		for (const alarm of changes.raise) {
			dispatch({type: 'alarm-raised', alarm});
			try {
				context.journal.append({step: latest.current.current, event: 'alarm', detail: alarm.message, socket: alarm.socket});
			} catch {
				// The alarm is on screen; the next state change will stop on the journal.
			}
		}
	}, [view, context, watch]);

	const finishedRef = useRef(new Map<StepId, number>());
	useEffect(() => {
		for (const [id, step] of Object.entries(state.steps) as Array<[StepId, RunbookState['steps'][StepId]]>) {
			if ((step.status === 'passed' || step.status === 'failed') && step.finishedAt !== null && finishedRef.current.get(id) !== step.finishedAt) {
				finishedRef.current.set(id, step.finishedAt);
				changed();
				setLog((items) => [...items, {key: `${id}-${step.finishedAt}`, step: id, passed: step.status === 'passed', finishedAt: step.finishedAt!}]);
			}
		}
	}, [state.steps, changed]);

	const paused = state.alarms.some((alarm) => alarm.kind === 'unreachable');
	const runCurrent = useCallback(() => {
		const current = latest.current;
		if (runningNow.current || current.prompt || current.finished || paused || pending.current !== undefined) {
			return;
		}

		if (current.current === 'baseline' && !context.probe && context.options.proof !== 'live') {
			setNeedsUrl(true);
			return;
		}

		begin();
		runningNow.current = true;
		setRunning(true);
		void runStep(current.current, context, io).finally(() => {
			runningNow.current = false;
			setRunning(false);
		});
	}, [begin, context, io, paused]);

	const answer = useCallback((yes: boolean) => {
		const open = pending.current;
		if (!open) {
			return;
		}

		pending.current = undefined;
		dispatch({type: 'prompt-closed'});
		open.resolve(yes);
	}, []);

	const reapplyDrain = useCallback(() => {
		if (pending.current || reapplying.current || !latest.current.alarms.some((alarm) => alarm.reapply)) {
			return;
		}

		reapplying.current = true;
		void changeState(context, io, latest.current.current, {kind: 'state', state: 'drain'}, 'The drain is gone from HAProxy; this puts it back.')
			.then(() => {
				changed();
				for (const alarm of latest.current.alarms.filter((candidate) => candidate.reapply)) {
					dispatch({type: 'alarm-cleared', id: alarm.id});
				}
			})
			.catch((error: unknown) => {
				if (!(error instanceof Cancelled)) {
					setUrlError(sentenceOf(error));
				}
			})
			.finally(() => {
				reapplying.current = false;
			});
	}, [changed, context, io]);

	const setUrl = useCallback(
		(text: string) => {
			try {
				context.probe = createProbe(text.trim());
				context.probeSource = 'typed in by the operator';
				setUrlError(null);
				setNeedsUrl(false);
			} catch (error) {
				setUrlError(sentenceOf(error));
			}
		},
		[context],
	);

	const confirmQuit = useCallback(async () => {
		// Right after a step the view may predate it: wait (briefly) for a read made since.
		for (const started = Date.now(); !latestSeen.current.settled && Date.now() - started < settleWaitMs; ) {
			await new Promise((resolve) => {
				setTimeout(resolve, 50);
			});
		}

		const {seen: now, settled} = latestSeen.current;
		const read = targetState(now);
		const drained = read === 'drained' || read === 'partly-drained';
		const unknown = read === 'unknown' || targetStale(now) || !settled;
		const sentence = targetStateSentence(context.target, now);
		if (!drained && !(unknown && latest.current.drained)) {
			if (latest.current.drained) {
				journalQuietly(context, {step: latest.current.current, event: 'quit', detail: `quit after the drain was undone outside this wizard: ${sentence}`});
			}

			return true;
		}

		answer(false);
		const yes = await io.ask({
			kind: 'question',
			id: 'quit',
			question: `${capitalized(sentence)}. Quit anyway? ${drained ? 'It stays drained; run' : 'Run'} "drainboard ${label}" to resume.`,
			yes: drained ? 'quit, leave it drained' : 'quit',
			no: 'stay',
		});
		if (yes) {
			journalQuietly(context, {step: latest.current.current, event: 'quit', detail: `quit: ${sentence}`});
		}

		return yes;
	}, [answer, context, io, label]);

	const insistQuit = useCallback(() => {
		if (pending.current?.prompt.id === 'quit') {
			answer(true);
		}
	}, [answer]);

	return {
		state,
		insistQuit,
		target: context.target,
		label,
		running,
		paused,
		log,
		notice: prepared.notice,
		needsUrl,
		problem,
		runCurrent,
		answer,
		reapplyDrain,
		setUrl,
		confirmQuit,
		seen,
		seenSettled,
		pristine: !begun && !running,
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
