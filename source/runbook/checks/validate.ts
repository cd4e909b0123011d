import {existsSync} from 'node:fs';
import path from 'node:path';
import {isFirstBalancing, isHashBalancing} from '../../config/backend-facts.js';
import {checkArguments} from '../../config/check-config.js';
import {cannotEvaluate, findTargetInConfig} from '../../config/target-in-config.js';
import {visible} from '../../visible-text.js';
import {releaseOf} from '../../decode/info.js';
import {emptiedTodo} from '../../model/capacity.js';
import {isServing} from '../../model/server-condition.js';
import {formatTarget} from '../../runtime/names.js';
import {RuntimeApiError} from '../../runtime/runtime-error.js';
import {failed, passed, skipped, warned} from '../check-result.js';
import {runbookMode, type RunbookContext} from '../context.js';
import type {RunbookFacts} from '../state.js';
import {capacityOf, emptiedByWhat, othersServing, othersText} from '../change-guards.js';
import {backendFreeInDryRun} from './backend-free.js';
import {notInMaintenance} from './not-in-maintenance.js';
import {onInstances, perInstance, readTarget} from '../read-target.js';
import type {CheckDefinition} from '../step-definition.js';
import {andList, counted} from '../../counted.js';
import {addressOf} from '../../model/describe.js';
import {servingAtSameAddress} from '../../model/shared-address.js';

const targetExists: CheckDefinition = {
	id: 'target-exists',
	title: 'Target exists',
	async run(context, io) {
		const title = 'Target exists';
		const views = await readTarget(context, io.signal).catch((error: unknown) => {
			if (error instanceof RuntimeApiError && error.kind === 'haproxy-error') {
				return error;
			}

			throw error;
		});
		if (views instanceof RuntimeApiError) {
			return failed(this.id, title, `HAProxy at ${views.socket} has no backend ${context.target.backend}.`, {
				todo: 'Check the name (case matters); drainboard status lists the backends.',
				exitCode: 2,
			});
		}

		for (const view of views) {
			if (!view.server) {
				const names = view.backend?.servers.map((server) => server.server) ?? [];
				return failed(this.id, title, perInstance(context, view.socket, `backend ${context.target.backend} has no server ${context.target.server}; it has ${names.join(', ') || 'no servers'}.`), {
					todo: 'Check the server name (case matters).',
					exitCode: 2,
				});
			}
		}

		const first = views[0]!;
		io.dispatch({
			type: 'facts-learned',
			facts: {
				instances: views.map((view) => view.snapshot.instance),
				serverNames: first.backend!.servers.map((server) => server.server),
				mode: runbookMode(first.backend!, context),
				algorithm: first.backend!.algorithm ?? context.backendFacts?.balance ?? null,
			},
		});
		const server = first.server!;
		return passed(this.id, title, `${formatTarget(context.target)} is in the runtime (server id ${server.serverId}, backend id ${server.backendId}; ${context.facts.mode ?? 'http'} mode, ${context.facts.algorithm ? `balance ${context.facts.algorithm}` : 'balance not named by HAProxy'}) ${onInstances(context)}.`, {
			evidence: {servers: first.backend!.servers.length},
		});
	},
};

const socketAdmin: CheckDefinition = {
	id: 'socket-admin',
	title: 'Socket can change state',
	async run(context, io) {
		const title = 'Socket can change state';
		const found: string[] = [];
		for (const client of context.clients) {
			const level = await client.cliLevel(io.signal);
			if (level !== 'admin') {
				return failed(this.id, title, perInstance(context, client.socket, `the stats socket ${client.socket} is at level ${level}; drain and ready need level admin.`), {
					todo: 'Add "level admin" to that "stats socket" line in haproxy.cfg and reload HAProxy, or use an admin socket with --socket.',
					exitCode: 3,
				});
			}

			const info = await client.info(io.signal);
			found.push(`HAProxy ${releaseOf(info.version)}, pid ${info.pid}${info.startTime ? `, started ${new Date(info.startTime * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC` : ''}`);
		}

		return passed(this.id, title, `Level admin; ${found.join('; ')}.`);
	},
};

const configValid: CheckDefinition = {
	id: 'config-valid',
	title: 'Configuration valid',
	async run(context) {
		const title = 'Configuration valid';
		const {config} = context;
		const files = visible(config.files.join(', '));
		if (context.options.skipValidate) {
			return skipped(this.id, title, `haproxy -c was skipped (--skip-validate); ${files} (${config.source}) was not checked.`);
		}

		if ('missing' in context.checkConfig) {
			return failed(this.id, title, context.checkConfig.missing, {todo: 'Pass --haproxy <path>, or --skip-validate to go on without this check.'});
		}

		if (context.configProblem || !config.parsed) {
			return failed(this.id, title, `${visible(context.configProblem ?? 'The configuration was not read')}.${warningText(config.warnings)}`, {
				todo: 'Pass --config <file>, run as a user who can read it, or pass --skip-validate.',
			});
		}

		const command = `haproxy ${checkArguments(config.files).map((word) => visible(word)).join(' ')}`;
		const result = await context.checkConfig();
		if (result.exitCode === null) {
			return failed(this.id, title, visible(result.output) || 'haproxy -c did not run.', {todo: 'Pass --haproxy <path>, or --skip-validate.'});
		}

		if (!result.ok) {
			const alerts = result.alerts.length > 0 ? result.alerts.slice(0, 3).join(' ') : result.output.split('\n').slice(-2).join(' ');
			return failed(this.id, title, `${command} exited ${result.exitCode}: ${visible(alerts)}${warningText(config.warnings)}`, {
				meaning: 'The file on disk would not load: a reload during the maintenance would fail.',
				todo: 'Fix the configuration first, then retry.',
			});
		}

		const target = findTargetInConfig(config.parsed, context.target, config.files);
		if (!target.found) {
			return failed(this.id, title, `${command} passed, but ${target.why}.${warningText(config.warnings)}`, {
				meaning: `HAProxy runs ${formatTarget(context.target)}, but this configuration does not define it: it is not the one HAProxy runs, or a reload would remove the server.`,
				todo: 'Pass --config with the files HAProxy runs, or fix the configuration so that it defines the server, then retry.',
			});
		}

		const unknown = config.parsed.uncertainties;
		const notes = [
			...config.warnings,
			...(result.warnings.length > 0 ? [`haproxy -c warned ${result.warnings.length} time(s)${result.warnings.length > 2 ? ' (the first 2)' : ''}: ${visible(result.warnings.slice(0, 2).join(' '))}`] : []),
			...unknown.slice(0, 3).map((uncertainty) => `${cannotEvaluate(uncertainty)}: the lines under it are neither relied on nor taken as absent.`),
			...(unknown.length > 3 ? [`${unknown.length - 3} more condition(s) could not be evaluated.`] : []),
		];
		const observed = `${command} passed (${config.source}); ${formatTarget(context.target)} is defined at ${target.where}.`;
		return notes.length > 0 ? warned(this.id, title, `${observed}${warningText(notes)}`) : passed(this.id, title, observed);
	},
};

function warningText(sentences: readonly string[]): string {
	return sentences.length > 0 ? ` ${sentences.join(' ')}` : '';
}

const backendFree: CheckDefinition = {
	id: 'backend-free',
	title: 'Nobody else changing it',
	async run(context, io) {
		const title = 'Nobody else changing it';
		if (context.options.dryRun) {
			return backendFreeInDryRun(context, io);
		}

		const tookOver = await context.lock.take(`drain of ${formatTarget(context.target)}`, io.signal);
		const held = `${context.target.backend} is locked for this drainboard until confirm ends.`;
		return tookOver ? warned(this.id, title, `${tookOver} ${held}`) : passed(this.id, title, held);
	},
};

const capacity: CheckDefinition = {
	id: 'capacity',
	title: 'Capacity left',
	async run(context, io) {
		const title = 'Capacity left';
		const lines: string[] = [];
		// The whole pool: servers that track the target, in any backend, leave rotation with it.
		for (const view of await readTarget(context, io.signal, true)) {
			const servers = view.backend?.servers ?? [];
			const backups = servers.filter((server) => server.server !== context.target.server && server.backup && isServing(server));
			const target = servers.find((server) => server.server === context.target.server);
			const emptied = capacityOf(context, view).find((candidate) => candidate.emptied);
			const what = emptied ? emptiedByWhat(emptied) : null;
			if (emptied && what) {
				return failed(this.id, title, perInstance(context, view.socket, `${what.sentence}. HAProxy would answer 503 to every request of ${emptied.backend}.`), {
					meaning: emptied.trackers.length > 0 ? `Draining ${formatTarget(context.target)} drains the servers that track it too: backend ${emptied.backend} would have no server serving.` : `Draining the target would leave ${emptied.backend} to a server about to go down.`,
					todo: `First ${emptiedTodo(emptied)}; --force passes this gate (journaled).`,
					override: {kind: 'force', question: 'Drain anyway?'},
					evidence: {remainingServers: 0, backend: emptied.backend, trackers: emptied.trackers.map((server) => `${server.backend}/${server.server}`).join(', '), failing: emptied.failing.map((server) => `${server.backend}/${server.server}`).join(', ')},
				});
			}

			const others = othersServing(context, view);
			if (others.length === 0) {
				const backupNote = backups.length > 0 ? ` Only backup ${backups.length === 1 ? 'server' : 'servers'} ${backups.map((server) => server.server).join(', ')} would take the traffic.` : ' HAProxy would answer 503 to every request.';
				return failed(this.id, title, perInstance(context, view.socket, `no other active server of ${context.target.backend} is up and in rotation (${othersText(context, view)}).${backupNote}`), {
					meaning: 'Draining the target would take the service down or onto backups.',
					todo: 'Bring another server back first; --force passes this gate (journaled).',
					override: {kind: 'force', question: 'Drain anyway?'},
					evidence: {remainingServers: 0},
				});
			}

			const totalWeight = [...others, ...(target && isServing(target) ? [target] : [])].reduce((sum, server) => sum + server.userWeight, 0);
			const remaining = others.reduce((sum, server) => sum + server.userWeight, 0);
			const share = totalWeight > 0 ? Math.round((remaining / totalWeight) * 100) : 100;
			const sessions = others.map((server) => `${server.server} ${server.currentSessions}`).join(', ');
			const leaving = capacityOf(context, view).flatMap((candidate) => [...candidate.trackers.map((server) => `${server.backend}/${server.server} (it tracks the target)`), ...candidate.failing.map((server) => `${server.backend}/${server.server} (failing its health checks)`)]);
			const notCounted = leaving.length > 0 ? ` Not counted: ${leaving.join(', ')}.` : '';
			lines.push(perInstance(context, view.socket, `${counted(others.length, 'other active server')} ${others.length === 1 ? 'stays' : 'stay'} in rotation with ${share}% of the weight (sessions now: ${sessions}).${notCounted}`));
		}

		return passed(this.id, title, lines.join(' '));
	},
};

const warnings: CheckDefinition = {
	id: 'warnings',
	title: 'Things to know',
	async run(context, io) {
		const title = 'Things to know';
		const notes: string[] = [];
		const facts = context.backendFacts;
		if (!facts) {
			notes.push(`The configuration could not be read (${context.configProblem ?? 'unknown'}), so persistence and the server-state file were not checked.`);
		} else {
			if (facts.persistence.length > 0) {
				notes.push(`Persistence (${facts.persistence.join('; ')}) keeps its users on a drained server until they drop; only maint re-routes them.`);
			}

			if (!facts.loadsServerState) {
				notes.push(
					context.options.interactive
						? 'No server-state file is loaded: a reload during the window drops the drain (drainboard raises an alarm if it happens while it runs).'
						: 'No server-state file is loaded: a reload during the window drops the drain, and nothing watches for that once this run ends; "drainboard status" shows whether the drain still holds, and restore says so if it was lost.',
				);
			}

			const stateFile = facts.loadsServerState ? facts.serverStateFile : null;
			if (stateFile !== null && path.isAbsolute(stateFile) && !existsSync(stateFile)) {
				notes.push(`The configuration loads the server-state file ${visible(stateFile)}, but there is no such file now: a reload drops the drain unless "show servers state" is written to it first.`);
			}

			for (const uncertainty of facts.uncertain.slice(0, 2)) {
				notes.push(`${cannotEvaluate(uncertainty)}: the persistence or server-state lines under it may or may not apply.`);
			}
		}

		const views = await readTarget(context, io.signal);
		const agents = views.map((view) => view.server?.agentCheck ?? 'none');
		const target = formatTarget(context.target);
		if (views.some((view) => view.server?.checkDisabled)) {
			notes.push(`${target}'s health check is disabled ("disable health"): restore puts it back only once a check passes, so enable it ("enable health ${target}") before restore.`);
		}

		if (agents.includes('enabled')) {
			notes.push(`${target} has an agent-check that can set its state (an agent answering "ready" undoes a drain): the drain sends "disable agent ${target}" first, and restore enables it again.`);
		} else if (agents.includes('disabled')) {
			notes.push(`${target}'s agent-check is disabled already, not by this maintenance: restore leaves it disabled.`);
		}

		const shared = await sharedAddress(context, io.signal);
		io.dispatch({type: 'facts-learned', facts: {sharedAddress: shared}});
		if (shared) {
			notes.push(sharedAddressNote(context, shared));
		}

		const stats = await Promise.all(context.clients.map(async (client) => client.stat(undefined, io.signal)));
		const trackers = [...new Set(stats.flat().filter((row) => row.tracked === formatTarget(context.target)).map((row) => `${row.proxy}/${row.service}`))];
		if (trackers.length > 0) {
			notes.push(`Tracking servers inherit the drain: ${trackers.join(', ')}.`);
		}

		if (context.facts.algorithm && isHashBalancing(context.facts.algorithm)) {
			notes.push(`Balance ${context.facts.algorithm} picks servers by hash: the probe, one client, may never reach the target.`);
		}

		if (context.facts.algorithm && isFirstBalancing(context.facts.algorithm)) {
			notes.push('Balance first sends every request to the first server with a free connection slot: the probe reaches a later server only when those before it are full.');
		}

		// No note: the configuration loads a server-state file (loadsServerState), which has a path. HAProxy
		// reads it at each start and reload: it keeps the drain only when written just before, as reload scripts do.
		const file = visible(context.backendFacts?.serverStateFile ?? '');
		// Each note its own warning in the JSON: automation matches one, not a paragraph of several.
		return notes.length > 0 ? warned(this.id, title, notes.join(' '), notes.length > 1 ? {notes} : {}) : passed(this.id, title, `No persistence, no trackers; the configuration loads the server-state file ${file} at each reload, which keeps the drain when "show servers state" is written to it just before.`);
	},
};

/**
 * The target's address and port also serve servers of other backends (or names) that this
 * maintenance leaves in rotation: the same service on the same machine, whose users the work
 * (a restart, a reboot) fails too. Said, with the target form that takes them all out together.
 */
async function sharedAddress(context: RunbookContext, signal?: AbortSignal): Promise<RunbookFacts['sharedAddress']> {
	const staying = new Set<string>();
	let address = '';
	for (const view of await readTarget(context, signal, true)) {
		address = view.server ? addressOf(view.server) : address;
		for (const server of servingAtSameAddress(view.snapshot, context.target, context.together ?? [context.target])) {
			staying.add(`${server.backend}/${server.server}`);
		}
	}

	return staying.size === 0 ? null : {address, servers: [...staying]};
}

/** The note of {@link sharedAddress}, with the maintenance that takes them all out together. */
function sharedAddressNote(context: RunbookContext, {address, servers}: NonNullable<RunbookFacts['sharedAddress']>): string {
	const names = servers.map((name) => visible(name));
	const one = names.length === 1;
	return `${visible(address)} also serves ${andList(names)}, which this maintenance leaves in rotation: work that stops the service there (a restart, a reboot) fails ${one ? 'its' : 'their'} requests too. A maintenance of @${visible(address)} takes every server at that address out together${context.options.interactive ? ' (from the grid: m on the server)' : ''}.`;
}

export const validateChecks: CheckDefinition[] = [targetExists, notInMaintenance, socketAdmin, configValid, backendFree, capacity, warnings];
