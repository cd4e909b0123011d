import {visible} from '../../visible-text.js';
import {checkStatusLabels, type CheckStatusName} from '../../decode/labels.js';
import {drainSet, inMaintenance, isHealthy, outOfRotation} from '../../model/server-condition.js';
import type {Server} from '../../model/types.js';
import {failed, passed, type CheckResult} from '../check-result.js';
import {journaledMaintenance, type RunbookContext} from '../context.js';
import {lostDrainWarnings} from '../lost-drain.js';
import type {MaintenanceRecord} from '../resume.js';
import {restoreCommand} from '../come-back.js';
import {formatTarget} from '../../runtime/names.js';
import {everywhere, perInstance, readTarget, readTargetPatiently, unreachableLine, type TargetView} from '../read-target.js';
import type {CheckDefinition} from '../step-definition.js';

/** `DOWN · L4CON (TCP connection refused)` */
export function healthText(server: Server | undefined): string {
	if (!server) {
		return 'not in the runtime';
	}

	if (server.checkDisabled) {
		return `${server.status} · health check disabled ("disable health")`;
	}

	const check = server.checkConfigured ? (server.checkStatus ? `${server.checkStatus} (${checkStatusLabels[server.checkStatus as CheckStatusName] ?? server.checkDescription ?? ''})` : 'no check result yet') : 'no health check configured';
	return `${server.status} · ${check}`;
}

function healthyAll(context: RunbookContext, servers: Array<Server | undefined>): boolean {
	return servers.length === context.clients.length && servers.every((server) => server !== undefined && isHealthy(server));
}

/** Whether a read of the health wait is its first (what it finds happened before the wait) or a later one. */
type Seen = 'at-start' | 'waiting';

const healthBack: CheckDefinition = {
	id: 'health-back',
	title: 'Target healthy again',
	async run(context, io) {
		const started = context.clock.now();
		const {readyTimeoutMs, settleMs} = context.options;
		let healthySince: number | null = null;
		let views = await readTargetPatiently(context, io.signal);
		// What the wait began with, for the journal: a server seen down first, then healthy, was waited for.
		const atStart = views === null ? 'HAProxy did not answer' : views.map((view) => perInstance(context, view.socket, healthText(view.server))).join('; ');
		// The first read is where the wait begins: what it finds happened before, not while drainboard waited.
		let when: Seen = 'at-start';
		for (;;) {
			const lost = views === null ? undefined : (drainLost(context, views, when) ?? putInMaintenance(context, views, when) ?? checksDisabled(context, views));
			if (lost) {
				return lost;
			}

			const now = context.clock.now();
			const healthy = views !== null && healthyAll(context, views.map((view) => view.server));
			healthySince = healthy ? (healthySince ?? now) : null;
			// A dry run predicts, it does not wait: a server not healthy at its first read would hold a real
			// restore up to --ready-timeout (Ansible's check mode would wait as long, for each server).
			const predicted = context.options.dryRun && healthySince === null;
			if ((healthySince !== null && now - healthySince >= settleMs) || now - started >= readyTimeoutMs || io.signal?.aborted || predicted) {
				break;
			}

			const waited = Math.round((now - started) / 1000);
			const why = healthySince === null ? 'waiting for its health check to pass' : `healthy, watching it stay so for ${settleMs / 1000} s`;
			io.dispatch({
				type: 'live-updated',
				step: 'maintain',
				lines: views
					? views.map((view) => perInstance(context, view.socket, `${context.target.server}: ${healthText(view.server)} — ${why} (${waited} s of ${readyTimeoutMs / 1000} s)`))
					: [`${unreachableLine} (${waited} s of ${readyTimeoutMs / 1000} s)`],
			});
			await context.clock.sleep(500, io.signal);
			views = await readTargetPatiently(context, io.signal);
			when = 'waiting';
		}

		views ??= await readTarget(context, io.signal);
		const waited = {healthAtStart: atStart, waitedSeconds: Math.round((context.clock.now() - started) / 1000), readyTimeoutSeconds: readyTimeoutMs / 1000};
		const unhealthy = views.find((view) => !view.server || !isHealthy(view.server));
		if (unhealthy || healthySince === null) {
			const view = unhealthy ?? views[0]!;
			const wait = io.signal?.aborted
				? ''
				: context.options.dryRun
					? ` A dry run does not wait for it: a real restore would wait up to ${waited.readyTimeoutSeconds} s (--ready-timeout) for its health check to pass, and refuse if it does not.`
					: ` Waited ${waited.waitedSeconds} s of ${waited.readyTimeoutSeconds} s (--ready-timeout).`;
			return failed(this.id, this.title, perInstance(context, view.socket, `${context.target.server} is not healthy: ${healthText(view.server)}.${wait}`), {
				evidence: {...waited, healthy: false},
				meaning: 'Putting it back now would send users to a server that fails its health check.',
				todo: `Bring the service back (HAProxy checks it on its own), then ${context.options.interactive ? 'press Enter again' : `run "${restoreCommand(context.commandFlags, formatTarget(context.target), context.journal.file)}" again`}. Restore stays refused until the check passes.`,
			});
		}

		const server = views[0]!.server!;
		const seconds = Math.round((context.clock.now() - healthySince) / 1000);
		const noCheck = server.checkConfigured ? '' : ' No health check is configured: HAProxy trusts the server blindly, so make sure the service is really up.';
		return passed(this.id, this.title, `${context.target.server} is ${healthText(server)}, seen healthy for ${seconds} s${everywhere(context)}.${noCheck}`, {evidence: {...waited, healthy: true, healthyForSeconds: seconds}});
	},
};

/**
 * The drain this maintenance holds, gone while it waits for health: a reload without a
 * server-state file, or someone who set the server ready, told apart as the headless restore and
 * status do (lost-drain.ts) when the journal has the drain's pid. The server went back into rotation
 * before restore's checks, maybe before the work was done: the wait ends there, with why.
 */
function drainLost(context: RunbookContext, views: readonly TargetView[], when: Seen): CheckResult | undefined {
	if (!context.store.getState().drained) {
		return undefined;
	}

	const back = views.find((view) => view.server && !outOfRotation(view.server));
	if (!back?.server) {
		return undefined;
	}

	const flags = back.server.adminFlags.length > 0 ? back.server.adminFlags.join('+') : 'ready (no admin flags)';
	// Which it was, when the journal's drain entry has HAProxy's pid and start time to hold against the process now.
	const cause = lostDrainWarnings(journaledRecord(context), [back], context.target)[0];
	return failed(
		healthBack.id,
		healthBack.title,
		cause
			? `${cause} ${when === 'waiting' ? 'That was while drainboard waited for its health check' : 'drainboard found it so as it began to wait for its health check'}, now ${healthText(back.server)}. Nothing was sent.`
			: perInstance(context, back.socket, `The drain is gone: HAProxy shows ${formatTarget(context.target)} ${flags}, ${healthText(back.server)}, ${when === 'waiting' ? 'while drainboard waited for its health check' : 'found as drainboard began to wait for its health check'} (a reload without a server-state file, or someone set it ready). Nothing was sent.`),
		{
			meaning: 'It went back into rotation without restore\'s checks, perhaps before the work was done.',
			// Back in rotation but DOWN, it serves nothing yet: "it serves already" would not be true.
			todo: `If the work is not done, drain it again (in the wizard: r). If it is done, ${isHealthy(back.server) ? 'it serves already' : `it serves once its health check passes (it is ${healthText(back.server)} now)`}: run "${restoreCommand(context.commandFlags, formatTarget(context.target), context.journal.file)}" once more to close the maintenance.`,
			code: 'state',
		},
	);
}

/**
 * The target's health check disabled at runtime (`disable health`): HAProxy sends it no check, so
 * no result would ever come, and the wait would only run out. Said at once, with how to enable it.
 */
function checksDisabled(context: RunbookContext, views: readonly TargetView[]): CheckResult | undefined {
	const off = views.find((view) => view.server?.checkDisabled);
	if (!off?.server) {
		return undefined;
	}

	const label = formatTarget(context.target);
	const again = context.options.interactive ? 'press Enter again' : `run "${restoreCommand(context.commandFlags, label, context.journal.file)}" again`;
	return failed(healthBack.id, healthBack.title, perInstance(context, off.socket, `${label}'s health check is disabled ("disable health"): HAProxy sends it no check, so no result comes to say it is healthy (HAProxy shows it ${visible(off.server.status)}).`), {
		meaning: 'Restore puts the server back only once a health check passes: with checks off, HAProxy would send users to it whether the service runs or not.',
		todo: `Enable its check ("enable health ${label}" on the stats socket${context.clients.length > 1 ? ' of every instance' : ''}), then ${again} once it passes.`,
		evidence: {healthCheck: 'disabled'},
		// Not a wait that ran out (health-timeout, which a script may answer with a longer one): what HAProxy shows.
		code: 'state',
	});
}

/** The maintenance as the journal tells it; none when the journal cannot be read now (the cause is then said as either). */
function journaledRecord(context: RunbookContext): MaintenanceRecord | undefined {
	try {
		return journaledMaintenance(context);
	} catch {
		return undefined;
	}
}

/**
 * The drain replaced by a maintenance (`set server … state maint`, which clears FDRAIN) while
 * restore waits for health: HAProxy does not health-check a server in maintenance, so no result
 * would come; and restore puts back drains only. Said at once, nothing sent.
 */
function putInMaintenance(context: RunbookContext, views: readonly TargetView[], when: Seen): CheckResult | undefined {
	const held = views.find((view) => view.server && inMaintenance(view.server) && !drainSet(view.server));
	if (!held?.server) {
		return undefined;
	}

	const label = formatTarget(context.target);
	const again = context.options.interactive ? 'press Enter again' : `run "${restoreCommand(context.commandFlags, label, context.journal.file)}" again`;
	return failed(
		healthBack.id,
		healthBack.title,
		perInstance(
			context,
			held.socket,
			`Someone or something else put ${label} into maintenance ${when === 'waiting' ? 'while drainboard waited for its health check' : 'before drainboard began to wait for its health check'}: HAProxy shows admin flags ${held.server.adminFlags.join('+') || 'none'}, not drained (${healthText(held.server)}). HAProxy does not health-check a server in maintenance, so the wait ends here. Nothing was sent.`,
		),
		{
			meaning: 'It is out of rotation, but not by this maintenance: its drain was replaced (set server … state maint).',
			todo: `Find who did it before going on: they may be working on it. Restore does not take a server out of maintenance: once they are done, they put it back (set server ${label} state ready), or set it to drain (set server ${label} state drain) and you ${again} to put it back with restore's checks.`,
			code: 'state',
		},
	);
}

export const maintainChecks: CheckDefinition[] = [healthBack];
