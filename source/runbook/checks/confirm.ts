import {drainSet, inMaintenance, isRunning} from '../../model/server-condition.js';
import {formatTarget} from '../../runtime/names.js';
import {failed, passed, warned, type CheckResult} from '../check-result.js';
import type {RunbookContext, RunbookIo} from '../context.js';
import {everywhere, perInstance, readTarget, readTargetPatiently, unreachableLine, type TargetView} from '../read-target.js';
import {agentAgain, agentStartedByReload, reloadedSince, type Reloaded} from '../reloaded.js';
import {drainReplacedEvidence} from '../resume.js';
import {outageFailure, outageIn, stopsAtOutage, type Outage} from '../outage.js';
import {Cancelled, changeState} from '../state-change.js';
import type {CheckDefinition} from '../step-definition.js';
import {counterFor, readCounters} from '../traffic.js';
import {downAtBaseline, trafficProof} from './traffic-proof.js';

/**
 * Where a probe may prove confirm (`--proof probe`, or auto's choice), the window it judges begins
 * here, at confirm's first read: the target's counter over all of confirm, not only the burst's,
 * shows clients still reaching it (sticky ones) between the drain and the probe.
 */
export async function openConfirmWindow(context: RunbookContext, io: Pick<RunbookIo, 'dispatch' | 'signal'>, {early = false}: {early?: boolean} = {}): Promise<void> {
	const opened = context.facts.confirmFrom;
	if (!early && opened?.early) {
		// Opened for every server of the maintenance at once: this confirm judges from there.
		io.dispatch({type: 'facts-learned', facts: {confirmFrom: {...opened, early: false}}});
		return;
	}

	if (context.options.proof !== 'live' && context.probe) {
		const counters = await readCounters(context, counterFor(context, context.probe), io.signal);
		io.dispatch({type: 'facts-learned', facts: {confirmFrom: {counters, at: context.clock.now(), early}}});
	}
}

const drainBit: CheckDefinition = {
	id: 'drain-bit',
	title: 'Drain bit set',
	async run(context, io) {
		await openConfirmWindow(context, io);
		let views = await readTarget(context, io.signal);
		const missing = views.filter((view) => !drainSet(view.server));
		if (missing.length > 0) {
			const flags = missing.map((view) => perInstance(context, view.socket, `admin flags ${view.server?.adminFlags.join('+') || 'none'}`)).join('; ');
			try {
				await changeState(context, io, 'confirm', {kind: 'state', state: 'drain'}, `HAProxy does not show the drain (${flags}): someone set it back, or HAProxy reloaded. Send the drain again?`);
			} catch (error) {
				if (error instanceof Cancelled) {
					return failed(this.id, this.title, `HAProxy does not show the drain bit on ${formatTarget(context.target)} (${flags}).`, {
						meaning: 'The target is back in rotation: someone set it ready, or HAProxy reloaded without a server-state file.',
						todo: 'Retry to send the drain again.',
					});
				}

				throw error;
			}

			io.dispatch({type: 'facts-learned', facts: {drainSetAt: context.clock.now()}});
			await openConfirmWindow(context, io);
			views = await readTarget(context, io.signal);
		}

		const notDrained = views.find((view) => !drainSet(view.server));
		if (notDrained) {
			return failed(this.id, this.title, perInstance(context, notDrained.socket, `the drain was sent again but HAProxy still shows admin flags ${notDrained.server?.adminFlags.join('+') || 'none'}.`), {
				todo: 'Look at the grid: something else changes this server.',
			});
		}

		// The processes that hold the drain now: a later read from another one was reloaded or restarted.
		io.dispatch({
			type: 'facts-learned',
			facts: {drainReadOn: views.map((view) => ({socket: view.socket, pid: view.snapshot.instance.pid, startTime: view.snapshot.instance.startTime, agentCheck: view.server?.agentCheck ?? 'none'}))},
		});
		const down = views.filter((view) => view.server && !isRunning(view.server));
		if (down.length > 0) {
			const server = down[0]!.server!;
			return warned(this.id, this.title, `FDRAIN (0x08) is set, but the server is ${server.opStateName.toUpperCase()} now (check ${server.checkStatus ?? 'none'}): it was drained, and is also failing its health check.`, {
				meaning: downAtBaseline(context) ? 'It gets no traffic either way; it was down before the drain too (--allow-down).' : 'It gets no traffic either way; the service on it went down after the drain.',
			});
		}

		return passed(this.id, this.title, `FDRAIN (0x08) is set and the server is still RUNNING (op state 2)${everywhere(context)}: out of rotation by the drain, not by a failure.`);
	},
};

const drainHolds: CheckDefinition = {
	id: 'drain-holds',
	title: 'Drain holds',
	async run(context, io) {
		const {holdMs} = context.options;
		// A drain found on resumption (set by someone else) has no known time: it is watched from now,
		// or from the read that saw it drained when a maintenance of several servers began its confirm.
		const setAt = context.facts.drainSetAt ?? context.facts.drainSentAt;
		const seenAt = setAt === null ? context.facts.drainSeenAt : null;
		const since = setAt ?? seenAt ?? context.clock.now();
		const seconds = (held: number) => Math.round(held / 100) / 10;
		let reads = seenAt === null ? 0 : 1;
		for (;;) {
			const views = await readTarget(context, io.signal);
			reads++;
			const held = context.clock.now() - since;
			const undone = views.find((view) => !drainSet(view.server));
			if (undone?.server && inMaintenance(undone.server)) {
				return failed(this.id, this.title, perInstance(context, undone.socket, `the drain was replaced ${setAt === null ? `within ${seconds(held)} s of watching` : `${seconds(held)} s after it was set`}: HAProxy shows ${formatTarget(context.target)} in maintenance now (admin flags ${undone.server.adminFlags.join('+') || 'none'}).`), {
					meaning: 'Someone or something else put the server into maintenance (set server … state maint): it is out of rotation, but not by this drain.',
					todo: 'Find who did it before going on: they may be working on it. Retry sends the drain again once they are done.',
					// Journaled: a drain HAProxy shows later is not this maintenance's (resume.ts).
					evidence: {reads, heldMs: held, ...drainReplacedEvidence},
				});
			}

			const reloaded = undone ? reloadedSince(context, [undone]) : [];
			if (undone && reloaded.length > 0) {
				return droppedByReload(this, context, views, undone, reloaded[0]!, {when: setAt === null ? `within ${seconds(held)} s of watching` : `${seconds(held)} s after the drain was set`, evidence: {reads, heldMs: held}});
			}

			if (undone) {
				const server = undone.server;
				const agent = server?.agentCheck === 'enabled' ? ' Its agent-check is enabled: an agent answering "ready" sets it back.' : '';
				return failed(this.id, this.title, perInstance(context, undone.socket, `the drain was undone ${setAt === null ? `within ${Math.round(held / 100) / 10} s of watching` : `${Math.round(held / 100) / 10} s after it was set`}: HAProxy shows admin flags ${server?.adminFlags.join('+') || 'none'} now.${agent}`), {
					meaning: 'Something sets the server back into rotation on its own: an agent-check, a script, or another operator.',
					todo: 'Find what does it and stop it, then retry: the drain is sent again.',
					evidence: {reads, heldMs: held},
				});
			}

			// Headless, nothing serving the backend now is not watched for the rest of the hold: the run puts the target back.
			const outage = stopsAtOutage(context) ? await outageIn(context, views, io.signal) : null;
			if (outage) {
				return {...outageFailure(this.id, this.title, context, outage, `The drain holds ${seconds(held)} s after it was set, but`), evidence: {reads, heldMs: held}};
			}

			if ((held >= holdMs && reads >= 2) || io.signal?.aborted) {
				return passed(this.id, this.title, `HAProxy still shows FDRAIN ${setAt === null ? `after ${seconds(held)} s of watching (${reads} reads; the drain was set outside this maintenance)` : `${seconds(held)} s after the drain was set (${reads} reads)`}${everywhere(context)}: nothing undoes it.`, {evidence: {reads, heldMs: held}});
			}

			// Held long enough already (a drain set before this run), one more read is awaited: not "8 s of 3 s".
			io.dispatch({type: 'live-updated', step: 'confirm', lines: [`Watching the drain hold: ${Math.floor(Math.min(held, holdMs) / 1000)} s of ${holdMs / 1000} s`]});
			await context.clock.sleep(Math.min(500, Math.max(50, since + holdMs - context.clock.now())), io.signal);
		}
	},
};

/**
 * The drain gone from an instance whose HAProxy process changed since the drain was read set: the
 * reload (or restart) dropped it, since no server-state file kept it; neither an agent, a script nor
 * an operator. The journal's entries name the new process from here on.
 */
function droppedByReload(check: CheckDefinition, context: RunbookContext, views: readonly TargetView[], undone: TargetView, reloaded: Reloaded, {when, evidence}: {when: string; evidence: Record<string, number>}): CheckResult {
	context.journal.setContext(
		formatTarget(context.target),
		views.map((view) => ({socket: view.socket, pid: view.snapshot.instance.pid, version: view.snapshot.instance.version, startTime: view.snapshot.instance.startTime})),
	);
	const flags = undone.server?.adminFlags.join('+') || 'none';
	const agent = agentStartedByReload(context, undone) ? ` ${agentAgain}` : '';
	return failed(
		check.id,
		check.title,
		perInstance(
			context,
			undone.socket,
			`HAProxy was reloaded or restarted (pid ${reloaded.pidBefore} → ${reloaded.pidAfter}) ${when}, and the new process does not have the drain (no server-state file kept it): it shows admin flags ${flags}.${agent}`,
		),
		{
			meaning: 'A reload or restart drops runtime changes that no server-state file keeps: no agent-check, script or operator undid the drain.',
			todo: 'Retry to send the drain again; to keep drains across reloads, set up a server-state file (README, "Keep drains across reloads").',
			evidence: {...evidence, pidBefore: reloaded.pidBefore, pidAfter: reloaded.pidAfter},
		},
	);
}

const trafficMoved = trafficProof({
	id: 'traffic-moved',
	title: 'New traffic goes elsewhere',
	step: 'confirm',
	expect: 'target-idle',
});

const sessionsQuiet: CheckDefinition = {
	id: 'sessions-quiet',
	title: 'Sessions quiet',
	async run(context, io) {
		const started = context.clock.now();
		/** The rest of the backend gone down, headless, as the last read showed it ({@link outageIn}). */
		let outage: Outage | null = null;
		/** Sessions on the target over every instance; null while HAProxy does not answer. */
		const sessionsNow = async () => {
			const views = await readTargetPatiently(context, io.signal);
			outage = views !== null && stopsAtOutage(context) ? await outageIn(context, views, io.signal) : null;
			return views === null ? null : views.reduce((sum, view) => sum + (view.server?.currentSessions ?? 0), 0);
		};

		let current = await sessionsNow();
		let peak = current ?? 0;
		while (current !== 0 && outage === null && context.clock.now() - started < context.options.quietTimeoutMs && !io.signal?.aborted) {
			const waited = Math.round((context.clock.now() - started) / 1000);
			const line = current === null ? unreachableLine : `Sessions on ${context.target.server}: ${current}`;
			io.dispatch({type: 'live-updated', step: 'confirm', lines: [`${line} (waited ${waited} s of ${context.options.quietTimeoutMs / 1000} s)`]});
			await context.clock.sleep(500, io.signal);
			current = await sessionsNow();
			peak = Math.max(peak, current ?? 0);
		}

		if (outage !== null) {
			// Waiting for the sessions to end would keep the backend empty: the run puts the target back instead.
			return {...outageFailure(this.id, this.title, context, outage, current ? `${current} session(s) still open on the target after ${Math.round((context.clock.now() - started) / 1000)} s, and` : ''), evidence: {sessions: current ?? 0}};
		}

		let sessions = current ?? (await readTarget(context, io.signal)).reduce((sum, view) => sum + (view.server?.currentSessions ?? 0), 0);

		const waited = Math.round((context.clock.now() - started) / 1000);
		if (sessions === 0) {
			return passed(this.id, this.title, peak === 0 ? `No sessions open on the target${everywhere(context)}.` : `Sessions on the target fell from ${peak} to 0 in ${waited} s${everywhere(context)}.`, {evidence: {peakSessions: peak, waitedSeconds: waited}});
		}

		const observed = `${sessions} session(s) still open on the target after ${waited} s.`;
		if (!context.options.interactive) {
			return failed(this.id, this.title, observed, {
				meaning: 'Long-lived connections (websockets, downloads, keep-alive) are still using the server.',
				todo: 'Retry with a longer --quiet-timeout, or close them from the interactive wizard.',
				evidence: {sessions, waitedSeconds: waited},
			});
		}

		try {
			await changeState(context, io, 'confirm', {kind: 'shutdown-sessions'}, `${observed} Closing them cuts those users' connections; their clients reconnect to other servers.`);
		} catch (error) {
			if (error instanceof Cancelled) {
				return failed(this.id, this.title, observed, {todo: 'Retry to wait again, or close them when asked.', evidence: {sessions, waitedSeconds: waited}});
			}

			throw error;
		}

		const deadline = context.clock.now() + 5000;
		sessions = (await sessionsNow()) ?? sessions;
		while (sessions > 0 && context.clock.now() < deadline && !io.signal?.aborted) {
			await context.clock.sleep(250, io.signal);
			sessions = (await sessionsNow()) ?? sessions;
		}

		return sessions === 0
			? passed(this.id, this.title, `${observed} Closed with "shutdown sessions server" (journaled); now 0.`, {evidence: {closedSessions: peak}})
			: failed(this.id, this.title, `${sessions} session(s) remain even after "shutdown sessions server".`, {todo: 'Retry.'});
	},
};

/**
 * The drain first, read until a few seconds after it was set (an agent-check undoes it within
 * its interval). Sessions next: requests already in flight to the target when the drain landed still complete
 * and count in its req_tot. Once its sessions are gone, any growth is new traffic.
 */
export const confirmChecks: CheckDefinition[] = [drainBit, drainHolds, sessionsQuiet, trafficMoved];
