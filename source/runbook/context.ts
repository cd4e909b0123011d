import type {BackendFacts} from '../config/backend-facts.js';
import type {ConfigCheck} from '../config/check-config.js';
import type {ParsedConfig} from '../config/parse-config.js';
import type {Backend} from '../model/types.js';
import type {Probe} from '../probe/probe.js';
import type {RuntimeClient} from '../poll/client.js';
import {formatTarget, type Target} from '../runtime/names.js';
import type {BackendLock} from './backend-lock.js';
import type {ChosenFlags} from './come-back.js';
import type {MarkHandle} from './drain-mark.js';
import {readJournal, type Journal} from './journal.js';
import {lastMaintenance, type MaintenanceRecord} from './resume.js';
import type {Prompt, RunbookAction, RunbookFacts} from './state.js';
import type {RunbookStore} from './store.js';

export type {RunbookFacts} from './state.js';

/** What the runbook does with its backend's lock. */
export type LockHandle = Pick<BackendLock, 'take' | 'release' | 'isHeld' | 'holder'>;

/** Time, injected so tests can drive it. */
export type Clock = {now(): number; sleep(ms: number, signal?: AbortSignal): Promise<void>};

export const systemClock: Clock = {
	now: () => Date.now(),
	async sleep(ms, signal) {
		if (signal?.aborted) {
			return;
		}

		await new Promise<void>((resolve) => {
			const onAbort = () => {
				clearTimeout(timer);
				resolve();
			};

			const timer = setTimeout(() => {
				signal?.removeEventListener('abort', onAbort);
				resolve();
			}, ms);
			signal?.addEventListener('abort', onAbort, {once: true});
		});
	},
};

type RunbookOptions = {
	/** Requests per traffic check. */
	requests: number;
	/** What proves where traffic goes: real clients' requests (`live`), synthetic ones (`probe`), or live when the backend is busy (`auto`). */
	proof: 'auto' | 'live' | 'probe';
	/** Longest wait for enough live traffic. */
	proofWindowMs: number;
	/** How long `auto` watches the backend's traffic before it chooses (it chooses live as soon as `requests` are seen). */
	autoSampleMs: number;
	quietTimeoutMs: number;
	readyTimeoutMs: number;
	/** How long the target must be seen healthy, poll after poll, before restore may start. */
	settleMs: number;
	/** How long after the drain confirm keeps reading it, to see nothing (an agent-check) undoes it. */
	holdMs: number;
	/** Passes the capacity gate (journaled). */
	force: boolean;
	/** Skips `haproxy -c` (journaled). */
	skipValidate: boolean;
	/** A person answers at the wizard: `shutdown sessions server` is offered when sessions do not end in time, and a step is retried with Enter. */
	interactive: boolean;
	/** Every read-only check runs; a state change is listed in `facts.wouldSend` instead of sent (headless --dry-run). */
	dryRun: boolean;
	/** Drain a target that is DOWN or in maintenance on purpose; its baseline is skipped (journaled). */
	allowDown: boolean;
	/** Restore a server that another operator's maintenance drained (journaled); refused without it. */
	takeOver: boolean;
	/** --host, --path and --verify-tls: applied to a URL typed into the wizard as to --url. */
	urlSettings?: {host?: string; path?: string; verifyTls?: boolean};
};

/** The configuration the checks read and `haproxy -c` checks: its files, where they come from, what the operator must know. */
type ConfigInUse = {
	/** In the order HAProxy reads them. */
	files: string[];
	/** Where the files come from, in a few words (`the files HAProxy pid 42 loaded (its command line)`). */
	source: string;
	/** Sentences to show with the check (a --config that is not the running one, /proc not readable). */
	warnings: string[];
	/** The files as read; null when they could not be read (see `configProblem`). */
	parsed: ParsedConfig | null;
};

/**
 * Everything a check may use. Only `clients` talk to HAProxy, only `probe` sends traffic.
 * `probe`, `probeSource` and `facts` are read from `store`, the one owner of the runbook's state:
 * they change only by an action sent with `io.dispatch` (`probe-set`, `facts-learned`).
 */
export type RunbookContext = {
	target: Target;
	clients: readonly RuntimeClient[];
	/** The runbook's state; `io.dispatch` sends it every action. */
	store: RunbookStore;
	/** Null until a listener URL is known (the wizard asks for one). */
	readonly probe: Probe | null;
	/** Where the probe URL came from, for evidence. */
	readonly probeSource: string;
	clock: Clock;
	journal: Journal;
	config: ConfigInUse;
	/** The backend's lock on every instance, held from the capacity check to the end of confirm (a maintenance of several servers holds its backends' locks itself). */
	lock: LockHandle;
	/** Whose maintenance drained a server, shared by every operator of the host (drain-mark.ts). */
	marks: MarkHandle;
	/** Facts of the target's backend from haproxy.cfg; null when the config was not readable. */
	backendFacts: BackendFacts | null;
	configProblem: string | null;
	/** Runs `haproxy -c`; null when no haproxy binary was found (with the reason). */
	checkConfig: (() => Promise<ConfigCheck>) | {missing: string};
	options: RunbookOptions;
	/** The flags that chose HAProxy and the listener, repeated in every command a message tells the operator to run (see come-back.ts). */
	commandFlags: ChosenFlags;
	/** What the steps learned so far (from `store`). */
	readonly facts: RunbookFacts;
	/** Every server of the maintenance the target is one of (itself included); unset for a maintenance of one server. */
	together?: readonly Target[];
};

/** A context whose `probe`, `probeSource` and `facts` read `parts.store`'s state. */
export function runbookContext(parts: Omit<RunbookContext, 'probe' | 'probeSource' | 'facts'>): RunbookContext {
	return Object.defineProperties(parts, {
		probe: {get: () => parts.store.getState().probe, enumerable: true},
		probeSource: {get: () => parts.store.getState().probeSource, enumerable: true},
		facts: {get: () => parts.store.getState().facts, enumerable: true},
	}) as RunbookContext;
}

/** How a running step talks to the operator and the wizard. */
export type RunbookIo = {
	/** Sends the action to `context.store` (and may show it: headless prints each check). */
	dispatch: (action: RunbookAction) => void;
	/** Shows a prompt and resolves with the operator's answer (headless: --yes or a TTY question). */
	ask: (prompt: Prompt) => Promise<boolean>;
	signal?: AbortSignal;
};

/**
 * The backend's mode as the runbook counts it, decided here only: HAProxy's own (`show stat`),
 * else the configuration's (config/section-mode.ts's sectionMode, through backendFacts), else unknown (null).
 */
export function runbookMode(backend: Pick<Backend, 'mode'>, context: Pick<RunbookContext, 'backendFacts'>): RunbookFacts['mode'] {
	return backend.mode === 'tcp' || backend.mode === 'http' ? backend.mode : (context.backendFacts?.mode ?? null);
}

/** The HAProxy a maintenance's journal entries are read for (readJournal's `about`): its sockets, and the processes first seen behind them. */
export function journalScopeOf(context: Pick<RunbookContext, 'clients' | 'store'>): {sockets: string[]; processes: RunbookFacts['instances']} {
	return {sockets: context.clients.map((client) => client.socket), processes: context.store.getState().facts.instances};
}

/** The target's last maintenance as this run's journal tells it, from the entries about the instances this run reads. */
export function journaledMaintenance(context: Pick<RunbookContext, 'clients' | 'store' | 'journal' | 'target'>): MaintenanceRecord | undefined {
	return lastMaintenance(readJournal(context.journal.file, {about: journalScopeOf(context)}).entries, formatTarget(context.target));
}
