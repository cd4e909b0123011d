import {sentenceOf} from '../errors.js';
import type {RuntimeClient} from './client.js';
import type {ProxyName} from '../runtime/names.js';
import type {Backend, InstanceSnapshot, PoolSnapshot, Server} from '../model/types.js';

/** How one instance answered its polls. */
export type InstanceHealth = {
	socket: string;
	/** The last poll succeeded. */
	ok: boolean;
	/** When polls started failing (ms since the epoch), null while they succeed. */
	failingSince: number | null;
	/** The sentence of the last failure. */
	error: string | null;
	/** When this instance last answered. */
	lastSuccess: number | null;
};

/** The poller's time and timers: the system's, or a test's that it moves on by hand. */
export type PollClock = {
	now(): number;
	/** Runs `run` once after `ms`; the function returned cancels it. */
	setTimer(run: () => void, ms: number): () => void;
};

/** Date.now and setTimeout. */
export const systemPollClock: PollClock = {
	now: () => Date.now(),
	setTimer(run, ms) {
		const timer = setTimeout(run, ms);
		return () => {
			clearTimeout(timer);
		};
	},
};

/** What the grid shows: the last good data of each instance, and how fresh it is. */
export type PollView = {
	pool: PoolSnapshot | null;
	health: InstanceHealth[];
	/** Number of completed poll cycles. */
	cycles: number;
};

type PollerOptions = {
	clients: readonly RuntimeClient[];
	onChange: (view: PollView) => void;
	/** Delay between the end of one poll and the start of the next (default 1 s). */
	intervalMs?: number;
	/** Longest delay between full dumps, however costly they are (default 30 s). */
	maxFullIntervalMs?: number;
	/** When polls happen and what they cost (default: the system's clock). */
	clock?: PollClock;
	/**
	 * Call `onChange` only when something changed (data, or an instance's health), not after every
	 * cycle: a screen then repaints only when there is something new to paint.
	 */
	onlyChanges?: boolean;
	/** Full snapshots already asked for (at start, while the UI loads), by socket: the first cycle uses them. */
	prefetched?: ReadonlyMap<string, Promise<InstanceSnapshot>>;
};

/** How many warm full dumps of an instance its next full dump's delay is read from (the least of them). */
const costsKept = 3;

/**
 * Polls every instance: the focused backend with the filtered commands each cycle, the full
 * dump as often as it is cheap (the more it costs, the rarer, up to `maxFullIntervalMs`). A setTimeout chain, so polls never overlap;
 * `stop()` aborts the poll in flight. A failing instance keeps its last good data.
 */
export class PoolPoller {
	private readonly options: Required<Omit<PollerOptions, 'clients' | 'onChange' | 'prefetched'>> & Pick<PollerOptions, 'clients' | 'onChange'>;
	private changed = true;
	private readonly prefetched: Map<string, Promise<InstanceSnapshot>>;
	private readonly snapshots = new Map<string, InstanceSnapshot>();
	private readonly health = new Map<string, InstanceHealth>();
	private readonly lastFull = new Map<string, number>();
	/** By socket, what its last warm full dumps cost (ms, newest last, at most {@link costsKept}). */
	private readonly fullCosts = new Map<string, number[]>();
	private focused: readonly ProxyName[] = [];
	private focusOnly = false;
	private cancelTimer: (() => void) | undefined;
	private controller: AbortController | undefined;
	private running = false;
	private cycles = 0;
	private wakeRequested = false;
	private fullRequested = true;

	constructor(options: PollerOptions) {
		this.options = {intervalMs: 1000, maxFullIntervalMs: 30_000, clock: systemPollClock, onlyChanges: false, ...options};
		this.prefetched = new Map(options.prefetched);
		for (const client of options.clients) {
			this.health.set(client.socket, {socket: client.socket, ok: true, failingSince: null, error: null, lastSuccess: null});
		}
	}

	start(): void {
		if (this.running) {
			return;
		}

		this.running = true;
		void this.cycle();
	}

	stop(): void {
		this.running = false;
		this.cancelTimer?.();
		this.controller?.abort();
	}

	/**
	 * The backends to poll every cycle with the filtered commands (the one the operator looks at;
	 * every backend of a maintenance of several servers, which it shows side by side). With `only`
	 * (the wizard), full dumps stop: only those are read.
	 */
	focus(backends: ProxyName | readonly ProxyName[] | undefined, {only = false}: {only?: boolean} = {}): void {
		this.focused = backends === undefined ? [] : typeof backends === 'string' ? [backends] : [...new Set(backends)];
		this.focusOnly = only && this.focused.length > 0;
	}

	/**
	 * Polls again now (after a state change), with a full dump when `full`; the view is handed on
	 * after that poll even when nothing changed, so that what shows it knows it is current.
	 */
	refresh({full = false}: {full?: boolean} = {}): void {
		this.fullRequested ||= full;
		this.changed = true;
		if (!this.running) {
			return;
		}

		if (this.controller) {
			this.wakeRequested = true;
			return;
		}

		this.cancelTimer?.();
		void this.cycle();
	}

	view(): PollView {
		const instances = this.options.clients.flatMap((client) => {
			const snapshot = this.snapshots.get(client.socket);
			return snapshot ? [snapshot] : [];
		});
		const lastTaken = Math.max(0, ...[...this.health.values()].map((health) => health.lastSuccess ?? 0));
		return {
			pool: instances.length > 0 ? {instances, takenAt: lastTaken} : null,
			health: this.options.clients.map((client) => this.health.get(client.socket)!),
			cycles: this.cycles,
		};
	}

	/** When any instance last answered (ms since the epoch), whether or not that changed anything. */
	lastSuccessAt(): number | null {
		const times = [...this.health.values()].flatMap((health) => (health.lastSuccess === null ? [] : [health.lastSuccess]));
		return times.length > 0 ? Math.max(...times) : null;
	}

	private fullIntervalMs(socket: string): number {
		// The backend under the cursor is read every cycle anyway; the rest may wait, the longer the
		// more a dump costs: 250 times its cost apart, so a few hundred servers are read whole every
		// cycle and 10,000 about every 20 s (the dump costs measured: test/bench/README.md). The
		// cost is the least of the last few dumps of that instance: one slow dump (a pause of this
		// process, a busy HAProxy) does not leave the other backends unread for 30 s; a dump that
		// stays dear does.
		const costs = this.fullCosts.get(socket) ?? [];
		const cost = costs.length > 0 ? Math.min(...costs) : 0;
		return Math.min(this.options.maxFullIntervalMs, Math.max(this.options.intervalMs, cost * 250));
	}

	/** The focused backends, one filtered read each, one after the other, as one snapshot. */
	private async focusedSnapshot(client: RuntimeClient, signal: AbortSignal): Promise<InstanceSnapshot> {
		let merged: InstanceSnapshot | undefined;
		for (const backend of this.focused) {
			const part = await client.snapshot(backend, signal);
			merged = merged ? mergeBackends(merged, part) : part;
		}

		return merged!;
	}

	private async cycle(): Promise<void> {
		const controller = new AbortController();
		this.controller = controller;
		const now = this.options.clock.now();
		const forceFull = this.fullRequested;
		this.fullRequested = false;
		await Promise.all(
			this.options.clients.map(async (client) => {
				const known = this.snapshots.get(client.socket);
				const due = forceFull || !known || now - (this.lastFull.get(client.socket) ?? 0) >= this.fullIntervalMs(client.socket) || this.focused.length === 0;
				const full = due && !this.focusOnly;
				if (!full && this.focused.length === 0) {
					return;
				}

				const started = this.options.clock.now();
				const early = this.prefetched.get(client.socket);
				this.prefetched.delete(client.socket);
				try {
					const snapshot = full ? await (early ?? client.snapshot(undefined, controller.signal)) : await this.focusedSnapshot(client, controller.signal);
					if (full) {
						// Unchanged, the objects already shown stay: nothing to repaint, nothing to keep twice.
						if (!known || !sameSnapshot(known, snapshot)) {
							this.snapshots.set(client.socket, snapshot);
							this.changed = true;
						}

						this.lastFull.set(client.socket, started);
						// The first dump of an instance is cold (code not yet compiled, a new
						// connection): on a busy machine it costs many times what the next ones do,
						// and would put the next full dump up to 30 s away even for 5 servers. The
						// next one, an interval later, measures the warm cost.
						const costs = known ? [...(this.fullCosts.get(client.socket) ?? []), this.options.clock.now() - started].slice(-costsKept) : [];
						this.fullCosts.set(client.socket, costs);
					} else {
						const merged = known ? mergeBackends(known, snapshot) : snapshot;
						if (!known || !sameSnapshot(known, merged)) {
							this.snapshots.set(client.socket, merged);
							this.changed = true;
						}

						if (known && (snapshot.instance.pid !== known.instance.pid || snapshot.instance.startTime !== known.instance.startTime)) {
							this.fullRequested = true;
						}
					}

					this.changed ||= !this.health.get(client.socket)!.ok;
					this.health.set(client.socket, {socket: client.socket, ok: true, failingSince: null, error: null, lastSuccess: this.options.clock.now()});
				} catch (error) {
					if (controller.signal.aborted) {
						return;
					}

					const previous = this.health.get(client.socket)!;
					this.changed ||= previous.ok || previous.error !== sentenceOf(error);
					this.health.set(client.socket, {
						...previous,
						ok: false,
						failingSince: previous.failingSince ?? this.options.clock.now(),
						error: sentenceOf(error),
					});
					this.fullRequested = true;
				}
			}),
		);
		this.controller = undefined;
		if (!this.running) {
			return;
		}

		this.cycles++;
		if (this.changed || !this.options.onlyChanges) {
			this.changed = false;
			this.options.onChange(this.view());
		}

		if (this.wakeRequested) {
			this.wakeRequested = false;
			void this.cycle();
			return;
		}

		this.cancelTimer = this.options.clock.setTimer(() => {
			this.cancelTimer = undefined;
			void this.cycle();
		}, this.options.intervalMs);
	}
}

/** The full snapshot with the backends of a filtered poll replaced by their fresh data. */
function mergeBackends(full: InstanceSnapshot, partial: InstanceSnapshot): InstanceSnapshot {
	const fresh = new Map(partial.backends.map((backend) => [backend.name, backend]));
	const backends = full.backends.map((backend) => fresh.get(backend.name) ?? backend);
	for (const backend of partial.backends) {
		if (!full.backends.some((known) => known.name === backend.name)) {
			backends.push(backend);
		}
	}

	return {instance: partial.instance, backends};
}

/** Server fields that say nothing new when they alone differ: the time since the last change grows by itself. */
const clockFields = new Set<keyof Server>(['secondsSinceChange', 'changedAt']);

/** Same instance, same backends, same servers field for field (a filtered poll that found nothing new). */
function sameSnapshot(a: InstanceSnapshot, b: InstanceSnapshot): boolean {
	const [x, y] = [a.instance, b.instance];
	if (x.pid !== y.pid || x.startTime !== y.startTime || x.stopping !== y.stopping || x.version !== y.version || a.backends.length !== b.backends.length) {
		return false;
	}

	return a.backends.every((backend, index) => backend === b.backends[index] || sameBackend(backend, b.backends[index]!));
}

function sameBackend(a: Backend, b: Backend): boolean {
	if (a.name !== b.name || a.id !== b.id || a.mode !== b.mode || a.algorithm !== b.algorithm || a.servers.length !== b.servers.length) {
		return false;
	}

	const fields = a.servers[0] ? (Object.keys(a.servers[0]) as Array<keyof Server>).filter((key) => !clockFields.has(key)) : [];
	return a.servers.every((server, index) => {
		const other = b.servers[index]!;
		return fields.every((key) => server[key] === other[key]);
	});
}
