/** What a traffic check expects: the target serves (baseline, restore), or new traffic goes elsewhere (confirm). */
export type Expectation = 'target-serves' | 'target-idle';

/** Where traffic proof comes from: real clients' requests counted by HAProxy, or requests drainboard sent. */
export type TrafficBasis = 'live' | 'probe';

/** Counter growth over a window: the target's, the other servers' (summed over instances), and lbtot's on the target. */
type TrafficSample = {targetDelta: number; othersDelta: number; targetPicks: number; perInstance?: ReadonlyArray<{target: number; others: number; lastSession?: number | null}>};

/**
 * What the numbers say:
 * - `pass`: what the check expects;
 * - `target-none`: the target should serve, but got none while the others got enough (live, with
 *   several instances: on any one instance);
 * - `target-picked`: the target should be out of rotation, but load balancing still picks it;
 * - `sticky`: load balancing never picked the target, yet requests reached it: persistent
 *   clients (cookie, stick table, use-server) that the drain keeps on it by design;
 * - `probe-missed`: fewer requests reached the backend (by its counters) than the probe had
 *   answered: some went to another backend, or HAProxy answered them itself, so the probe's
 *   numbers prove nothing about the target (a probe only; other clients' requests can hide this
 *   only by being counted, and then the counters still tell the truth about the servers);
 * - `too-little`: live traffic too thin to tell (the window is over);
 * - `wait`: live traffic too thin so far (the window goes on).
 */
type TrafficJudgement = 'pass' | 'target-none' | 'target-picked' | 'sticky' | 'probe-missed' | 'too-little' | 'wait';

/** How the traffic was had: live (nothing sent), or a probe burst and how many of its requests were answered. */
type TrafficHow =
	| {
			basis: 'live';
			requests: number;
			final: boolean;
			/** With several instances: one whose backend had a session this many seconds ago or less carries traffic, and is waited for. */
			activeWithinSeconds?: number;
	  }
	| {basis: 'probe'; requests: number; final: boolean; succeeded: number};

/**
 * Judges a sample. Probe traffic is judged once (its burst is the whole window). Live traffic is
 * judged at each read: it ends as soon as the evidence is enough, and with `final` (the window
 * over) thin traffic is `too-little`. `requests` is how many new requests the other servers must
 * serve for "new traffic goes elsewhere" to be shown by live traffic (and, with the target
 * silent, for "the target got none" to mean something).
 */
export function judgeTraffic(expect: Expectation, sample: TrafficSample, how: TrafficHow): TrafficJudgement {
	const {targetDelta, othersDelta, targetPicks} = sample;
	if (how.basis === 'probe' && targetDelta + othersDelta < how.succeeded) {
		return 'probe-missed';
	}

	const final = how.basis === 'probe' || how.final;
	const enough = how.basis === 'probe' || othersDelta >= how.requests;
	if (expect === 'target-serves') {
		// Live, with several instances: one whose other servers served enough while its target got none
		// shows the target out of rotation there (a weight of 0, a drain left), whatever the others show.
		// One that carries traffic (some in this window, or a session within the last activeWithinSeconds)
		// and has not given the target any yet is waited for (the window ends it): the first read can
		// come before its next request. One with no traffic (a passive load balancer) is not.
		const instances = how.basis === 'live' && (sample.perInstance?.length ?? 0) > 1 ? sample.perInstance! : [];
		if (instances.some((instance) => instance.target === 0 && instance.others >= how.requests)) {
			return 'target-none';
		}

		const active = how.basis === 'live' ? (how.activeWithinSeconds ?? 0) : 0;
		const carries = (instance: (typeof instances)[number]) => instance.others > 0 || (typeof instance.lastSession === 'number' && instance.lastSession <= active);
		if (targetDelta > 0 && !how.final && instances.some((instance) => instance.target === 0 && carries(instance))) {
			return 'wait';
		}

		if (targetDelta > 0) {
			return 'pass';
		}

		return enough ? 'target-none' : final ? 'too-little' : 'wait';
	}

	if (targetDelta > 0 && targetPicks > 0) {
		return 'target-picked';
	}

	if (enough) {
		return targetDelta > 0 ? 'sticky' : 'pass';
	}

	return final ? (targetDelta > 0 ? 'sticky' : 'too-little') : 'wait';
}

/** Requests per second over a window, one decimal (`4.5`). */
export function ratePerSecond(delta: number, windowMs: number): number {
	return windowMs <= 0 ? 0 : Math.round((delta * 10_000) / windowMs) / 10;
}
