import type {PollView} from '../poll/pool-poller.js';
import {drainSet, isHealthy, outOfRotation, summarizeBackend} from '../model/server-condition.js';
import type {Backend, Instance, Server} from '../model/types.js';
import {formatTarget, type Target} from '../runtime/names.js';
import {clockTime} from '../time-format.js';
import {anotherProcess} from './reloaded.js';
import type {Alarm} from './state.js';

/** What one poll saw of the target on one instance. */
export type Observation = {
	socket: string;
	at: number;
	/** Null when HAProxy did not answer. */
	instance: Instance | null;
	server: Server | null;
};

/** What the wizard expects of the target right now. */
/** What the wizard expects of the target; `restoring`: its restore is under way (a lost drain is then nothing to put back). */
type Expectation = {target: Target; drained: boolean; restoring?: boolean};

/** `drainBack`: the drain this maintenance expects is on again after it was gone (put back by r, or set by someone else). */
type AlarmChanges = {raise: Alarm[]; clear: string[]; drainBack?: boolean};


/** The target shows the admin state the wizard expects: drained or not as expected, and not in maintenance (false when it is not listed). */
const asExpected = (server: Server | null, expectation: Expectation) => server !== null && expectation.drained === drainSet(server) && !server.adminFlags.includes('FMAINT');

/**
 * Follows the target on one instance, poll after poll, and says what the operator must know:
 * HAProxy unreachable or back; another HAProxy process, with the drain lost or kept (reloaded or
 * restarted, not told apart: a reload on a loaded host misses polls too, and a restart can fall
 * between two polls); the target's admin state changed by someone else; the target gone.
 * No I/O: the caller polls and feeds observations.
 */
export class TargetWatch {
	private previous: Observation | undefined;
	private lastReachable: Observation | undefined;
	/**
	 * The id of the alarm that said the drain was gone (lost, with r offered, or replaced by
	 * someone's maintenance), until a poll reads the drain back.
	 */
	private lost: string | undefined;

	observe(current: Observation, expectation: Expectation): AlarmChanges {
		const changes = this.compare(current, expectation);
		const settled = asExpected(current.server, expectation);
		const raisedLost = expectation.drained ? changes.raise.find((alarm) => alarm.reapply || alarm.drainGone) : undefined;
		if (raisedLost) {
			this.lost = raisedLost.id;
		} else if (this.lost && settled && changes.raise.length === 0) {
			// The drain is back (re-applied by r, by a step's prompt, or by someone else): the alarm
			// and its offer to re-apply are withdrawn, as r withdraws them (the journal keeps the alarm),
			// and the caller learns the target was out of this drain meanwhile.
			changes.clear.push(this.lost);
			// Only a drain read back counts: at restore, the wizard may have come to expect the target in rotation.
			if (expectation.drained && drainSet(current.server)) {
				changes.drainBack = true;
			}

			this.lost = undefined;
		}

		this.previous = current;
		if (current.instance) {
			this.lastReachable = current;
		}

		return changes;
	}

	private compare(current: Observation, expectation: Expectation): AlarmChanges {
		const target = formatTarget(expectation.target);
		const id = (kind: string) => `${kind}:${current.socket}`;
		const alarm = (kind: Alarm['kind'], message: string, reapply = false, drainGone = false): Alarm => ({
			id: id(kind),
			kind,
			socket: current.socket,
			message,
			at: current.at,
			...(reapply ? {reapply} : {}),
			...(drainGone ? {drainGone} : {}),
		});
		if (!current.instance) {
			const already = this.previous !== undefined && !this.previous.instance;
			return {raise: already ? [] : [alarm('unreachable', `HAProxy at ${current.socket} does not answer since ${clockTime(current.at)}; the wizard waits and keeps its place.`)], clear: []};
		}

		const clear = [id('unreachable')];
		if (!current.server) {
			return {raise: [alarm('target-missing', `${target} is gone from HAProxy at ${current.socket} (removed, or reloaded without it).`)], clear};
		}

		clear.push(id('target-missing'));
		const known = this.lastReachable?.instance;
		if (known && anotherProcess(known, current.instance)) {
			const lost = expectation.drained && !drainSet(current.server);
			const drain = expectation.drained
				? lost
					? `The drain is gone: ${expectation.target.server} is back in rotation. Press r to re-apply it.`
					: 'The drain survived (restored from the server-state file).'
				: 'Runtime changes not saved in a server-state file are gone, and all counters restarted.';
			return {raise: [alarm('reload', `HAProxy at ${current.socket} was reloaded or restarted (pid ${known.pid} → ${current.instance.pid}). ${drain}`, lost)], clear};
		}

		const before = this.lastReachable?.server;
		if (before && before.adminState !== current.server.adminState) {
			if (!asExpected(current.server, expectation)) {
				const lost = expectation.drained && !drainSet(current.server);
				const now = current.server.adminFlags.length > 0 ? current.server.adminFlags.join('+') : 'ready (no admin flags)';
				// At restore, someone else's ready is the end of the drain, not a drain to put back. A drain
				// replaced by someone's maintenance (FMAINT) is theirs now: "state drain" would clear it.
				const backInRotation = expectation.restoring && !outOfRotation(current.server);
				const theirs = current.server.adminFlags.includes('FMAINT');
				const then = !lost
					? ''
					: backInRotation
						? ' It is back in rotation, not by this restore: the restore sends nothing now.'
						: theirs
							? " Someone's maintenance now: drainboard does not drain it again, as a drain would end it."
							: ' Press r to re-apply the drain.';
				return {
					raise: [alarm('external-change', `Someone else changed ${target} on ${current.socket}: it is ${now} now, was ${before.adminFlags.join('+') || 'ready'}.${then}`, lost && !backInRotation && !theirs, lost)],
					clear,
				};
			}
		}

		return {raise: [], clear};
	}
}

/** A {@link TargetWatch} per instance, fed with whole poll views: alarms name their instance. */
export class PoolWatch {
	private readonly watches = new Map<string, TargetWatch>();
	/** The instances where the target's backend had no server serving at the last poll. */
	private readonly down = new Set<string>();

	observe(view: Pick<PollView, 'pool' | 'health'>, expectation: Expectation, at = Date.now()): AlarmChanges {
		const changes: AlarmChanges = {raise: [], clear: []};
		const {target} = expectation;
		for (const health of view.health) {
			const snapshot = view.pool?.instances.find((candidate) => candidate.instance.socket === health.socket);
			const server = snapshot?.backends.find((backend) => backend.name === target.backend)?.servers.find((candidate) => candidate.server === target.server) ?? null;
			let watch = this.watches.get(health.socket);
			if (!watch) {
				watch = new TargetWatch();
				this.watches.set(health.socket, watch);
			}

			const one = watch.observe({socket: health.socket, at, instance: health.ok && snapshot ? snapshot.instance : null, server: health.ok ? server : null}, expectation);
			changes.raise.push(...one.raise);
			changes.clear.push(...one.clear);
			if (one.drainBack) {
				changes.drainBack = true;
			}

			const backend = health.ok ? snapshot?.backends.find((candidate) => candidate.name === target.backend) : undefined;
			if (backend) {
				this.backendDown(health.socket, backend, server, expectation, at, changes);
			}
		}

		return changes;
	}

	/**
	 * While this maintenance has the target drained, the rest of its backend going down is an
	 * outage the operator can shorten: said once when it starts (with whether the target could take
	 * traffic again), withdrawn when a server serves again.
	 */
	private backendDown(socket: string, backend: Backend, server: Server | null, expectation: Expectation, at: number, changes: AlarmChanges): void {
		const id = `backend-down:${socket}`;
		const none = expectation.drained && summarizeBackend(backend).noneServing;
		if (!none) {
			if (this.down.delete(socket)) {
				changes.clear.push(id);
			}

			return;
		}

		if (this.down.has(socket)) {
			return;
		}

		this.down.add(socket);
		const label = formatTarget(expectation.target);
		const target = server && isHealthy(server)
			? `${label}, drained by this maintenance, is healthy: b brings it back now (restore: its health, then ready, asked first).`
			: `${label}, drained by this maintenance, is not healthy either.`;
		changes.raise.push({id, kind: 'backend-down', socket, at, message: `${backend.name} has no server serving on ${socket}: clients get errors now. ${target}`});
	}
}
