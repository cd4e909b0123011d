import {isFirstBalancing, isHashBalancing} from '../../config/backend-facts.js';
import {failed, passed, type CheckResult} from '../check-result.js';
import type {RunbookContext} from '../context.js';
import {balanceOf, formatDeltas, probePinnedBy, type TrafficEvidence} from '../traffic.js';

/** Numbers every traffic check records: the basis and its window, what was sent, the deltas of the target and the others. */
export function trafficEvidence(traffic: TrafficEvidence): CheckResult['evidence'] {
	const quiet = quietInstances(traffic);
	return {
		basis: traffic.basis,
		windowSeconds: traffic.windowSeconds,
		chosen: traffic.chosen,
		sent: traffic.attempts.length,
		succeeded: traffic.succeeded,
		failed: traffic.failed,
		targetDelta: traffic.targetDelta,
		targetPicks: traffic.targetPicks,
		othersDelta: traffic.othersDelta,
		noise: traffic.noise,
		counter: traffic.counter,
		...(traffic.confirmWindow
			? {
					confirmSeconds: traffic.confirmWindow.seconds,
					confirmTargetDelta: traffic.confirmWindow.targetDelta,
					outsideProbe: traffic.confirmWindow.outsideProbe,
					inFlightAtConfirm: traffic.confirmWindow.inFlight,
				}
			: {}),
		...(quiet.length > 0 ? {quietInstances: quiet.join(', ')} : {}),
	};
}

/**
 * With several instances, those through which no traffic at all reached the backend while the
 * check watched: traffic proves nothing of the target there (a passive load balancer, a listener
 * the probe did not go through). The end of the run names them (traffic-proof.ts's endClaim).
 */
function quietInstances(traffic: Pick<TrafficEvidence, 'perInstance'>): string[] {
	return traffic.perInstance.length < 2 ? [] : traffic.perInstance.filter((instance) => instance.target + instance.others === 0).map((instance) => instance.socket);
}

/** `requests` or, in TCP mode, `connections`. */
export function trafficNoun(traffic: Pick<TrafficEvidence, 'counter'>): string {
	return traffic.counter === 'stot' ? 'connections' : 'requests';
}

/** `10/10 succeeded; req_tot: app01 +4, app02 +3 …`, or for live traffic `Live traffic over 2.5 s (nothing sent): req_tot grew …` */
export function trafficSentence(context: RunbookContext, traffic: TrafficEvidence): string {
	const chosen = traffic.chosen ? ` (${traffic.chosen})` : '';
	if (traffic.basis === 'live') {
		return `Live traffic over ${traffic.windowSeconds} s${chosen}, nothing sent: ${traffic.counter} grew ${formatDeltas(traffic.deltas, context.target.server)}.${byInstance(context, traffic)}`;
	}

	const noun = trafficNoun(traffic);
	const named = Object.entries(traffic.servedBy).length > 0 ? ` Replies named ${formatDeltas(traffic.servedBy).replace(/\+/g, '×')}.` : '';
	const noise = traffic.noise > 0 ? ` (${traffic.noise} more than sent: other clients' traffic is counted too)` : '';
	return `${traffic.succeeded}/${traffic.attempts.length} ${noun} through ${context.probe?.url ?? '?'}${chosen} succeeded; ${traffic.counter} grew ${formatDeltas(traffic.deltas, context.target.server)}${noise}.${named}${byInstance(context, traffic)}${wholeConfirm(context, traffic)}`;
}

/**
 * A probe's confirm: the target over the whole window, the burst's apart from the rest:
 * ` Over all of confirm's 4.1 s, from its first read after the drain: s1 +52, 3 during the probe's burst, 49 outside it, which the probe did not send.`
 */
function wholeConfirm(context: RunbookContext, traffic: TrafficEvidence): string {
	const window = traffic.confirmWindow;
	if (!window) {
		return '';
	}

	const server = context.target.server;
	const start = ` Over all of confirm's ${window.seconds} s, from its first read after the drain: ${server} +${window.targetDelta}`;
	if (window.targetDelta === 0) {
		return `${start}.`;
	}

	const inFlight = window.inFlight > 0 && window.outsideProbe > 0 ? `; ${window.inFlight} ${window.inFlight === 1 ? 'was' : 'were'} in flight on it when confirm began, and may be among those` : '';
	return `${start}, ${traffic.targetDelta} during the probe's burst, ${window.outsideProbe} outside it, which the probe did not send${inFlight}.`;
}

/**
 * With several instances, each one's share: ` By instance: /run/a.sock app01 +3, others +9;
 * /run/b.sock none (no traffic there: nothing seen of app01 on it).` A sum could hide an instance
 * where the target got nothing; this says where the evidence came from.
 */
function byInstance(context: RunbookContext, traffic: TrafficEvidence): string {
	if (traffic.perInstance.length < 2) {
		return '';
	}

	const server = context.target.server;
	const parts = traffic.perInstance.map((instance) =>
		instance.target + instance.others === 0 ? `${instance.socket} none (no traffic there: nothing seen of ${server} on it)` : `${instance.socket} ${server} +${instance.target}, others +${instance.others}`,
	);
	return ` By instance: ${parts.join('; ')}.`;
}

/** The shared failure when probe traffic itself failed or counters could not be compared. */
export function trafficProblem(id: string, title: string, context: RunbookContext, traffic: TrafficEvidence): CheckResult | undefined {
	if (traffic.restarted.length > 0) {
		return failed(id, title, `HAProxy at ${traffic.restarted.join(', ')} restarted during the check; its counters restarted too and cannot be compared.`, {
			todo: 'Retry. If this repeats, HAProxy is restarting in a loop.',
			evidence: trafficEvidence(traffic),
		});
	}

	if (traffic.failed > 0) {
		return failed(id, title, `${traffic.failed} of ${traffic.attempts.length} requests through ${context.probe?.url ?? '?'} failed (first: ${traffic.firstError ?? 'unknown'}).`, {
			meaning: traffic.firstError?.includes('503') ? 'HAProxy had no server to send them to, or a server answered 5xx.' : 'The listener or the servers behind it did not answer properly.',
			todo: context.probe?.target.verifyTls && /certificate|self[- ]signed|issuer|CERT_|verify/i.test(traffic.firstError ?? '')
				? 'The listener\'s certificate did not verify: fix it, or leave out --verify-tls (the probe never leaves this host; it checks routing, not TLS).'
				: 'Check the URL (--url) and the backend before going on.',
			evidence: trafficEvidence(traffic),
		});
	}

	return undefined;
}

/**
 * When the target got none of the traffic: hash balancing may explain it; the operator may go on
 * knowingly. `hint` says what it means and what to do at the step where it is shown.
 */
export function targetGotNone(id: string, title: string, context: RunbookContext, traffic: TrafficEvidence, hint: {meaning: string; todo: string}): CheckResult {
	const algorithm = balanceOf(context) ?? '';
	const pinned = traffic.basis === 'probe' ? probePinnedBy(context) : null;
	if (pinned) {
		return failed(id, title, `${trafficSentence(context, traffic)} ${gotNone(traffic)}`, {
			meaning: `With "${pinned}", every request of this probe comes from one address, which the stick table keeps on the server it first reached: the probe may never reach the target.`,
			todo: 'Continue knowingly (journaled), or use --proof live when the backend carries real traffic.',
			override: {kind: 'acknowledge', question: `The target received none of the probe, which "${pinned}" keeps on one server. Continue anyway?`},
			evidence: trafficEvidence(traffic),
			code: 'not-serving',
		});
	}

	if (isHashBalancing(algorithm)) {
		return failed(id, title, `${trafficSentence(context, traffic)} ${gotNone(traffic)}`, {
			meaning:
				traffic.basis === 'probe'
					? `With balance ${algorithm}, one client (this probe) is hashed to one server and may never reach the target.`
					: `With balance ${algorithm}, the clients seen may all hash to other servers.`,
			todo: traffic.basis === 'probe' ? 'Continue knowingly (journaled), or probe from elsewhere.' : 'Continue knowingly (journaled), or retry when more clients are about.',
			override: {kind: 'acknowledge', question: `The target received none of the ${traffic.basis === 'probe' ? 'probe' : 'live'} traffic, as balance ${algorithm} may explain. Continue anyway?`},
			evidence: trafficEvidence(traffic),
			code: 'not-serving',
		});
	}

	if (isFirstBalancing(algorithm)) {
		return failed(id, title, `${trafficSentence(context, traffic)} ${gotNone(traffic)}`, {
			meaning: 'With balance first, every request goes to the first server (by id) with a free connection slot: the target gets traffic only when the servers before it are full, so missing it says nothing of whether it is in rotation.',
			todo: traffic.basis === 'probe' ? 'Continue knowingly (journaled), or use --proof live when the backend is busy enough to fill the servers before it.' : 'Continue knowingly (journaled), or retry when the backend is busier.',
			override: {kind: 'acknowledge', question: `The target received none of the ${traffic.basis === 'probe' ? 'probe' : 'live'} traffic, as balance first may explain. Continue anyway?`},
			evidence: trafficEvidence(traffic),
			code: 'not-serving',
		});
	}

	return failed(id, title, `${trafficSentence(context, traffic)} ${gotNone(traffic)}`, {...hint, evidence: trafficEvidence(traffic), code: 'not-serving'});
}

/** `The target got none.`, or with several instances where it served on some: on which it got none of their traffic. */
function gotNone(traffic: TrafficEvidence): string {
	const where = traffic.perInstance.filter((instance) => instance.target === 0 && instance.others > 0).map((instance) => instance.socket);
	return traffic.targetDelta > 0 && where.length > 0 ? `The target got none of the traffic of ${where.join(', ')}: it is not in rotation there.` : 'The target got none.';
}

export function trafficPassed(id: string, title: string, context: RunbookContext, traffic: TrafficEvidence): CheckResult {
	return passed(id, title, trafficSentence(context, traffic), {evidence: trafficEvidence(traffic)});
}
