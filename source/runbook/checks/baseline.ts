import {conditionOf, inMaintenance, isRunning} from '../../model/server-condition.js';
import {describeProbe, probeEvidence} from '../../probe/probe.js';
import {formatTarget} from '../../runtime/names.js';
import {failed, passed, skipped, warned, type CheckResult} from '../check-result.js';
import type {RunbookContext} from '../context.js';
import {perInstance, readTarget, type TargetView} from '../read-target.js';
import type {Server} from '../../model/types.js';
import type {CheckDefinition} from '../step-definition.js';
import {trafficProof} from './traffic-proof.js';

/**
 * With --allow-down, a target that is DOWN or in maintenance has no traffic to measure: the baseline
 * is skipped with that reason, journaled as an override. Undefined when the baseline runs.
 */
async function skippedAsDown(id: string, title: string, context: RunbookContext, signal?: AbortSignal): Promise<CheckResult | undefined> {
	if (!context.options.allowDown) {
		return undefined;
	}

	const down = (await readTarget(context, signal)).find((view) => view.server && (!isRunning(view.server) || inMaintenance(view.server)));
	if (!down?.server) {
		return undefined;
	}

	const why = perInstance(context, down.socket, `${formatTarget(context.target)} is ${down.server.status} (op state ${down.server.opStateName}), drained on purpose with --allow-down: it serves no traffic to measure, so the baseline is skipped.`);
	if (id === 'baseline-traffic') {
		context.journal.append({step: 'baseline', event: 'override', check: id, detail: `--allow-down: ${why}`});
	}

	return skipped(id, title, why);
}

const listener: CheckDefinition = {
	id: 'listener',
	title: 'Listener known',
	async run(context, io) {
		const down = await skippedAsDown(this.id, this.title, context, io.signal);
		if (down) {
			return down;
		}

		const {proof} = context.options;
		if (proof === 'live') {
			return passed(this.id, this.title, 'Real clients are the proof (--proof live): no request is sent; HAProxy\'s counters of their requests are read on every instance.', {evidence: {basis: 'live'}});
		}

		if (!context.probe) {
			const why = `No listener URL for backend ${context.target.backend}: ${context.probeSource}.`;
			if (proof === 'auto') {
				return warned(this.id, this.title, `${why} Without a URL, only live traffic can be the proof: the traffic checks need real clients on the backend.`, {
					todo: 'Give --url (with --host and --path when it routes by them) for a quiet backend; drainboard routes shows what it derives.',
				});
			}

			return failed(this.id, this.title, why, {
				todo: 'Give the listener with --url (for example http://127.0.0.1:80/), with --host and --path when it routes by them, or type it when the wizard asks; drainboard routes shows what it derives.',
			});
		}

		const {target} = context.probe;
		const direct = serverAt(await readTarget(context, io.signal), target);
		if (direct) {
			return failed(
				this.id,
				this.title,
				`${describeProbe(target)} (${context.probeSource}) is the address of server ${context.target.backend}/${direct.server} itself: requests there go around HAProxy, so they would prove nothing about its rotation.`,
				{todo: 'Give the address of the frontend that routes to the backend with --url; drainboard routes shows what it derives.'},
			);
		}

		return passed(this.id, this.title, `Traffic goes through ${describeProbe(target)} (${context.probeSource}), never to the server's own address.`, {
			evidence: probeEvidence(target),
		});
	},
};

const provenBaseline = trafficProof({
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
						? 'The target is in maintenance; --allow-down drains it on purpose (so it does not come back into rotation by itself).'
						: condition === 'down'
							? 'The target is DOWN: its health check fails; --allow-down drains it on purpose (so it does not come back into rotation by itself).'
							: target.userWeight === 0
								? 'The target has weight 0, so it gets no new traffic.'
								: 'It may be out of rotation, weighted down, or the URL may route to another backend.';
		return {meaning: why, todo: 'Find out why before draining; retry when it serves again.'};
	},
});

/** The baseline's traffic proof, or its skip for a target drained on purpose while DOWN or in maintenance (--allow-down). */
const baselineTraffic: CheckDefinition = {
	id: provenBaseline.id,
	title: provenBaseline.title,
	async run(context, io) {
		const skip = await skippedAsDown(this.id, this.title, context, io.signal);
		if (skip) {
			return skip;
		}

		// A target HAProxy shows DOWN serves nothing: said from that read, without a probe's requests in the listener's logs.
		const down = (await readTarget(context, io.signal)).find((view) => view.server && !isRunning(view.server) && !inMaintenance(view.server));
		if (down?.server) {
			return failed(this.id, this.title, perInstance(context, down.socket, `${formatTarget(context.target)} is ${down.server.status} (op state ${down.server.opStateName}, check ${down.server.checkStatus ?? 'none'}): it serves nothing, so no request was sent to measure it.`), {
				meaning: 'The target is DOWN: its health check fails; --allow-down drains it on purpose (so it does not come back into rotation by itself).',
				todo: 'Find out why before draining; retry when it serves again.',
				code: 'not-serving',
			});
		}

		return provenBaseline.run(context, io);
	},
};

export const baselineChecks: CheckDefinition[] = [listener, baselineTraffic];

/** The server of the target's backend (as HAProxy shows it) whose address and port are the probe's own: requests there go around HAProxy. */
export function serverAt(views: readonly TargetView[], target: {address: string; port: number}): Server | undefined {
	return views.flatMap((view) => view.backend?.servers ?? []).find((server) => server.port === target.port && sameHost(server.address, target.address));
}

/** The same host for a probe and a server address: as written, with `localhost` and `[::1]` as HAProxy would show them. */
function sameHost(server: string, probe: string): boolean {
	const plain = (address: string) => {
		const bare = address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
		return bare === 'localhost' ? '127.0.0.1' : bare;
	};

	return plain(server) === plain(probe);
}
