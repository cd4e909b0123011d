import net from 'node:net';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {freePort} from '../../source/lab/free-port.js';
import {readJournal} from '../../source/runbook/journal.js';
import {rawServersState} from '../helpers/raw-haproxy.js';
import type {HeadlessResult} from '../../source/headless/report.js';
import {runCli, startCli} from '../helpers/run-cli.js';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';

let bed: TestBed;
let agent: net.Server;
let agentConnections = 0;
/** What the agent answers HAProxy next; each test begins with "up 100% ready". */
let agentAnswer = 'up 100% ready';

beforeAll(async () => {
	// The server's agent: it tells HAProxy, every 200 ms, that the server is up and ready.
	const agentPort = await freePort();
	agent = net.createServer((socket) => {
		agentConnections++;
		socket.on('error', () => undefined);
		socket.end(`${agentAnswer}\n`);
	});
	await new Promise<void>((resolve) => {
		agent.listen(agentPort, '127.0.0.1', resolve);
	});
	bed = await startTestBed({
		demos: ['app01', 'app02'],
		config: (context) => `${context.global()}
${defaultsSection}
frontend web
    bind 127.0.0.1:${context.frontendPort}
    default_backend webapps

backend webapps
    option httpchk GET /
    default-server check inter 200 fall 2 rise 2
    server app01 127.0.0.1:${context.port('app01')} agent-check agent-port ${agentPort} agent-inter 200ms
    server app02 127.0.0.1:${context.port('app02')}
`,
	});
});

afterEach(async () => {
	agentAnswer = 'up 100% ready';
	await bed.send('enable agent webapps/app01');
	await bed.send('set server webapps/app01 state ready');
});

afterAll(async () => {
	await bed?.stop();
	await new Promise((resolve) => {
		agent.close(resolve);
	});
});

const app01Row = async () => rawServersState(await bed.send('show servers state webapps')).find((candidate) => candidate['srv_name'] === 'app01')!;

/** app01 as HAProxy shows it: admin state, and whether its agent-check runs (srv_agent_state ENABLED, 0x04). */
const app01 = async () => {
	const row = await app01Row();
	return {admin: row['srv_admin_state'], agentEnabled: (Number(row['srv_agent_state']) & 0x04) !== 0};
};

/** Waits until HAProxy reports app01 unchanged for 2 s: ten agent intervals, time enough for an agent to undo a drain. */
const quietFor2s = async () => waitFor('app01 unchanged for 2 s', async () => (Number((await app01Row())['srv_time_since_last_change']) >= 2 ? true : undefined), 10_000, 200);

const common = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/${journal}`, '--yes'];

describe('a server whose agent-check answers "up 100% ready"', () => {
	it('drain stops the agent first, so the drain holds; restore, a later process, starts it again', async () => {
		// The agent is in use: HAProxy connects to it.
		await expect.poll(() => agentConnections, {timeout: 5000}).toBeGreaterThan(0);
		const drain = await runCli(['drain', 'webapps/app01', ...common('agent.jsonl')]);
		expect(drain.code, drain.stderr).toBe(0);
		await quietFor2s();
		expect(await app01()).toEqual({admin: '8', agentEnabled: false});
		expect(drain.stderr).toContain('webapps/app01 has an agent-check that can set its state (an agent answering "ready" undoes a drain): the drain sends "disable agent webapps/app01" first');
		expect(drain.stderr).toContain('→ disable agent webapps/app01; set server webapps/app01 state drain (confirmed by --yes)');
		expect(drain.stderr).toMatch(/✓ confirm · Drain holds: HAProxy still shows FDRAIN \d+(\.\d)? s after the drain was set \(\d+ reads\): nothing undoes it\./);
		const sent = readJournal(`${bed.dir}/agent.jsonl`).entries.filter((entry) => entry.event === 'reply').map((entry) => [entry.command, entry.ok]);
		expect(sent).toEqual([
			['disable agent webapps/app01', true],
			['set server webapps/app01 state drain', true],
		]);

		const restore = await runCli(['restore', 'webapps/app01', ...common('agent.jsonl')]);
		expect(restore.code, restore.stderr).toBe(0);
		expect(restore.stderr).toContain('→ set server webapps/app01 state ready; enable agent webapps/app01 (confirmed by --yes)');
		expect(await app01()).toEqual({admin: '0', agentEnabled: true});
		// The agent runs again: HAProxy connects to it once more.
		const before = agentConnections;
		await expect.poll(() => agentConnections, {timeout: 5000}).toBeGreaterThan(before);
		expect((await app01()).admin).toBe('0');
	});

	it('restore leaves alone an agent-check that someone else disabled before the maintenance, and says so', async () => {
		await bed.send('disable agent webapps/app01');
		const drain = await runCli(['drain', 'webapps/app01', ...common('theirs.jsonl')]);
		expect(drain.code, drain.stderr).toBe(0);
		expect(drain.stderr).toContain("webapps/app01's agent-check is disabled already, not by this maintenance: restore leaves it disabled.");
		expect(drain.stderr).toContain('→ set server webapps/app01 state drain (confirmed by --yes)');
		const restore = await runCli(['restore', 'webapps/app01', ...common('theirs.jsonl')]);
		expect(restore.code, restore.stderr).toBe(0);
		expect(restore.stderr).toContain(
			'! restore · Ready command: The agent-check of webapps/app01 is disabled, and the journal does not show this maintenance disabling it, so it stays disabled; send "enable agent webapps/app01" if it should run again.',
		);
		expect(await app01()).toEqual({admin: '0', agentEnabled: false});
	});

	it('put back at confirm when the rest of the backend goes down: ready, and the agent this maintenance stopped started again', async () => {
		const journal = `${bed.dir}/agent-outage.jsonl`;
		const drain = startCli(['drain', 'webapps/app01', ...common('agent-outage.jsonl'), '--json']);
		try {
			await drain.waitForStderr('✓ drain · Drain command', 60_000);
			await bed.demo('app02').stop();
			const {code} = await drain.exited;
			expect(code, drain.stderr).toBe(1);
			expect(drain.stderr).toContain('so webapps/app01, healthy, was put back into rotation at once ("set server webapps/app01 state ready" then "enable agent webapps/app01")');
			const rollbacks = readJournal(journal).entries.filter((entry) => entry.event === 'rollback');
			expect(rollbacks.map((entry) => [entry.command, entry.ok])).toEqual([
				['set server webapps/app01 state ready', true],
				['enable agent webapps/app01', true],
			]);
			expect(await app01()).toEqual({admin: '0', agentEnabled: true});
		} finally {
			drain.child.kill('SIGKILL');
			await bed.demo('app02').start();
		}

		await waitFor('app02 up again', async () => ((await bed.send('show stat webapps 4 -1')).split('\n').some((row) => row.startsWith('webapps,app02,') && row.includes(',UP,')) ? true : undefined), 30_000);
	}, 90_000);

	it('a reload while confirm watches the drain hold is named as the reload, which started the agent the drain had disabled again', async () => {
		// A hold long enough for the reload to land in it on a busy machine (the suite's is 1 s).
		const drain = startCli(['drain', 'webapps/app01', ...common('agent-reload.jsonl'), '--json'], {DRAINBOARD_HOLD_SECONDS: '6'});
		let before = 0;
		let after = 0;
		try {
			await drain.waitForStderr('… confirm · Watching the drain hold', 60_000);
			expect(await app01()).toEqual({admin: '8', agentEnabled: false});
			before = bed.haproxy.pid;
			await bed.haproxy.reload();
			after = bed.haproxy.pid;
			const {code} = await drain.exited;
			expect(code, drain.stderr).toBe(1);
		} finally {
			drain.child.kill('SIGKILL');
		}

		expect(await app01()).toEqual({admin: '0', agentEnabled: true});
		// A reload slower than the hold (a busy machine) lands during a later confirm check, which says
		// the counters restarted; the last line then names the reload and the agent, as Drain holds does.
		if (drain.stderr.includes('✓ confirm · Drain holds')) {
			expect(drain.stderr).toContain(`webapps/app01 is in rotation now (admin flags none, read back now): HAProxy at ${bed.adminSocket} was reloaded or restarted during this run (pid ${before} → ${after}), which dropped the drain, not drainboard. The reload also started its agent-check again, which the drain had disabled.`);
			return;
		}

		expect(drain.stderr).toMatch(
			new RegExp(`✗ confirm · Drain holds: HAProxy was reloaded or restarted \\(pid ${before} → ${after}\\) \\d+(\\.\\d)? s after the drain was set, and the new process does not have the drain \\(no server-state file kept it\\): it shows admin flags none\\. The reload also started its agent-check again, which the drain had disabled\\.`),
		);
		expect(drain.stderr).not.toContain('an agent answering "ready" sets it back');
		expect((JSON.parse(drain.stdout) as HeadlessResult).error?.message).toContain('the reload also started its agent-check again');
	}, 90_000);

	it('restore fails, journaled, when the agent it started again drains the server once more', async () => {
		const journal = `${bed.dir}/agent-drains.jsonl`;
		const drain = await runCli(['drain', 'webapps/app01', ...common('agent-drains.jsonl')]);
		expect(drain.code, drain.stderr).toBe(0);
		expect(await app01()).toEqual({admin: '8', agentEnabled: false});
		// The agent, stopped by the drain, now answers "drain": started again by restore, it drains app01.
		agentAnswer = 'drain';
		const restore = await runCli(['restore', 'webapps/app01', ...common('agent-drains.jsonl'), '--json']);
		expect(restore.code, restore.stderr).toBe(1);
		expect(restore.stderr).toContain('→ set server webapps/app01 state ready; enable agent webapps/app01 (confirmed by --yes)');
		expect(await app01()).toEqual({admin: '8', agentEnabled: true});
		const line = restore.stderr.split('\n').find((text) => text.startsWith('✗ restore · '))!;
		// The agent answers within its interval: before drain-cleared's read (on a busy machine) or while ready-holds watches. Both say the same.
		const [, title] = /^✗ restore · (Drain bit gone|Ready holds): /.exec(line) ?? [];
		expect(title, line).toBeDefined();
		expect(line.slice(`✗ restore · ${title}: `.length)).toMatch(/^HAProxy shows webapps\/app01 drained again \d+(\.\d)? s after the ready \(admin flags FDRAIN, status "DRAIN \(agent\)"\): its agent-check, running again since this restore, likely answered "drain"\./);
		expect(restore.stderr).not.toContain('back in rotation, proven by traffic');
		const json = JSON.parse(restore.stdout) as HeadlessResult;
		expect(json).toMatchObject({ok: false, drained: true});
		expect(json.error?.message).toContain('drained again');
		const holds = readJournal(journal).entries.find((entry) => entry.event === 'check' && entry.check === (title === 'Ready holds' ? 'ready-holds' : 'drain-cleared'))!;
		expect(holds).toMatchObject({verdict: 'fail'});
		expect(holds.observed).toBe(line.slice(`✗ restore · ${title}: `.length, line.indexOf(' Do: ')));
	}, 60_000);
});
