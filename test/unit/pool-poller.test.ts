import {describe, expect, it} from 'vitest';
import {PoolPoller, systemPollClock, type PollView} from '../../source/poll/pool-poller.js';
import type {InstanceSnapshot} from '../../source/model/types.js';
import type {RuntimeClient} from '../../source/poll/client.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {parseName} from '../../source/runtime/names.js';
import {RuntimeApiError} from '../../source/runtime/runtime-error.js';
import {ManualClock} from '../helpers/manual-clock.js';
import {makeBackend, makeInstance, makeServer} from '../helpers/model.js';
import {waitFor} from '../helpers/wait-for.js';

type Call = {backend: string | undefined; signal: AbortSignal | undefined};

/** A RuntimeClient whose snapshot answers come from `answer`; records calls and concurrency. */
function fakeClient(answer: (backend: string | undefined, call: number, signal: AbortSignal | undefined) => Promise<InstanceSnapshot>) {
	const calls: Call[] = [];
	let inFlight = 0;
	let maxInFlight = 0;
	const client = {
		endpoint: parseEndpoint('/fake.sock'),
		socket: '/fake.sock',
		async snapshot(backend?: string, signal?: AbortSignal) {
			calls.push({backend, signal});
			inFlight++;
			maxInFlight = Math.max(maxInFlight, inFlight);
			try {
				return await answer(backend, calls.length, signal);
			} finally {
				inFlight--;
			}
		},
	} as unknown as RuntimeClient;
	return {client, calls, maxInFlight: () => maxInFlight};
}

const snapshot = (pid = 1, sessions = 0) =>
	makeInstance(
		[makeBackend('webapps', [makeServer({backend: 'webapps', server: 'app01', currentSessions: sessions})]), makeBackend('api', [makeServer({backend: 'api', server: 'api1'})])],
		'/fake.sock',
		pid,
	);

/** A clock whose time stands still at `time`, with the system's timers. */
const stillAt = (time: number) => ({...systemPollClock, now: () => time});

/** A promise and its resolve, for answers the test releases. */
function deferred<T>() {
	let resolve!: (value: T) => void;
	const promise = new Promise<T>((settle) => {
		resolve = settle;
	});
	return {promise, resolve};
}

describe('PoolPoller', () => {
	it('starts with a full dump, then polls the focused backend with the filtered commands', async () => {
		const fake = fakeClient(async (backend) => (backend ? makeInstance([snapshot(1, 7).backends[0]!], '/fake.sock', 1) : snapshot()));
		const views: PollView[] = [];
		const poller = new PoolPoller({clients: [fake.client], intervalMs: 5, clock: stillAt(1000), onChange: (view) => views.push(view)});
		poller.focus(parseName('webapps', 'backend'));
		poller.start();
		await waitFor('three polls', () => (views.length >= 3 ? true : undefined));
		poller.stop();
		expect(fake.calls[0]!.backend).toBeUndefined();
		expect(fake.calls.slice(1, 3).map((call) => call.backend)).toEqual(['webapps', 'webapps']);
		const last = views.at(-1)!.pool!.instances[0]!;
		expect(last.backends.map((backend) => backend.name)).toEqual(['webapps', 'api']);
		expect(last.backends[0]!.servers[0]!.currentSessions).toBe(7);
	});

	it('with onlyChanges, says nothing after a poll that found nothing new, and speaks on new data and on failure', async () => {
		let sessions = 0;
		let failing = false;
		const fake = fakeClient(async (backend) => {
			if (failing) {
				throw new RuntimeApiError('connection-refused', '/fake.sock', 'Nothing answers on /fake.sock (connection refused).');
			}

			// A new read, new objects, and the clock field moves on: still nothing new.
			const fresh = snapshot(1, sessions);
			const webapps = fresh.backends[0]!;
			webapps.servers[0] = {...webapps.servers[0]!, secondsSinceChange: 61, changedAt: Date.now() - 61_000};
			return backend ? makeInstance([webapps], '/fake.sock', 1) : fresh;
		});
		const views: PollView[] = [];
		let clock = 1000;
		const poller = new PoolPoller({clients: [fake.client], intervalMs: 2, clock: {...systemPollClock, now: () => clock}, onlyChanges: true, onChange: (view) => views.push(view)});
		poller.focus(parseName('webapps', 'backend'));
		poller.start();
		try {
			await waitFor('five polls', () => (fake.calls.length >= 6 ? true : undefined));
			expect(views).toHaveLength(1);
			clock = 2000;
			await waitFor('another poll, and a full dump', () => (poller.lastSuccessAt() === 2000 && fake.calls.filter((call) => call.backend === undefined).length >= 2 ? true : undefined));
			expect(views).toHaveLength(1);
			sessions = 3;
			await waitFor('the new data', () => (views.length === 2 ? true : undefined));
			expect(views[1]!.pool!.instances[0]!.backends[0]!.servers[0]!.currentSessions).toBe(3);
			failing = true;
			await waitFor('the failure', () => (views.length === 3 ? true : undefined));
			expect(views[2]!.health[0]).toMatchObject({ok: false, error: 'Nothing answers on /fake.sock (connection refused).'});
			const calls = fake.calls.length;
			await waitFor('more failed polls', () => (fake.calls.length >= calls + 3 ? true : undefined));
			expect(views).toHaveLength(3);
			failing = false;
			await waitFor('the recovery', () => (views.length === 4 ? true : undefined));
			expect(views[3]!.health[0]!.ok).toBe(true);
		} finally {
			poller.stop();
		}
	});

	it('never overlaps polls, even when HAProxy is slower than the interval', async () => {
		const answers = [deferred<InstanceSnapshot>(), deferred<InstanceSnapshot>(), deferred<InstanceSnapshot>()];
		const fake = fakeClient(async (_backend, call) => answers[call - 1]!.promise);
		const clock = new ManualClock();
		const poller = new PoolPoller({clients: [fake.client], intervalMs: 1, clock, onChange: () => undefined});
		try {
			poller.start();
			poller.refresh({full: true});
			poller.refresh({full: true});
			expect(fake.calls).toHaveLength(1);
			// The refreshes asked during the poll make one poll, right after it.
			answers[0]!.resolve(snapshot());
			await waitFor('the poll asked for during the first', () => fake.calls[1]);
			expect(clock.pending()).toBe(0);
			answers[1]!.resolve(snapshot());
			await clock.fireNext();
			await waitFor('the next poll, on the timer', () => fake.calls[2]);
			answers[2]!.resolve(snapshot());
			await clock.timerSet();
			expect(fake.calls).toHaveLength(3);
			expect(fake.maxInFlight()).toBe(1);
		} finally {
			poller.stop();
		}
	});

	it('keeps the last good data when polls fail, says since when, and recovers by itself', async () => {
		let failing = false;
		const fake = fakeClient(async () => {
			if (failing) {
				throw new RuntimeApiError('connection-refused', '/fake.sock', 'Nothing answers on /fake.sock (connection refused).');
			}

			return snapshot();
		});
		let latest: PollView | undefined;
		const poller = new PoolPoller({
			clients: [fake.client],
			intervalMs: 5,
			onChange(view) {
				latest = view;
			},
		});
		poller.start();
		await waitFor('first data', () => latest?.pool ?? undefined);
		failing = true;
		const failed = await waitFor('a failing poll', () => (latest && !latest.health[0]!.ok ? latest : undefined));
		expect(failed.pool?.instances[0]!.backends).toHaveLength(2);
		expect(failed.health[0]).toMatchObject({ok: false, error: 'Nothing answers on /fake.sock (connection refused).'});
		const since = failed.health[0]!.failingSince;
		const calls = fake.calls.length;
		await waitFor('two more failed polls', () => (fake.calls.length >= calls + 2 && latest!.cycles > failed.cycles + 1 ? true : undefined));
		expect(latest!.health[0]!.ok).toBe(false);
		expect(latest!.health[0]!.failingSince).toBe(since);
		failing = false;
		await waitFor('recovery', () => (latest?.health[0]!.ok ? true : undefined));
		poller.stop();
		expect(latest!.health[0]).toMatchObject({ok: true, failingSince: null, error: null});
	});

	it('aborts the poll in flight on stop', async () => {
		// An answer that never comes: only the abort ends the poll.
		const fake = fakeClient(async (_backend, _call, signal) =>
			new Promise((_resolve, reject) => {
				signal?.addEventListener('abort', () => {
					reject(new Error('aborted'));
				});
			}),
		);
		const poller = new PoolPoller({clients: [fake.client], onChange: () => undefined});
		poller.start();
		await waitFor('a call', () => fake.calls[0]);
		expect(fake.calls[0]!.signal?.aborted).toBe(false);
		poller.stop();
		expect(fake.calls[0]!.signal?.aborted).toBe(true);
	});

	it('asks for a full dump when a filtered poll sees another HAProxy process', async () => {
		let pid = 1;
		const fake = fakeClient(async (backend) => (backend ? makeInstance([snapshot(pid).backends[0]!], '/fake.sock', pid) : snapshot(pid)));
		const poller = new PoolPoller({clients: [fake.client], intervalMs: 5, clock: stillAt(1000), onChange: () => undefined});
		poller.focus(parseName('webapps', 'backend'));
		poller.start();
		await waitFor('two calls', () => (fake.calls.length >= 2 ? true : undefined));
		pid = 2;
		const seen = fake.calls.length;
		await waitFor('a full dump after the reload', () => (fake.calls.slice(seen + 1).some((call) => call.backend === undefined) ? true : undefined));
		poller.stop();
	});
});

describe('PoolPoller scope', () => {
	it('reads only the focused backend, never a full dump, when told to (the wizard)', async () => {
		const fake = fakeClient(async (backend) => (backend ? makeInstance([snapshot().backends[0]!], '/fake.sock', 1) : snapshot()));
		const poller = new PoolPoller({clients: [fake.client], intervalMs: 5, onChange: () => undefined});
		poller.focus(parseName('webapps', 'backend'), {only: true});
		poller.start();
		await waitFor('five polls', () => (fake.calls.length >= 5 ? true : undefined));
		poller.stop();
		expect(fake.calls.every((call) => call.backend === 'webapps')).toBe(true);
	});

	it('reads every focused backend each cycle (a maintenance of several servers), and shows each one\'s fresh data', async () => {
		let sessions = 0;
		const fake = fakeClient(async (backend) => {
			sessions++;
			const full = snapshot(1, sessions);
			const api = makeBackend('api', [makeServer({backend: 'api', server: 'api1', currentSessions: sessions})]);
			return backend === 'webapps' ? makeInstance([full.backends[0]!], '/fake.sock', 1) : backend === 'api' ? makeInstance([api], '/fake.sock', 1) : full;
		});
		const views: PollView[] = [];
		const poller = new PoolPoller({clients: [fake.client], intervalMs: 5, clock: stillAt(1000), onChange: (view) => views.push(view)});
		poller.focus([parseName('webapps', 'backend'), parseName('api', 'backend'), parseName('webapps', 'backend')]);
		poller.start();
		await waitFor('three cycles after the full dump', () => (fake.calls.length >= 7 ? true : undefined));
		poller.stop();
		// The full dump first, then both backends every cycle, each once (the clock stands still: no second dump).
		expect(fake.calls.slice(0, 7).map((call) => call.backend)).toEqual([undefined, 'webapps', 'api', 'webapps', 'api', 'webapps', 'api']);
		const last = views.at(-1)!.pool!.instances[0]!;
		const sessionsOf = (name: string) => last.backends.find((backend) => backend.name === name)!.servers[0]!.currentSessions;
		// Both from the last cycle: neither kept from the full dump.
		expect(sessionsOf('api')).toBe(sessionsOf('webapps') + 1);
		expect(sessionsOf('webapps')).toBeGreaterThan(1);
	});
});

describe('PoolPoller full dumps', () => {
	/**
	 * Polls the focused backend each second with `clock`; each full dump costs the next of `costs`
	 * (the fake HAProxy moves the clock on by it). Returns when each full dump started.
	 */
	async function fullDumpTimes(costs: number[]): Promise<{starts: number[]; filteredBetween: number[]}> {
		const clock = new ManualClock();
		const starts: number[] = [];
		const filtered = costs.map(() => 0);
		const fake = fakeClient(async (backend) => {
			if (backend) {
				filtered[starts.length - 1]!++;
				return makeInstance([snapshot().backends[0]!], '/fake.sock', 1);
			}

			starts.push(clock.now());
			clock.time += costs[starts.length - 1] ?? 0;
			return snapshot();
		});
		const poller = new PoolPoller({clients: [fake.client], intervalMs: 1000, maxFullIntervalMs: 30_000, clock, onChange: () => undefined});
		poller.focus(parseName('webapps', 'backend'));
		poller.start();
		try {
			while (starts.length <= costs.length) {
				await clock.fireNext();
			}
		} finally {
			poller.stop();
		}

		return {starts, filteredBetween: filtered};
	}

	const gaps = (starts: number[]) => starts.slice(1).map((start, index) => start - starts[index]!);

	it('waits 250 times the least of the last 3 dumps\' costs, between one poll interval and 30 s, polling the focused backend meanwhile', async () => {
		// Due at the first poll at least cost × 250 after the dump started; polls come one interval
		// after the previous one ended (the dump's own cost delays the first of them).
		// The first dump is cold: its cost does not count, the second comes one interval later.
		// Then the least of the last 3: 8 → 2 s; 8, 40 → 2 s; 8, 40, 200 → 2 s; 40, 200, 200 →
		// 10 s; 200 × 3 → 30 s (the most); 200, 200, 2 → 1 s; 200, 2, 1000 → 1 s.
		const {starts, filteredBetween} = await fullDumpTimes([800, 8, 40, 200, 200, 200, 2, 1000]);
		expect(gaps(starts)).toEqual([800 + 1000, 8 + 2 * 1000, 40 + 2 * 1000, 200 + 2 * 1000, 200 + 10 * 1000, 200 + 30 * 1000, 2 + 1000, 1000 + 1000]);
		expect(filteredBetween).toEqual([0, 1, 1, 1, 9, 29, 0, 0]);
	});

	it('one slow dump among cheap ones does not leave the other backends unread for 30 s', async () => {
		const {starts} = await fullDumpTimes([4, 4, 4, 4, 500, 4, 4]);
		expect(Math.max(...gaps(starts))).toBe(500 + 1000);
	});

	it('follows the cost of each dump: a dearer dump comes later, a cheaper one sooner', async () => {
		const cheap = gaps((await fullDumpTimes([4, 4])).starts);
		const dear = gaps((await fullDumpTimes([80, 80, 80])).starts);
		expect(cheap).toEqual([1004, 1004]);
		expect(dear).toEqual([1080, 20_080, 20_080]);
	});
});
