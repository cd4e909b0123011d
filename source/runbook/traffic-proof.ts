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

/** The instances the traffic check of any of `states` saw no traffic through (its evidence's `quietInstances`). */
function quietOf(kind: 'drain' | 'restore', states: readonly RunbookState[]): string[] {
	const {step, id} = proofOf[kind];
	const named = states.flatMap((state) => state.steps[step].checks.filter((check) => check.id === id).flatMap((check) => String(check.evidence?.['quietInstances'] ?? '').split(', ')));
	return [...new Set(named.filter(Boolean))];
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
		const quiet = quietOf(kind, ran);
		// Traffic proves nothing on an instance none reached: the claim says where it holds.
		const where = quiet.length > 0 ? ` (no traffic reached the backend through ${quiet.join(' or ')} while ${proofOf[kind].step} watched: proven by the other instances' traffic only)` : '';
		return kind === 'drain' ? `is drained and proven out of rotation${where}${before}` : `is back in rotation, proven by traffic${each}${where}${before}`;
	}

	const {title} = proofOf[kind];
	return kind === 'drain'
		? `is drained (HAProxy shows FDRAIN), but traffic did not prove it out of rotation: see "${title}" above`
		: `is back in rotation (HAProxy shows no drain flag), but traffic did not prove it serves again: see "${title}" above`;
}
