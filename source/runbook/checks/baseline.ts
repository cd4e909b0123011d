import {conditionOf} from '../../model/server-condition.js';
import {describeProbe, probeEvidence} from '../../probe/probe.js';
import {failed, passed} from '../check-result.js';
import {readTarget} from '../read-target.js';
import type {CheckDefinition} from '../step-definition.js';
import {measureTraffic} from '../traffic.js';
import {targetGotNone, trafficPassed, trafficProblem} from './traffic-checks.js';

const listener: CheckDefinition = {
	id: 'listener',
	title: 'Listener known',
	async run(context) {
		if (!context.probe) {
			return failed(this.id, this.title, `No listener URL for backend ${context.target.backend}: ${context.probeSource}.`, {
				todo: 'Give the listener with --url (for example http://127.0.0.1:80/), with --host and --path when it routes by them, or type it when the wizard asks; drainboard routes shows what it derives.',
			});
		}

		return passed(this.id, this.title, `Traffic goes through ${describeProbe(context.probe.target)} (${context.probeSource}), never to the server's own address.`, {
			evidence: probeEvidence(context.probe.target),
		});
	},
};

const baselineTraffic: CheckDefinition = {
	id: 'baseline-traffic',
	title: 'Target serves traffic',
	async run(context, io) {
		const traffic = await measureTraffic(context, io, context.options.requests);
		const problem = trafficProblem(this.id, this.title, context, traffic);
		if (problem) {
			return problem;
		}

		if (traffic.targetDelta === 0) {
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
			return targetGotNone(this.id, this.title, context, traffic, {meaning: why, todo: 'Find out why before draining; retry when it serves again.'});
		}

		return trafficPassed(this.id, this.title, context, traffic, `The target answered ${traffic.targetDelta} of them: it is in rotation, and the counters will prove it leaves.`);
	},
};

export const baselineChecks: CheckDefinition[] = [listener, baselineTraffic];
