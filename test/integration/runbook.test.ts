import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {PoolPoller, type PollView} from '../../source/poll/pool-poller.js';
import {parseOptions} from '../../source/options.js';
import type {RunbookIo} from '../../source/runbook/context.js';
import {readJournal} from '../../source/runbook/journal.js';
import {beginMaintenance, prepareMaintenance} from '../../source/runbook/prepare.js';
import {runStep} from '../../source/runbook/run-step.js';
import type {Alarm, Prompt} from '../../source/runbook/state.js';
import {TargetWatch} from '../../source/runbook/watch.js';
import {createRuntimeClient, type RuntimeClient} from '../../source/poll/client.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {parseTarget, type Target} from '../../source/runtime/names.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {startForwardingSocket} from '../helpers/forwarding-socket.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';

let bed: TestBed;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
});

afterAll(async () => {
	await bed?.stop();
});

/**
 * A poller reading through `clients` every 100 ms, its views fed to a {@link TargetWatch} of
 * `target` (drained), as the wizard does: the alarms it raised, and how many views it saw.
 */
function watchedPolls(clients: readonly RuntimeClient[], socket: string, target: Target) {
	const watch = new TargetWatch();
	const seen = {alarms: [] as Alarm[], views: 0};
	const poller = new PoolPoller({
		clients,
		intervalMs: 100,
		onChange(view: PollView) {
			seen.views++;
			const snapshot = view.pool?.instances[0];
			const server = snapshot?.backends.find((backend) => backend.name === target.backend)?.servers.find((candidate) => candidate.server === target.server) ?? null;
			const ok = view.health[0]!.ok;
			seen.alarms.push(...watch.observe({socket, at: Date.now(), instance: ok ? (snapshot?.instance ?? null) : null, server: ok ? server : null}, {target, drained: true}).raise);
		},
	});
	poller.focus(target.backend);
	poller.start();
	return {seen, stop: () => poller.stop()};
}

async function prepared(target: string, journal: string, extra: Record<string, unknown> = {}) {
	const options = parseOptions({socket: [bed.adminSocket], config: bed.configPath, journal: `${bed.dir}/${journal}`, quietTimeout: 5, readyTimeout: 3, ...extra});
	const maintenance = await prepareMaintenance(options, parseTarget(target), {interactive: false});
	const prompts: Prompt[] = [];
	const io: RunbookIo = {
		dispatch(action) {
			maintenance.context.store.dispatch(action);
		},
		async ask(prompt) {
			prompts.push(prompt);
			return true;
		},
	};
	beginMaintenance(maintenance.context, maintenance.resume);
	return {...maintenance, io, prompts, state: () => maintenance.context.store.getState()};
}

const admin = async (server: string) => adminStates(await bed.send('show servers state webapps'))[`webapps/${server}`];

describe('a maintenance against a real HAProxy', () => {
	it('drains, refuses to restore while the service is down, restores once it is back, and proves traffic', async () => {
		const run = await prepared('webapps/app01', 'full.jsonl');
		expect(run.context.probe?.url).toBe(bed.url);
		for (const step of ['validate', 'baseline', 'drain', 'confirm'] as const) {
			expect(await runStep(step, run.context, run.io), `${step}: ${JSON.stringify(run.state().steps[step].checks.at(-1))}`).toBe('passed');
		}

		expect(run.prompts.map((prompt) => (prompt.kind === 'command' ? prompt.command : prompt.id))).toEqual(['set server webapps/app01 state drain']);
		expect(await admin('app01')).toBe('8');
		const baseline = run.state().steps.baseline.checks.find((check) => check.id === 'baseline-traffic')!;
		expect(baseline.evidence?.['targetDelta']).toBeGreaterThan(0);
		const moved = run.state().steps.confirm.checks.find((check) => check.id === 'traffic-moved')!;
		expect(moved.evidence).toMatchObject({sent: 10, succeeded: 10, targetDelta: 0});

		await bed.demo('app01').stop();
		await waitFor('HAProxy to see app01 down', async () => ((await bed.send('show stat webapps 4 1')).includes(',DOWN,') ? true : undefined));
		expect(await runStep('maintain', run.context, run.io)).toBe('failed');
		const refused = run.state().steps.maintain.checks[0]!;
		expect(refused.observed).toMatch(/^app01 is not healthy: DOWN .*L4CON/);
		expect(run.state().current).toBe('maintain');
		expect(await admin('app01')).toBe('8');

		await bed.demo('app01').start();
		run.context.options.readyTimeoutMs = 15_000;
		expect(await runStep('maintain', run.context, run.io)).toBe('passed');
		expect(await runStep('restore', run.context, run.io)).toBe('passed');
		expect(await admin('app01')).toBe('0');
		const returned = run.state().steps.restore.checks.find((check) => check.id === 'traffic-returns')!;
		expect(returned.evidence?.['targetDelta']).toBeGreaterThan(0);
		expect(run.state().finished).toBe(true);

		const {entries} = readJournal(`${bed.dir}/full.jsonl`);
		expect(entries[0]).toMatchObject({event: 'started', target: 'webapps/app01', step: 'validate'});
		expect(entries.filter((entry) => entry.event === 'command').map((entry) => entry.command)).toEqual(['set server webapps/app01 state drain', 'set server webapps/app01 state ready']);
		expect(entries.find((entry) => entry.event === 'reply' && entry.command?.endsWith('drain'))).toMatchObject({ok: true, reply: '\n', socket: bed.adminSocket});
		expect(entries.filter((entry) => entry.step === 'maintain' && entry.event === 'step-failed')).toHaveLength(1);
		expect(entries.at(-1)?.event).toBe('finished');
		expect(entries.every((entry) => entry.user.length > 0 && entry.host.length > 0)).toBe(true);
	});

	it('refuses to drain the last serving server of a backend, and changes nothing', async () => {
		await bed.send('set server api/api2 state maint');
		try {
			const run = await prepared('api/api1', 'last.jsonl');
			expect(await runStep('validate', run.context, run.io)).toBe('failed');
			expect(run.state().steps.validate.checks.find((check) => check.id === 'capacity')?.observed).toContain('no other active server of api is up and in rotation');
			expect(adminStates(await bed.send('show servers state api'))['api/api1']).toBe('0');
		} finally {
			await bed.send('set server api/api2 state ready');
		}
	});

	it('raises the reload alarm from real polls when HAProxy reloads during maintenance, with the drain lost', async () => {
		const run = await prepared('webapps/app02', 'reload.jsonl');
		for (const step of ['validate', 'baseline', 'drain'] as const) {
			expect(await runStep(step, run.context, run.io)).toBe('passed');
		}

		const polls = watchedPolls(run.context.clients, bed.adminSocket, run.context.target);
		try {
			await waitFor('two polls', () => (polls.seen.views >= 2 ? true : undefined));
			const before = bed.haproxy.pid;
			await bed.haproxy.reload();
			const alarm = await waitFor('the reload alarm', () => polls.seen.alarms.find((candidate) => candidate.kind === 'reload'));
			expect(alarm.reapply).toBe(true);
			expect(alarm.message).toBe(`HAProxy at ${bed.adminSocket} was reloaded or restarted (pid ${before} → ${bed.haproxy.pid}). The drain is gone: app02 is back in rotation. Press r to re-apply it.`);
			expect(await admin('app02')).toBe('0');
		} finally {
			polls.stop();
		}
	});

	it('says the same of a reload during which the polls got no answer (a loaded host), never that HAProxy restarted', async () => {
		const target = parseTarget('webapps/app03');
		await bed.send('set server webapps/app03 state drain');
		// The polls read HAProxy through a socket that loses every reply while `stalled`.
		let stalled = false;
		const socket = await startForwardingSocket(bed.adminSocket, () => (stalled ? 'lose-reply' : 'forward'));
		const polls = watchedPolls([createRuntimeClient(parseEndpoint(socket.path), {timeoutMs: 300})], socket.path, target);
		try {
			await waitFor('two polls', () => (polls.seen.views >= 2 ? true : undefined));
			stalled = true;
			await waitFor('the unreachable alarm', () => polls.seen.alarms.find((candidate) => candidate.kind === 'unreachable'));
			const before = bed.haproxy.pid;
			await bed.haproxy.reload();
			stalled = false;
			const alarm = await waitFor('the reload alarm', () => polls.seen.alarms.find((candidate) => candidate.kind === 'reload'));
			expect(polls.seen.alarms.map((candidate) => candidate.kind)).toEqual(['unreachable', 'reload']);
			expect(alarm).toMatchObject({id: `reload:${socket.path}`, reapply: true});
			expect(alarm.message).toBe(`HAProxy at ${socket.path} was reloaded or restarted (pid ${before} → ${bed.haproxy.pid}). The drain is gone: app03 is back in rotation. Press r to re-apply it.`);
		} finally {
			polls.stop();
			await socket.close();
		}
	});
});
