import type {Instance, Server} from '../model/types.js';
import type {Probe} from '../probe/probe.js';
import {blocks, type CheckResult} from './check-result.js';
import type {TargetSeen} from './target-state.js';
import type {InstanceCounters} from './traffic.js';
import {nextStep, stepIds, type StepId} from './steps.js';
import type {SourcedTarget} from '../config/probe-plan.js';

/** `skipped`: before a resumption, and never run by this maintenance (the drain was found, not made). */
type StepStatus = 'pending' | 'running' | 'passed' | 'failed' | 'skipped';

type StepState = {status: StepStatus; checks: CheckResult[]; startedAt: number | null; finishedAt: number | null};

/** What the wizard asks the operator: a Runtime API state change to send, or a question. */
export type Prompt =
	| {
			kind: 'command';
			id: string;
			/** The command the change is about. */
			command: string;
			/** Every command line sent, in order, when there is more than the main one (`disable agent …` first). */
			commands?: string[];
			why: string;
			sockets: string[];
	  }
	| {kind: 'question'; id: string; question: string; yes: string; no: string};

/** Something the operator must see now: HAProxy reloaded, someone else changed the target, … */
export type Alarm = {
	id: string;
	/** `reload`: another HAProxy process answers now (reloaded or restarted; the polls cannot tell which). */
	kind: 'reload' | 'external-change' | 'target-missing' | 'unreachable' | 'backend-down';
	socket: string;
	message: string;
	at: number;
	/** The drain this maintenance set is gone: the wizard offers to send it again. */
	reapply?: boolean;
	/** The drain this maintenance set is gone (lost, or replaced by someone's maintenance): its return is watched for. */
	drainGone?: boolean;
};

/** What the steps learn as they run, for the steps after them. */
export type RunbookFacts = {
	/** Each instance as first seen (pid, start time): a change means a reload or restart. */
	instances: Instance[];
	/** `http` or `tcp`, from the runtime (else the config). */
	mode: 'http' | 'tcp' | null;
	algorithm: string | null;
	serverNames: string[];
	drainSentAt: number | null;
	/** When the drain was last set (sent again at confirm, or first sent): what confirm watches hold. */
	drainSetAt: number | null;
	/**
	 * A drain found made (set outside this maintenance): when a maintenance of several servers read it
	 * drained as its confirm began, the start of the window confirm watches it hold (else it starts
	 * at confirm's own first read).
	 */
	drainSeenAt: number | null;
	readySentAt: number | null;
	/**
	 * Each instance's process (pid, start time) and the target's agent-check at confirm's read that
	 * showed the drain set: a drain that is gone from a process with another pid or start time was
	 * dropped by a reload or restart, not undone in place.
	 */
	drainReadOn: DrainReadOn[] | null;
	/** What became of the last drain this maintenance sent (its drain step, confirm's or a re-apply): recorded by `state-change.ts`. */
	drainOutcome: DrainOutcome;
	/** With --dry-run: the command lines a state change would have sent, in order. */
	wouldSend: string[];
	/**
	 * The backend's counters at confirm's first read after the drain, when a probe may prove it: the
	 * start of the window confirm judges (see ConfirmWindow). `early`: read by a maintenance of
	 * several servers for all of them at once, before the first one's confirm; the next confirm of
	 * this server keeps it, instead of opening its window only when its turn comes.
	 */
	confirmFrom: {counters: InstanceCounters[]; at: number; early?: boolean} | null;
	/**
	 * What validate read of the target's address and port serving other servers this maintenance
	 * leaves in rotation (`127.0.0.1:8080`, `static/app01`): the work stops them too. Null when none.
	 */
	sharedAddress: {address: string; servers: string[]} | null;
};

/** One instance as confirm read it drained ({@link RunbookFacts.drainReadOn}). */
type DrainReadOn = Pick<Instance, 'socket' | 'pid' | 'startTime'> & {agentCheck: Server['agentCheck']};

/**
 * A drain this maintenance sent, as HAProxy took it: `not-sent` (none yet, or a dry run), `applied`
 * (accepted on every instance, or a lost reply read back applied), `not-applied` (refused, read back
 * not applied, or put back everywhere), `unknown` (a reply lost and not read back, or left drained
 * where it could not be put back: only a read of HAProxy can tell).
 */
export type DrainOutcome = 'not-sent' | 'applied' | 'not-applied' | 'unknown';

export function emptyFacts(): RunbookFacts {
	return {instances: [], mode: null, algorithm: null, serverNames: [], drainSentAt: null, drainSetAt: null, drainSeenAt: null, readySentAt: null, drainReadOn: null, drainOutcome: 'not-sent', wouldSend: [], confirmFrom: null, sharedAddress: null};
}

/** A finished step attempt, printed once into the scrollback log. */
export type LogItem = {key: string; step: StepId; passed: boolean; finishedAt: number};

/** The whole maintenance as the wizard shows it. Changed only by {@link runbookReducer}. */
export type RunbookState = {
	target: string;
	current: StepId;
	steps: Record<StepId, StepState>;
	prompt: Prompt | null;
	alarms: Alarm[];
	/** Lines that change while a step runs (sessions left, health of the target). */
	live: {step: StepId; lines: string[]} | null;
	/** The target is out of rotation because of this maintenance (drain sent or found on resume). */
	drained: boolean;
	finished: boolean;
	/**
	 * A restore outside this wizard ended its drain (drain marks): why it is over, one sentence, and
	 * whether it was another maintenance's (a take-over) or another run on this one's journal; null otherwise.
	 */
	takenOver: {message: string; other: boolean} | null;
	resumedAt: StepId | null;
	startedAt: number;
	/** The journal has the start (or the resumption) of this maintenance: going back would lose something. */
	begun: boolean;
	/** Sending the drain again after an alarm (outside any step). */
	reapplying: boolean;
	/** The step restore was brought forward from (b, an outage): a no to its ready goes back there. */
	restoreFrom: 'confirm' | 'maintain' | null;
	/** Each finished step attempt, in order. */
	log: LogItem[];
	/** What went wrong outside a step (a URL that is not one, a failed re-apply), one sentence. */
	problem: string | null;
	/** The probe for the traffic checks, null until a listener URL is known, and where it came from. */
	probe: Probe | null;
	probeSource: string;
	/** Every listener on this host the configuration routes to the backend through, best first (the derived probe is the first): the operator may choose another. */
	listeners: SourcedTarget[];
	facts: RunbookFacts;
	/** The target as HAProxy last showed it, instance by instance (the poll the wizard reads). */
	seen: TargetSeen[];
	/** Since when every read showed the target's admin flags as `seen` does (its health and counters may have changed meanwhile); null before a read. */
	seenSince: number | null;
	/** When (wall clock) this maintenance last finished a step or changed HAProxy: a read from before may not show it. */
	changedAt: number;
};

/** What a maintenance starts with besides its target: what prepare learned. */
type RunbookStart = {probe?: Probe | null; probeSource?: string; listeners?: SourcedTarget[]; facts?: RunbookFacts};

export type RunbookAction =
	| {type: 'resumed'; at: StepId; drained: boolean; time: number; ran: readonly StepId[]}
	| {type: 'step-started'; step: StepId; time: number}
	| {type: 'check-finished'; step: StepId; result: CheckResult}
	| {type: 'step-finished'; step: StepId; time: number}
	| {type: 'step-cancelled'; step: StepId}
	| {type: 'prompt-opened'; prompt: Prompt}
	| {type: 'prompt-closed'}
	| {type: 'live-updated'; step: StepId; lines: string[]}
	| {type: 'alarm-raised'; alarm: Alarm}
	| {type: 'alarm-cleared'; id: string}
	| {type: 'drain-changed'; drained: boolean}
	| {type: 'taken-over'; message: string; other: boolean}
	| {type: 'maintenance-begun'}
	| {type: 'restore-brought-forward'}
	| {type: 'reapply-started'}
	| {type: 'reapply-ended'; problem: string | null; time: number}
	/** HAProxy shows the drain again after it was gone, not by r: set by someone else. */
	| {type: 'drain-returned'; time: number}
	| {type: 'problem-shown'; problem: string | null}
	| {type: 'probe-set'; probe: Probe | null; source: string}
	| {type: 'facts-learned'; facts: Partial<RunbookFacts>}
	| {type: 'target-seen'; seen: TargetSeen[]}
	| {type: 'haproxy-changed'; time: number};

/**
 * The target was out of this maintenance's drain (in rotation, or someone's maintenance) and is
 * drained again: after confirm, confirm proves again that new traffic goes elsewhere and that the
 * sessions it took meanwhile end, before the work goes on.
 */
function confirmAgain(state: RunbookState, problem: string): RunbookState {
	const after = state.current === 'maintain' || (state.current === 'restore' && state.steps.restore.status !== 'passed');
	if (state.finished || !after) {
		return state;
	}

	return {...state, current: 'confirm', steps: {...state.steps, confirm: pendingStep(), maintain: pendingStep(), restore: pendingStep()}, problem};
}

/** A step not run yet. */
const pendingStep = (): StepState => ({status: 'pending', checks: [], startedAt: null, finishedAt: null});

export function initialRunbookState(target: string, time: number, start: RunbookStart = {}): RunbookState {
	const steps: Record<StepId, StepState> = {validate: pendingStep(), baseline: pendingStep(), drain: pendingStep(), confirm: pendingStep(), maintain: pendingStep(), restore: pendingStep()};
	return {
		target,
		current: 'validate',
		steps,
		prompt: null,
		alarms: [],
		live: null,
		drained: false,
		finished: false,
		takenOver: null,
		resumedAt: null,
		startedAt: time,
		begun: false,
		reapplying: false,
		restoreFrom: null,
		log: [],
		problem: null,
		probe: start.probe ?? null,
		probeSource: start.probeSource ?? '',
		listeners: start.listeners ?? [],
		facts: start.facts ?? emptyFacts(),
		seen: [],
		seenSince: null,
		changedAt: 0,
	};
}

/** Questions the app asks, not a step: a step that ends while one is open leaves it open. */
const appQuestions: ReadonlySet<string> = new Set(['quit', 'resume']);

/** The prompt once the current step has ended: the step's own is gone, the app's stays. */
function promptAfterStep(prompt: Prompt | null): Prompt | null {
	return prompt?.kind === 'question' && appQuestions.has(prompt.id) ? prompt : null;
}

/** A step passes when it ran and none of its checks blocks. */
function stepPassed(step: StepState): boolean {
	return step.checks.length > 0 && !step.checks.some((check) => blocks(check));
}

/**
 * The runbook as a pure machine: the current step moves on only when that step finished with
 * no blocking check. A failed step stays current, with what was observed, for a retry.
 */
export function runbookReducer(state: RunbookState, action: RunbookAction): RunbookState {
	switch (action.type) {
		case 'resumed': {
			const steps = {...state.steps};
			for (const id of stepIds.slice(0, stepIds.indexOf(action.at))) {
				steps[id] = {...steps[id], status: action.ran.includes(id) ? 'passed' : 'skipped'};
			}

			return {...state, steps, current: action.at, drained: action.drained, resumedAt: action.at};
		}

		case 'step-started': {
			if (action.step !== state.current || state.finished) {
				return state;
			}

			// What was said before the step (a refused key, a bad URL) is answered by running it.
			return {...state, steps: {...state.steps, [action.step]: {status: 'running', checks: [], startedAt: action.time, finishedAt: null}}, live: null, problem: null};
		}

		case 'check-finished': {
			const step = state.steps[action.step];
			if (step.status !== 'running') {
				return state;
			}

			const checks = [...step.checks.filter((check) => check.id !== action.result.id), action.result];
			return {...state, steps: {...state.steps, [action.step]: {...step, checks}}};
		}

		case 'step-finished': {
			const step = state.steps[action.step];
			if (step.status !== 'running') {
				return state;
			}

			const ok = stepPassed(step);
			const steps = {...state.steps, [action.step]: {...step, status: ok ? 'passed' : 'failed', finishedAt: action.time} satisfies StepState};
			// Over already (taken over): a step that was running ends where it is.
			const next = ok && action.step === state.current && !state.finished ? nextStep(action.step) : undefined;
			const log = [...state.log, {key: `${action.step}-${action.time}-${state.log.length}`, step: action.step, passed: ok, finishedAt: action.time}];
			return {
				...state,
				steps,
				log,
				current: next ?? state.current,
				finished: state.finished || (ok && action.step === 'restore'),
				live: null,
				prompt: promptAfterStep(state.prompt),
				drained: action.step === 'restore' && ok ? false : state.drained,
			};
		}

		case 'step-cancelled': {
			const step = state.steps[action.step];
			// Answered no: said, so the step's own text coming back is not mistaken for nothing happening.
			if (step.status !== 'running') {
				return state;
			}

			const cancelled = {...state, steps: {...state.steps, [action.step]: {...step, status: 'pending' as const, finishedAt: null}}, prompt: promptAfterStep(state.prompt), live: null, problem: `Answered no at ${action.step}: nothing was sent to HAProxy.`};
			// A restore brought forward and answered no: back to where it was brought from, the steps it skipped to run again.
			if (action.step === 'restore' && state.restoreFrom) {
				const steps = {...cancelled.steps};
				for (const id of stepIds.slice(stepIds.indexOf(state.restoreFrom), stepIds.indexOf('restore'))) {
					if (steps[id].status === 'skipped') {
						steps[id] = pendingStep();
					}
				}

				return {...cancelled, steps, current: state.restoreFrom, restoreFrom: null, problem: `Answered no at restore: nothing was sent to HAProxy; back at ${state.restoreFrom}.`};
			}

			return cancelled;
		}

		case 'prompt-opened': {
			return {...state, prompt: action.prompt};
		}

		case 'prompt-closed': {
			return {...state, prompt: null};
		}

		case 'live-updated': {
			return {...state, live: {step: action.step, lines: action.lines}};
		}

		case 'alarm-raised': {
			return {...state, alarms: [...state.alarms.filter((alarm) => alarm.id !== action.alarm.id), action.alarm]};
		}

		case 'alarm-cleared': {
			return {...state, alarms: state.alarms.filter((alarm) => alarm.id !== action.id)};
		}

		case 'drain-changed': {
			return {...state, drained: action.drained};
		}

		case 'taken-over': {
			// The alarm that offered to re-apply the drain gives way to who ended it: re-applying would undo their
			// restore. A new id: the watch withdraws the old one once it reads the target as now expected.
			const lost = state.alarms.find((alarm) => alarm.reapply);
			const alarms = [
				...state.alarms.filter((alarm) => !alarm.reapply),
				...(lost ? [{id: `taken-over:${lost.socket}`, kind: 'external-change', socket: lost.socket, at: lost.at, message: action.message} satisfies Alarm] : []),
			];
			// The steps it did not get to are not this maintenance's any more: shown as not run (–).
			const steps = {...state.steps};
			for (const id of stepIds) {
				if (steps[id].status === 'pending') {
					steps[id] = {...steps[id], status: 'skipped'};
				}
			}

			// What was said of this maintenance's own doings (a drain put back, confirm to run again) is over with it.
			return {...state, steps, takenOver: {message: action.message, other: action.other}, finished: true, drained: false, alarms, problem: null, prompt: promptAfterStep(state.prompt)};
		}

		case 'maintenance-begun': {
			return {...state, begun: true};
		}

		case 'restore-brought-forward': {
			if (!canBringRestoreForward(state)) {
				return state;
			}

			const from = state.current === 'confirm' || state.current === 'maintain' ? state.current : null;
			if (from === null) {
				return state;
			}

			// The steps between are not run: shown as such (–), not as passed.
			const steps = {...state.steps};
			for (const id of ['confirm', 'maintain'] as const) {
				if (steps[id].status !== 'passed') {
					steps[id] = {...steps[id], status: 'skipped'};
				}
			}

			return {...state, steps, current: 'restore', restoreFrom: from, problem: `Restore brought forward: ${state.target}'s backend has no server serving. Restore checks its health, then asks before sending ready.`};
		}

		case 'reapply-started': {
			return {...state, reapplying: true};
		}

		case 'reapply-ended': {
			const ended = {...state, reapplying: false, problem: action.problem ?? state.problem, changedAt: action.problem ? state.changedAt : action.time};
			return action.problem === null ? confirmAgain(ended, `The drain is back on ${state.target}, after it was in rotation: confirm runs again, for the traffic and sessions it took meanwhile.`) : ended;
		}

		case 'drain-returned': {
			// r's own change ends in reapply-ended, which does this.
			if (state.reapplying) {
				return state;
			}

			return confirmAgain(
				{...state, changedAt: action.time},
				`HAProxy shows ${state.target} drained again, set by someone else after it was out of this drain: confirm runs again, for the traffic and sessions it may have taken meanwhile, before the work goes on.`,
			);
		}

		case 'problem-shown': {
			return {...state, problem: action.problem};
		}

		case 'probe-set': {
			return {...state, probe: action.probe, probeSource: action.source, problem: null};
		}

		case 'facts-learned': {
			return {...state, facts: {...state.facts, ...action.facts}};
		}

		case 'target-seen': {
			// The same admin flags on every instance (and the same instances answering) as before: seen so since then.
			const times = action.seen.flatMap((one) => (one.readAt === null ? [] : [one.readAt]));
			const same = adminKey(action.seen) === adminKey(state.seen) && state.seenSince !== null;
			return {...state, seen: action.seen, seenSince: same ? state.seenSince : times.length > 0 ? Math.min(...times) : null};
		}

		case 'haproxy-changed': {
			return {...state, changedAt: action.time};
		}
	}
}

/**
 * While this maintenance has the target drained, before restore, and HAProxy shows its backend
 * with no server serving (an outage someone else caused): restore may run now, skipping what is
 * left of confirm and maintain, to end the outage sooner. Restore still waits for health first.
 */
export function canBringRestoreForward(state: RunbookState): boolean {
	return !state.finished && state.drained && (state.current === 'confirm' || state.current === 'maintain' || state.current === 'restore') && !stepRunning(state) && state.prompt === null && state.alarms.some((alarm) => alarm.kind === 'backend-down');
}

/** The step under way, if one is (a second Enter must not start it again). */
export function stepRunning(state: RunbookState): boolean {
	return state.steps[state.current].status === 'running' || state.reapplying;
}

/** True once a read of HAProxy made after this maintenance's last step or change has arrived. */
/** The target's admin flags on each instance, and which answer: what "shown at every read since" is about. */
function adminKey(seen: readonly TargetSeen[]): string {
	return seen.map((one) => `${one.socket}=${one.readAt === null || one.failingSince !== null ? '?' : (one.server?.adminFlags.join('+') ?? '-')}`).join(' ');
}

export function seenSettled(state: RunbookState): boolean {
	return state.seen.some((one) => one.readAt !== null) && Math.max(...state.seen.map((one) => one.readAt ?? 0)) > state.changedAt;
}
