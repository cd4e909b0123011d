import {isFirstBalancing, isHashBalancing} from '../../config/backend-facts.js';
import {counted} from '../../counted.js';
import {failed, warned, type CheckResult} from '../check-result.js';
import type {RunbookContext, RunbookIo} from '../context.js';
import {outageFailure, restWentDown, stopsAtOutage} from '../outage.js';
import {sampleBackend, watchLiveTraffic} from '../live-traffic.js';
import type {CheckDefinition} from '../step-definition.js';
import type {StepId} from '../steps.js';
import {judgeTraffic, type Expectation} from '../traffic-judge.js';
import {balanceOf, compareCounters, measureTraffic, notFromProbe, probePinnedBy, readCounters, type ConfirmWindow, type TrafficEvidence} from '../traffic.js';
import {targetGotNone, trafficEvidence, trafficNoun, trafficPassed, trafficProblem, trafficSentence} from './traffic-checks.js';

/** A traffic check: where it runs, what it expects, and its words for the outcomes that differ by step. */
type TrafficProofSpec = {
	id: string;
	title: string;
	step: StepId;
	expect: Expectation;
	/** The target should serve but got none: what that means here, and what to do (baseline reads the target to say). */
	whyNone?: (context: RunbookContext, io: RunbookIo) => Promise<{meaning: string; todo: string}>;
};

/**
 * The one "measure then judge" traffic check of baseline, confirm and restore: measures with the
 * proof asked for (live counters, a probe burst, or auto's choice between them), then judges the
 * deltas with {@link judgeTraffic}.
 */
export function trafficProof(spec: TrafficProofSpec): CheckDefinition {
	return {
		id: spec.id,
		title: spec.title,
		async run(context, io) {
			const traffic = await measure(context, io, spec);
			if (typeof traffic === 'string') {
				return failed(spec.id, spec.title, traffic, {
					todo: 'Give the listener with --url (with --host and --path when it routes by them; drainboard routes shows what it derives), or use --proof live when the backend carries real traffic.',
				});
			}

			const problem = trafficProblem(spec.id, spec.title, context, traffic) ?? (traffic.confirmWindow?.restarted.length ? trafficProblem(spec.id, spec.title, context, {...traffic, restarted: traffic.confirmWindow.restarted}) : undefined);
			// At confirm, the rest of the backend gone down (seen by the live watch, or why the probe failed) is what failed, whatever was measured.
			const outage = spec.step === 'confirm' && (problem !== undefined || traffic.basis === 'live') && (stopsAtOutage(context) || traffic.failed > 0) ? await restWentDown(context, io.signal) : null;
			if (outage) {
				return {...outageFailure(spec.id, spec.title, context, outage, problem?.observed), evidence: trafficEvidence(traffic)};
			}

			if (problem) {
				return problem;
			}

			const judgement = judgeWindow(traffic, judgeTraffic(spec.expect, traffic, traffic.basis === 'probe' ? {basis: 'probe', requests: context.options.requests, final: true, succeeded: traffic.succeeded} : {basis: 'live', requests: context.options.requests, final: true}));
			switch (judgement) {
				case 'pass': {
					return (spec.expect === 'target-idle' ? unprovenMiss(spec, context, traffic) : undefined) ?? trafficPassed(spec.id, spec.title, context, traffic);
				}

				case 'target-none': {
					return targetGotNone(spec.id, spec.title, context, traffic, (await spec.whyNone?.(context, io)) ?? {meaning: 'The target is not in rotation.', todo: 'Look at it in the grid; retry.'});
				}

				case 'target-picked': {
					const picks = Math.max(traffic.targetPicks, traffic.confirmWindow?.targetPicks ?? 0);
					return failed(spec.id, spec.title, `${trafficSentence(context, traffic)} The target still got ${traffic.targetDelta + notFromProbe(traffic)}. Load balancing picked it ${picks} time(s).`, {
						meaning: 'The drain does not keep new traffic away from the target.',
						todo: 'Check every HAProxy instance in front of this server; retry.',
						evidence: trafficEvidence(traffic),
					});
				}

				case 'sticky': {
					return stickyClients(spec, context, traffic);
				}

				case 'probe-missed': {
					return probeMissed(spec, context, traffic);
				}

				default: {
					return tooLittle(spec, context, traffic);
				}
			}
		},
	};
}

/**
 * A probe's confirm judged over the whole confirm window: what reached the target outside the
 * burst (not in flight when confirm began) is not the probe's, and counts as it would in the burst:
 * picked by load balancing (the drain does not hold), else held there by persistence (sticky).
 * A burst that itself proves nothing (`probe-missed`) keeps its judgement.
 */
function judgeWindow(traffic: TrafficEvidence, burst: ReturnType<typeof judgeTraffic>): ReturnType<typeof judgeTraffic> {
	const window = traffic.confirmWindow;
	if (!window || (burst !== 'pass' && burst !== 'sticky' && burst !== 'target-picked')) {
		return burst;
	}

	return judgeTraffic('target-idle', {targetDelta: traffic.targetDelta + notFromProbe(traffic), othersDelta: traffic.othersDelta, targetPicks: Math.max(traffic.targetPicks, window.targetPicks)}, {basis: 'probe', requests: 0, final: true, succeeded: 0});
}

/** With a confirm window open (confirm.ts), a probe's burst and then a read: the target's growth over all of confirm, apart from the burst's. */
async function measureProbe(context: RunbookContext, io: RunbookIo, spec: TrafficProofSpec, chosen: string | null): Promise<TrafficEvidence> {
	const traffic = await measureTraffic(context, io, context.options.requests, chosen, spec.expect === 'target-serves');
	const from = spec.expect === 'target-idle' ? context.facts.confirmFrom : null;
	if (!from) {
		return traffic;
	}

	const whole = compareCounters(from.counters, await readCounters(context, traffic.counter, io.signal), context.target.server);
	const inFlight = from.counters.filter((instance) => !whole.restarted.includes(instance.socket)).reduce((sum, instance) => sum + (instance.targetSessions ?? 0), 0);
	const confirmWindow: ConfirmWindow = {
		seconds: Math.round((context.clock.now() - from.at) / 100) / 10,
		targetDelta: whole.targetDelta,
		targetPicks: whole.targetPicks,
		outsideProbe: Math.max(0, whole.targetDelta - traffic.targetDelta),
		inFlight,
		restarted: whole.restarted,
	};
	return {...traffic, confirmWindow};
}

async function measure(context: RunbookContext, io: RunbookIo, spec: TrafficProofSpec): Promise<TrafficEvidence | string> {
	const {proof, requests} = context.options;
	if (proof === 'live') {
		return watchLiveTraffic(context, io, {step: spec.step, expect: spec.expect, chosen: null});
	}

	if (proof === 'auto') {
		const sample = await sampleBackend(context, io, spec.step);
		const seen =
			sample.idle === undefined
				? `the backend served ${sample.served} in ${sample.seconds} s`
				: sample.idle === null
					? 'HAProxy shows no session on the backend since it started'
					: `HAProxy shows the backend's last session ${sample.idle} s ago`;
		if (sample.busy) {
			return watchLiveTraffic(context, io, {step: spec.step, expect: spec.expect, chosen: `--proof auto chose live: ${seen}`, from: sample.from});
		}

		if (!context.probe) {
			return `Too little live traffic for --proof auto (${seen}, ${requests} needed), and no listener URL to probe instead: ${context.probeSource}.`;
		}

		return measureProbe(context, io, spec, `--proof auto chose a probe: ${seen}${sample.idle === undefined ? `, fewer than ${requests}` : ''}`);
	}

	if (!context.probe) {
		return `No listener URL for backend ${context.target.backend}: ${context.probeSource}.`;
	}

	return measureProbe(context, io, spec, null);
}

/**
 * Why this probe would miss the target whether or not it is in rotation: held on one server by its
 * one address (`stick on src`), hashed to one (`balance source`, `uri`…), or sent to the first
 * (`balance first`); null when its requests are balanced afresh.
 */
function probeHeldBy(context: RunbookContext): string | null {
	const pinned = probePinnedBy(context);
	if (pinned) {
		return `"${pinned}" keeps this probe's one address on one server`;
	}

	const algorithm = balanceOf(context) ?? '';
	return isHashBalancing(algorithm) ? `balance ${algorithm} hashes this one client to one server` : isFirstBalancing(algorithm) ? 'balance first sends it to the first server with room' : null;
}

/** How this maintenance's baseline saw the probe reach the target: `reached`, or in words why it was not seen to. */
function baselineReach(context: RunbookContext): 'reached' | string {
	const baseline = context.store.getState().steps.baseline.checks.find((check) => check.id === 'baseline-traffic');
	const evidence = baseline?.evidence;
	if (!baseline || !evidence) {
		return 'this run has no baseline of it';
	}

	if (evidence['basis'] === 'live') {
		return 'its baseline was proven by real clients, and this probe was not seen reaching it';
	}

	return Number(evidence['targetDelta']) > 0 ? 'reached' : `at baseline it got none of the probe's ${String(evidence['sent'])} ${trafficNoun({counter: evidence['counter'] === 'stot' ? 'stot' : 'req_tot'})}`;
}

/** The baseline's traffic check was skipped: --allow-down took a target that was DOWN or in maintenance (baseline.ts). */
export function downAtBaseline(context: RunbookContext): boolean {
	return context.store.getState().steps.baseline.checks.some((check) => check.id === 'baseline-traffic' && check.verdict === 'skip');
}

/**
 * Confirm by a probe that never reached the target before the drain: that it misses the target
 * now proves nothing. The drain is in place (HAProxy shows it), so nothing blocks; the check warns,
 * and the end of the run does not claim a proof (traffic-proof.ts's endClaim).
 */
function unprovenMiss(spec: TrafficProofSpec, context: RunbookContext, traffic: TrafficEvidence): CheckResult | undefined {
	if (downAtBaseline(context)) {
		return warned(spec.id, spec.title, `${trafficSentence(context, traffic)} The target got none of it, but it was not serving before the drain either (its baseline was skipped with --allow-down): that it gets none now proves nothing of the drain.`, {
			meaning: 'HAProxy shows the drain (FDRAIN), so load balancing will not pick it when its health check passes again; traffic cannot show that while it is down.',
			evidence: {...trafficEvidence(traffic), servedAtBaseline: false},
		});
	}

	const held = traffic.basis === 'probe' ? probeHeldBy(context) : null;
	const reach = held ? baselineReach(context) : 'reached';
	if (reach === 'reached') {
		return undefined;
	}

	return warned(spec.id, spec.title, `${trafficSentence(context, traffic)} The target got none of them, but this probe was never seen reaching it before the drain either (${reach}; ${held}): its missing the target now does not prove it out of rotation.`, {
		meaning: 'HAProxy shows the drain (FDRAIN), so load balancing no longer picks it; traffic has not shown it, and clients held on it (persistence) would not show in this probe.',
		todo: 'Use --proof live when the backend carries real traffic, or a probe (--url) whose requests reach the target while it is in rotation.',
		evidence: {...trafficEvidence(traffic), probeSeenOnTarget: false},
	});
}

/**
 * A drained target that load balancing never picked, still served: clients kept on it by a
 * cookie or stick table. The drain works for new clients, but these users are still on the
 * server, so confirm does not say "new traffic goes elsewhere": it fails with the count, and the
 * operator may wait (retry) or continue knowingly (journaled).
 */
function stickyClients(spec: TrafficProofSpec, context: RunbookContext, traffic: TrafficEvidence): CheckResult {
	const pinned = traffic.basis === 'probe' ? probePinnedBy(context) : null;
	const others = notFromProbe(traffic);
	if (pinned && others === 0) {
		// The sticky client is the probe itself: it says nothing about where new clients go.
		const count = `${traffic.targetDelta} of the probe's ${trafficNoun(traffic)}`;
		return failed(spec.id, spec.title, `${trafficSentence(context, traffic)} Load balancing picked the target 0 times, but ${count} reached it: "${pinned}" keeps this probe's one address on the server it reached before the drain.`, {
			meaning: 'New client addresses go to the other servers, and addresses already in the stick table stay on the drained server until their entry expires; a probe from one held address cannot show either.',
			todo: 'Use --proof live when the backend carries real traffic, or continue knowingly (journaled).',
			override: {kind: 'acknowledge', question: `The probe is held on ${context.target.server} by "${pinned}" and cannot show where new clients go. Continue anyway?`},
			evidence: {...trafficEvidence(traffic), stickyRequests: traffic.targetDelta},
		});
	}

	const persistence = context.backendFacts?.persistence.length ? `persistence: ${context.backendFacts.persistence.join('; ')}` : 'a cookie, a stick table or use-server';
	// A probe held on the target by its own address ("stick on src") is the probe's, said apart from the clients'.
	const sticky = pinned ? others : traffic.targetDelta + others;
	const held = pinned && traffic.targetDelta > 0 ? ` Besides them, ${traffic.targetDelta} of the probe's ${trafficNoun(traffic)} reached it: "${pinned}" keeps this probe's one address on the server it reached before the drain.` : '';
	const noun = trafficNoun(traffic);
	const count = counted(sticky, noun.slice(0, -1), noun);
	const when = traffic.confirmWindow ? ` in the ${traffic.confirmWindow.seconds} s since confirm began` : '';
	return failed(spec.id, spec.title, `${trafficSentence(context, traffic)} Load balancing picked the target 0 times, but ${count} from sticky clients still reached it${when} (${persistence}).${held}`, {
		meaning: 'New clients go to the other servers; clients held by persistence stay on a drained server until their session ends or expires, and stopping it now breaks their sessions.',
		todo: 'Retry later to see them leave, or continue knowingly (journaled).',
		override: {kind: 'acknowledge', question: `${count} from sticky clients still reached ${context.target.server} after the drain. Continue anyway?`},
		evidence: {...trafficEvidence(traffic), stickyRequests: sticky},
	});
}

/**
 * The probe's requests were answered, but fewer reached the backend by its counters: they went to
 * another backend (the Host, path or listener routes elsewhere), or HAProxy answered them itself
 * (a redirect, `http-request return`, its cache). What the counters show then is not the probe's doing.
 */
function probeMissed(spec: TrafficProofSpec, context: RunbookContext, traffic: TrafficEvidence): CheckResult {
	const noun = trafficNoun(traffic);
	const counted = traffic.targetDelta + traffic.othersDelta;
	return failed(
		spec.id,
		spec.title,
		`${trafficSentence(context, traffic)} Backend ${context.target.backend} counted ${counted} new ${noun} in all, fewer than the ${traffic.succeeded} answered: ${counted === 0 ? 'none of the probe reached it' : 'some of the probe did not reach it'}.`,
		{
			meaning: 'The probe\'s requests went to another backend (the listener, Host or path routes them elsewhere), or HAProxy answered them itself (a redirect, a return, its cache): they prove nothing about this backend\'s servers.',
			todo: `See what drainboard routes derives for backend ${context.target.backend}; give --host and --path (or --url) that route to it, or use --proof live when it carries real traffic.`,
			evidence: trafficEvidence(traffic),
			code: 'traffic',
		},
	);
}

/** Live traffic too thin to judge: how much was seen, and what to do. */
function tooLittle(spec: TrafficProofSpec, context: RunbookContext, traffic: TrafficEvidence): CheckResult {
	const noun = trafficNoun(traffic);
	const {requests} = context.options;
	const target = context.target.server;
	const observed =
		spec.expect === 'target-serves'
			? traffic.othersDelta === 0
				? `No ${noun.slice(0, -1)} reached backend ${context.target.backend} in ${traffic.windowSeconds} s of live traffic (nothing sent): too little to tell whether ${target} serves.`
				: `Only ${traffic.othersDelta} ${noun} reached backend ${context.target.backend} in ${traffic.windowSeconds} s of live traffic (nothing sent), none on ${target}: too little to tell whether it serves.`
			: `Only ${traffic.othersDelta} new ${noun} reached the other servers in ${traffic.windowSeconds} s of live traffic (nothing sent; ${requests} needed to show new traffic goes elsewhere), and ${target} got ${traffic.targetDelta}.`;
	return failed(spec.id, spec.title, observed, {
		meaning: 'Real clients are the proof with --proof live, and there were too few of them in the window.',
		todo: `Retry when the backend is busier, give a longer --proof-window, or use --proof probe${context.probe ? '' : ' with --url'}.`,
		evidence: trafficEvidence(traffic),
	});
}
