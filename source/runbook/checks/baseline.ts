import {conditionOf} from '../../model/server-condition.js';
import {describeProbe, probeEvidence} from '../../probe/probe.js';
import {failed, passed, warned} from '../check-result.js';
import {readTarget} from '../read-target.js';
import type {CheckDefinition} from '../step-definition.js';
import {trafficProof} from './traffic-proof.js';

const listener: CheckDefinition = {
	id: 'listener',
	title: 'Listener known',
	async run(context) {
		const {proof} = context.options;
		if (proof === 'live') {
			return passed(this.id, this.title, 'Real clients are the proof (--proof live): no request is sent; HAProxy\'s counters of their requests are read on every instance.', {evidence: {basis: 'live'}});
		}

		if (!context.probe) {
			const why = `No listener URL for backend ${context.target.backend}: ${context.probeSource}.`;
			if (proof === 'auto') {
				return warned(this.id, this.title, `${why} Only live traffic can be the proof: the traffic checks need real clients on the backend.`, {
					todo: 'Give --url (with --host and --path when it routes by them) for a quiet backend; drainboard routes shows what it derives.',
				});
			}

			return failed(this.id, this.title, why, {
				todo: 'Give the listener with --url (for example http://127.0.0.1:80/), with --host and --path when it routes by them, or type it when the wizard asks; drainboard routes shows what it derives.',
			});
		}

		return passed(this.id, this.title, `Traffic goes through ${describeProbe(context.probe.target)} (${context.probeSource}), never to the server's own address.`, {
			evidence: probeEvidence(context.probe.target),
		});
	},
};

const baselineTraffic = trafficProof({
	id: 'baseline-traffic',
	title: 'Target serves traffic',
	step: 'baseline',
	expect: 'target-serves',
	async whyNone(context, io) {
		const views = await readTarget(context, io.signal);
		const target = views[0]?.server;
		const condition = target ? conditionOf(target) : undefined;
		const why =
			target === undefined
				? 'The target is gone from the runtime.'
				: condition === 'drain'
					? 'The target is already drained (out of rotation).'
					: condition === 'maint'
						? 'The target is in maintenance.'
						: condition === 'down'
							? 'The target is DOWN: its health check fails.'
							: target.userWeight === 0
								? 'The target has weight 0, so it gets no new traffic.'
								: 'It may be out of rotation, weighted down, or the URL may route to another backend.';
		return {meaning: why, todo: 'Find out why before draining; retry when it serves again.'};
	},
	passMeaning: (traffic) => `The target ${traffic.basis === 'live' ? 'served' : 'answered'} ${traffic.targetDelta} of them: it is in rotation, and the counters will prove it leaves.`,
});

export const baselineChecks: CheckDefinition[] = [listener, baselineTraffic];
