import type {RunbookState} from './state.js';

/** The check whose pass proves, by traffic, where a drain or a restore left the target. */
const proofOf = {drain: {step: 'confirm', id: 'traffic-moved', title: 'New traffic goes elsewhere'}, restore: {step: 'restore', id: 'traffic-returns', title: 'Traffic returns'}} as const;

/**
 * Whether traffic proved what the end of a drain or a restore says: its traffic check passed on
 * every maintenance given. A warning (persistence that holds the probe, a hash that never picks the
 * target) or no check at all is no proof, and the last line must not claim one.
 */
function provenByTraffic(kind: 'drain' | 'restore', states: readonly RunbookState[]): boolean {
	const {step, id} = proofOf[kind];
	return states.length > 0 && states.every((state) => state.steps[step].checks.some((check) => check.id === id && check.verdict === 'pass'));
}

/** The closing sentence's claim: `drained and proven out of rotation`, or what was seen without proof. */
export function endClaim(kind: 'drain' | 'restore', states: readonly RunbookState[], each = ''): string {
	// Servers of a maintenance of several that an earlier run had already taken there: this run proved nothing of them.
	const ran = states.filter((state) => state.steps[proofOf[kind].step].checks.length > 0);
	if (states.length > 0 && ran.length === 0) {
		return kind === 'drain' ? 'was drained and confirmed by an earlier run (the journal has it); this run sent nothing' : 'was back in rotation before this run; this run sent nothing';
	}

	const earlier = states.length - ran.length;
	// A server found back in rotation may have been restored by an earlier run or put back outside drainboard: said as what was seen.
	const before = earlier > 0 ? ` (${earlier} of them ${kind === 'drain' ? 'drained and confirmed by an earlier run' : 'in rotation before this run, not proven by it'})` : '';
	if (provenByTraffic(kind, ran)) {
		return kind === 'drain' ? `is drained and proven out of rotation${before}` : `is back in rotation, proven by traffic${each}${before}`;
	}

	const {title} = proofOf[kind];
	return kind === 'drain'
		? `is drained (HAProxy shows FDRAIN), but traffic did not prove it out of rotation: see "${title}" above`
		: `is back in rotation (HAProxy shows no drain flag), but traffic did not prove it serves again: see "${title}" above`;
}
