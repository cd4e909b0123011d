import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {chmod} from 'node:fs/promises';
import net from 'node:net';
import process from 'node:process';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {parseOptions} from '../../source/options.js';
import type {RunbookIo} from '../../source/runbook/context.js';
import {readJournal} from '../../source/runbook/journal.js';
import {beginMaintenance, prepareMaintenance} from '../../source/runbook/prepare.js';
import {runStep} from '../../source/runbook/run-step.js';
import {parseTarget} from '../../source/runtime/names.js';
import {checklist} from '../helpers/checklist.js';
import {holdLock} from '../helpers/lock-holder.js';
import {adminStates, rawStat} from '../helpers/raw-haproxy.js';
import {startRequestLog} from '../helpers/request-log.js';
import {cliPath, runCli, spawnCli, startCli} from '../helpers/run-cli.js';
import {sharedLockDir, webConfig} from '../fixtures/web.cfg.js';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';
import {scratchDir} from '../helpers/scratch.js';
import {startCliInTmux} from '../helpers/tmux.js';
import {waitFor} from '../helpers/wait-for.js';

let bed: TestBed;
let lockDir: string;

beforeAll(async () => {
	bed = await startTestBed({demos: ['s1', 's2'], config: (context) => webConfig(context, ['s1', 's2'])});
	lockDir = await sharedLockDir(bed.dir);
	process.env['DRAINBOARD_LOCK_DIR'] = lockDir;
});

afterEach(async () => {
	await bed.send('set server web/s1 state ready');
	await bed.send('set server web/s2 state ready');
});

afterAll(async () => {
	delete process.env['DRAINBOARD_LOCK_DIR'];
	await bed?.stop();
});

const states = async () => adminStates(await bed.send('show servers state web'));

/**
 * Requests that stay open on their server: a POST whose body never comes whole (HAProxy sends the
 * headers on, the server has answered, the stream waits for the rest of the body). Closed by the caller.
 */
async function openPost(): Promise<net.Socket> {
	const {port} = new URL(bed.url);
	const socket = net.connect(Number(port), '127.0.0.1');
	await new Promise<void>((resolve, reject) => {
		socket.once('connect', resolve).once('error', reject);
	});
	socket.on('error', () => undefined);
	socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\nx');
	return socket;
}

/**
 * Opens such requests, two at a time and at most 20, until HAProxy shows some open on `server`:
 * round robin can send the first ones all to the other server (a health check of `server` late on
 * a loaded machine takes it out for a moment). Returns every socket opened, for the caller to close.
 */
async function holdSessionsOn(server: string, sockets: net.Socket[]): Promise<void> {
	let status = 'unread';
	await waitFor(
		() => `requests open on ${server} (${sockets.length} opened; HAProxy shows it ${status})`,
		async () => {
			const row = rawStat(await bed.send('show stat web 4 -1')).find((stat) => stat['svname'] === server);
			status = row?.['status'] ?? 'absent';
			if (Number(row?.['scur'] ?? 0) > 0) {
				return true;
			}

			if (sockets.length < 20) {
				sockets.push(await openPost(), await openPost());
			}

			return undefined;
		},
		20_000,
		100,
	);
}

const asUser = (user: string) => ({USER: user, SUDO_USER: '', DRAINBOARD_LOCK_DIR: lockDir});

/** Runs a spawned CLI to its end. */
async function finished(child: ChildProcessWithoutNullStreams): Promise<{code: number | null; stderr: string; pid: number}> {
	let stderr = '';
	child.stderr.on('data', (chunk: Buffer) => {
		stderr += chunk.toString('utf8');
	});
	child.stdout.resume();
	child.stdin.end();
	const code = await new Promise<number | null>((resolve) => {
		child.once('close', resolve);
	});
	return {code, stderr, pid: child.pid!};
}

describe('two operators draining the two servers of a backend at the same instant', () => {
	it('drains exactly one; the other refuses, naming who holds the backend; the frontend answers 200 throughout (4 rounds)', async () => {
		for (let round = 0; round < 4; round++) {
			const traffic = startRequestLog(bed.url, {maxMs: 30_000, maxRequests: 3000});
			const common = ['--socket', bed.adminSocket, '--config', bed.configPath, '--yes'];
			const alice = spawnCli(['drain', 'web/s1', ...common, '--journal', `${bed.dir}/alice-${round}.jsonl`], asUser('alice'));
			const bob = spawnCli(['drain', 'web/s2', ...common, '--journal', `${bed.dir}/bob-${round}.jsonl`], asUser('bob'));
			const [a, b] = await Promise.all([finished(alice), finished(bob)]);
			const log = await traffic.stop();

			const winner = a.code === 0 ? {run: a, server: 's1', user: 'alice'} : {run: b, server: 's2', user: 'bob'};
			const loser = a.code === 0 ? {run: b, server: 's2'} : {run: a, server: 's1'};
			expect([a.code, b.code].sort(), `round ${round}: ${a.stderr}\n${b.stderr}`).toEqual([0, 1]);
			expect(loser.run.stderr).toMatch(
				new RegExp(`web is being changed by ${winner.user} \\(pid ${winner.run.pid}, drain of web/${winner.server} since \\d\\d:\\d\\d:\\d\\d\\); try again when it is done\\.`),
			);
			expect(loser.run.stderr).toContain('Nothing was changed on HAProxy by this run.');
			expect(await states()).toEqual({[`web/${winner.server}`]: '8', [`web/${loser.server}`]: '0'});
			expect(log.length).toBeGreaterThan(10);
			expect(log.filter((request) => request.status !== 200)).toEqual([]);
			await bed.send(`set server web/${winner.server} state ready`);
		}
	}, 120_000);

	it('a drainboard stopped by SIGTERM leaves no lock behind: the next one takes it without a word', async () => {
		const run = spawnCli(['drain', 'web/s1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/sigterm.jsonl`, '--yes'], asUser('erin'));
		let stderr = '';
		run.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString('utf8');
		});
		// Between the drain and the end of confirm, the lock is held.
		await waitFor('the drain to be sent', () => (stderr.includes('drain · Drain command') ? true : undefined), 20_000);
		const locks = () => readdirSync(lockDir).filter((name) => name.endsWith('.lock'));
		expect(locks().length).toBeGreaterThan(0);
		run.kill('SIGTERM');
		await new Promise((resolve) => {
			run.once('close', resolve);
		});
		// The lock is gone; the note of whose drain s1 is stays with the drain (drain-mark.ts).
		expect(locks()).toEqual([]);
		expect(readdirSync(lockDir)).toContainEqual(expect.stringMatching(/\.web=s1\.\d+\.drained$/));
		await bed.send('set server web/s1 state ready');
		const next = await runCli(['drain', 'web/s2', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/after-sigterm.jsonl`, '--yes'], {env: asUser('frank')});
		expect(next.code, next.stderr).toBe(0);
		expect(next.stderr).not.toContain('Took over');
	});

	it('a stale lock (its drainboard killed) is taken over, and said so', async () => {
		const holder = await holdLock({dir: lockDir, socket: bed.adminSocket, backend: 'web', what: 'drain of web/s2', user: 'carol'});
		await holder.kill();
		const result = await runCli(['drain', 'web/s1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/stale.jsonl`, '--yes'], {env: asUser('dave')});
		expect(result.code, result.stderr).toBe(0);
		expect(result.stderr).toMatch(
			new RegExp(`! validate · Nobody else changing it: Took over the lock of web left by carol \\(pid ${holder.pid}, drain of web/s2 since \\d\\d:\\d\\d:\\d\\d\\), which is no longer running\\.`),
		);
		expect((await states())['web/s1']).toBe('8');
	});
});

describe('the lock across a reload', () => {
	it('of a master-worker HAProxy still holds: the master keeps its pid while the worker changes', async () => {
		const mw = await startTestBed({
			demos: ['m1', 'm2'],
			masterWorker: true,
			config: (context) => `${context.global()}
${defaultsSection}
frontend front
    bind 127.0.0.1:${context.frontendPort}
    default_backend web

backend web
    server m1 127.0.0.1:${context.port('m1')} check inter 200
    server m2 127.0.0.1:${context.port('m2')} check inter 200
`,
		});
		try {
			const holder = await holdLock({dir: lockDir, socket: mw.adminSocket, backend: 'web', what: 'drain of web/m2', user: 'alice'});
			const before = mw.haproxy.pid;
			await mw.haproxy.reload();
			expect(mw.haproxy.pid).not.toBe(before);
			const result = await runCli(['drain', 'web/m1', '--socket', mw.adminSocket, '--config', mw.configPath, '--journal', `${mw.dir}/reload.jsonl`, '--yes'], {env: asUser('bob')});
			await holder.release();
			expect(result.code, result.stderr).toBe(1);
			expect(result.stderr).toMatch(new RegExp(`web is being changed by alice \\(pid ${holder.pid}, drain of web/m2 since \\d\\d:\\d\\d:\\d\\d\\); try again when it is done\\.`));
			expect(adminStates(await mw.send('show servers state web'))['web/m1']).toBe('0');
		} finally {
			await mw.stop();
		}
	});
});

describe('the lock of a HAProxy reloaded with -sf and no master', () => {
	it('still holds across the reload: the new process has a new pid, the socket path is the same', async () => {
		const holder = await holdLock({dir: lockDir, socket: bed.adminSocket, backend: 'web', what: 'drain of web/s2', user: 'alice'});
		try {
			const before = bed.haproxy.pid;
			await bed.haproxy.reload();
			expect(bed.haproxy.pid).not.toBe(before);
			const result = await runCli(['drain', 'web/s1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/sf-reload.jsonl`, '--yes'], {env: asUser('bob')});
			expect(result.code, result.stderr).toBe(1);
			expect(result.stderr).toMatch(new RegExp(`web is being changed by alice \\(pid ${holder.pid}, drain of web/s2 since \\d\\d:\\d\\d:\\d\\d\\); try again when it is done\\.`));
			expect(result.stderr).not.toContain('set server web/s1 state drain');
			expect((await states())['web/s1']).toBe('0');
		} finally {
			await holder.release();
		}
	});
});

describe('the lock is shared by every user of the host', () => {
	it('a drainboard run as nobody sees the lock root holds, sends nothing, and drains once it is released', async () => {
		const holder = await holdLock({dir: lockDir, socket: bed.adminSocket, backend: 'web', what: 'drain of web/s2', user: 'alice'});
		const journalDir = scratchDir('drainboard-nobody-');
		await chmod(journalDir, 0o777);
		// drainboard reads only a journal of its own user: root reads nobody's as plain JSON lines.
		const nobodysJournal = () =>
			readFileSync(`${journalDir}/journal.jsonl`, 'utf8')
				.split('\n')
				.filter(Boolean)
				.map((line) => JSON.parse(line) as Record<string, unknown>);
		// nobody cannot read the bed's files: it reaches HAProxy through the TCP admin socket.
		const asNobody = async () =>
			runCliAs(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'], ['drain', 'web/s1', '--socket', `127.0.0.1:${bed.tcpPort}`, '--url', bed.url, '--skip-validate', '--journal', `${journalDir}/journal.jsonl`, '--yes']);
		try {
			const refused = await asNobody();
			expect(refused.code, refused.stderr).toBe(1);
			expect(refused.stderr).toMatch(new RegExp(`web is being changed by alice \\(pid ${holder.pid}, drain of web/s2 since \\d\\d:\\d\\d:\\d\\d\\); try again when it is done\\.`));
			expect((await states())['web/s1']).toBe('0');
			expect(nobodysJournal().filter((entry) => entry['event'] === 'command')).toEqual([]);
		} finally {
			await holder.release();
		}

		const drained = await asNobody();
		expect(drained.code, drained.stderr).toBe(0);
		expect((await states())['web/s1']).toBe('8');
		expect(nobodysJournal().at(-1)).toMatchObject({user: 'nobody'});
	});
});

/** The CLI under another identity (a wrapper such as setpriv), with USER set to match. */
async function runCliAs(wrapper: string[], args: string[]): Promise<{code: number | null; stderr: string}> {
	const child = spawn(wrapper[0]!, [...wrapper.slice(1), process.execPath, cliPath, ...args], {
		env: {...process.env, NO_COLOR: '1', USER: 'nobody', SUDO_USER: '', HOME: '/nonexistent', DRAINBOARD_LOCK_DIR: lockDir},
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	const {code, stderr} = await finished(child);
	return {code, stderr};
}

describe('someone outside drainboard changes the backend between validate and the drain', () => {
	async function prepared(journal: string) {
		const options = parseOptions({socket: [bed.adminSocket], config: bed.configPath, journal: `${bed.dir}/${journal}`, quietTimeout: 5});
		const maintenance = await prepareMaintenance(options, parseTarget('web/s1'), {interactive: false});
		const io: RunbookIo = {
			dispatch(action) {
				maintenance.context.store.dispatch(action);
			},
			ask: async () => true,
		};
		beginMaintenance(maintenance.context, undefined);
		for (const step of ['validate', 'baseline'] as const) {
			expect(await runStep(step, maintenance.context, io)).toBe('passed');
		}

		return {context: maintenance.context, io, state: () => maintenance.context.store.getState()};
	}

	it('drained the other server while the drain question was open: nothing is sent', async () => {
		const run = await prepared('question.jsonl');
		const traffic = startRequestLog(bed.url, {maxMs: 20_000, maxRequests: 2000});
		run.io.ask = async () => {
			await bed.send('set server web/s2 state drain');
			return true;
		};

		expect(await runStep('drain', run.context, run.io)).toBe('failed');
		const log = await traffic.stop();
		expect(run.state().steps.drain.checks.at(-1)?.observed).toBe(
			'Right before the drain, HAProxy shows no other active server of web up and in rotation (s2 DRAIN), so nothing was sent: someone changed the backend after validate; look at it, then retry.',
		);
		expect(await states()).toEqual({'web/s1': '0', 'web/s2': '8'});
		const entries = readJournal(`${bed.dir}/question.jsonl`).entries;
		expect(entries.filter((entry) => entry.event === 'reply')).toEqual([]);
		// Nor is the drain on record as a command: it was never sent.
		expect(entries.filter((entry) => entry.event === 'command')).toEqual([]);
		expect(log.filter((request) => request.status !== 200)).toEqual([]);
		expect(run.context.lock.isHeld).toBe(false);
	});

	it('drained the other server just as the drain went out: the target is put back at once, journaled; 503 only in between', async () => {
		const run = await prepared('race.jsonl');
		const client = run.context.clients[0]!;
		const times = {sent: 0, putBack: 0};
		let drains = 0;
		run.context.clients = [
			{
				...client,
				async setServerState(target, state) {
					if (state === 'drain') {
						drains++;
						times.sent = Date.now();
						const outcome = await client.setServerState(target, state);
						// Another operator, with socat, right then.
						await bed.send('set server web/s2 state drain');
						return outcome;
					}

					const outcome = await client.setServerState(target, state);
					times.putBack = Date.now();
					return outcome;
				},
			},
		];
		const traffic = startRequestLog(bed.url, {maxMs: 20_000, maxRequests: 2000, everyMs: 2});
		expect(await runStep('drain', run.context, run.io)).toBe('failed');
		const after = startRequestLog(bed.url, {maxMs: 5000, maxRequests: 20});
		const log = [...(await traffic.stop()), ...(await after.completed())];

		expect(drains).toBe(1);
		expect(run.state().steps.drain.checks.at(-1)).toMatchObject({
			verdict: 'fail',
			exitCode: 1,
			observed: 'Right after the drain, HAProxy showed no other active server of web serving (s2 DRAIN): someone changed the backend meanwhile, so web/s1 was put back to ready at once.',
		});
		expect(await states()).toEqual({'web/s1': '0', 'web/s2': '8'});
		const entries = readJournal(`${bed.dir}/race.jsonl`).entries;
		expect(entries.filter((entry) => entry.event === 'reply' || entry.event === 'rollback').map((entry) => [entry.event, entry.command, entry.ok])).toEqual([
			['reply', 'set server web/s1 state drain', true],
			['rollback', 'set server web/s1 state ready', true],
		]);
		expect(entries.find((entry) => entry.event === 'rollback')?.detail).toBe('no other server serving right after the drain');
		// Every failed request was in flight between the drain going out and the target coming back.
		const failed = log.filter((request) => request.status !== 200);
		expect(failed.every((request) => request.endedAt >= times.sent && request.startedAt <= times.putBack), JSON.stringify({failed, times})).toBe(true);
		expect(log.slice(-20).every((request) => request.status === 200)).toBe(true);
	});
});

describe('someone puts the target into maintenance while confirm watches the drain hold', () => {
	it('says it was put into maintenance by someone else (out of rotation), not that it is back in rotation; the next run says MAINT too', async () => {
		const journal = `${bed.dir}/maint-during-hold.jsonl`;
		const drain = spawnCli(['drain', 'web/s1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--yes'], asUser('alice'));
		const done = finished(drain);
		// The drain bit seen set: confirm watches it hold for 3 s from the drain.
		await waitFor('confirm has seen the drain bit', () => (existsSync(journal) && readJournal(journal).entries.some((entry) => entry.check === 'drain-bit' && entry.verdict === 'pass')) || undefined, 20_000, 20);
		await bed.send('set server web/s1 state maint');
		const run = await done;
		expect(run.code, run.stderr).toBe(1);
		expect(run.stderr).toMatch(/HAProxy shows web\/s1 in maintenance now \(admin flags FMAINT\)/);
		expect(run.stderr).toContain('Someone or something else put the server into maintenance (set server … state maint): it is out of rotation, but not by this drain.');
		expect(run.stderr).not.toContain('back into rotation');
		expect((await states())['web/s1']).toBe('1');
		const again = await runCli(['drain', 'web/s1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--dry-run'], {env: asUser('alice')});
		expect(again.stderr).toContain('HAProxy shows the server in maintenance (MAINT), not drained, now (someone put it there with state maint)');
		expect(again.stderr).not.toContain('in rotation now');
		// Whoever put it into maintenance drains it then: that drain is not alice's maintenance's, and her restore does not say it is.
		await bed.send('set server web/s1 state drain');
		const preview = await runCli(['restore', 'web/s1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--dry-run'], {env: asUser('alice')});
		expect(preview.stderr).toMatch(/→ resuming at maintain: HAProxy shows the target drained again, by someone or something else: a run saw the drain of alice's maintenance \(started at [^)]*, still open in this journal\) replaced by someone's maintenance \(state maint\) after it was made/);
		expect(preview.stderr).not.toMatch(/maintenance that alice started .* drained it/);
	});

	it('a drain made after a later run saw the target in maintenance is not taken for the maintenance whose drain it replaced', async () => {
		const journal = `${bed.dir}/maint-after-drain.jsonl`;
		const flags = ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal];
		const drain = await runCli(['drain', 'web/s1', ...flags, '--yes'], {env: asUser('alice')});
		expect(drain.code, drain.stderr).toBe(0);
		await bed.send('set server web/s1 state maint');
		// Her restore sees it in maintenance: refused (not drained), and journaled as her drain replaced.
		const refused = await runCli(['restore', 'web/s1', ...flags, '--yes'], {env: asUser('alice')});
		expect(refused.code, refused.stderr).toBe(1);
		expect(readJournal(journal).entries.filter((entry) => entry.check === 'drain-replaced').map((entry) => entry.observed)).toEqual([expect.stringMatching(/^HAProxy shows web\/s1 in maintenance \(MAINT\), not drained: the drain of the maintenance alice started at .* was replaced by someone's state maint\.$/)]);
		await bed.send('set server web/s1 state drain');
		const restore = await runCli(['restore', 'web/s1', ...flags, '--yes'], {env: asUser('alice')});
		expect(restore.code, restore.stderr).toBe(0);
		expect(restore.stderr).toContain("→ resuming at maintain: HAProxy shows the target drained again, by someone or something else: a run saw the drain of alice's maintenance");
		expect(restore.stderr).not.toMatch(/maintenance that alice started .* drained it/);
		// Nor does its summary time the ready from the drain that was replaced.
		expect(restore.stderr).toContain('Summary');
		expect(restore.stderr).not.toContain('Drain sent');
		expect((await states())['web/s1']).toBe('0');
	});
});

/** The wizard on web/s1 from its start to confirm: validate, baseline, the drain asked and answered yes. */
async function drainInWizard(session: Awaited<ReturnType<typeof startCliInTmux>>): Promise<void> {
	await session.waitForScreen('Enter run validate');
	await session.press('Enter', (current) => checklist(current).includes('▶ baseline'));
	await session.press('Enter', (current) => checklist(current).includes('▶ drain'));
	await session.press('Enter', 'set server web/s1 state drain');
	await session.press('y', (current) => checklist(current).includes('▶ confirm'));
}

describe('someone takes the rest of the backend out while this maintenance has the target drained', () => {
	it('the wizard says the outage and b brings the target back at once (restore: health, then ready, asked first), journaled; the lock is let go', async () => {
		const journal = `${bed.dir}/outage.jsonl`;
		const session = await startCliInTmux(['web/s1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 100, rows: 30, env: {DRAINBOARD_LOCK_DIR: lockDir}});
		try {
			await drainInWizard(session);
			// Nothing to bring forward while the rest of the backend serves.
			const before = await session.screen();
			expect(before).not.toContain('b bring it back now');
			expect(before.replace(/\s+/g, ' ')).toContain('Press Enter to prove no new traffic reaches it and its sessions end.');
			await bed.send('set server web/s2 state maint');
			let screen = await session.waitForScreen('has no server serving');
			expect(screen.replace(/\s+/g, ' ')).toContain('web/s1, drained by this maintenance, is healthy: b brings it back now (restore: its health, then ready, asked first).');
			expect(screen).toContain('b bring it back now');
			// The step's text says what to do during the outage, not to prove what cannot pass now.
			expect(screen.replace(/\s+/g, ' ')).toContain('Confirm cannot pass while no other server of the backend serves (above). b brings the target back now; Enter runs confirm anyway.');
			expect(screen).not.toContain('Press Enter to prove');
			screen = await session.press('b', 'set server web/s1 state ready');
			expect(checklist(screen)).toMatch(/✓ drain › – confirm › – maintain › \S restore/);
			// Asked first: nothing sent before the y; a no goes back to confirm, the steps it skipped to run again.
			expect((await states())['web/s1']).toBe('8');
			screen = await session.press('n', 'back at confirm');
			expect(checklist(screen)).toContain('✓ drain › ▶ confirm › · maintain › · restore');
			expect((await states())['web/s1']).toBe('8');
			screen = await session.press('b', 'set server web/s1 state ready');
			// Brought back early, the work never waited for: not called a complete maintenance.
			screen = await session.press('y', 'back in rotation early (b)', 30_000);
			expect(screen).not.toContain('maintenance complete');
			expect((await states())['web/s1']).toBe('0');
			// The backend serves again (web/s1): the outage alarm is withdrawn, not left saying clients get errors.
			screen = await session.waitForScreen((current) => !current.includes('has no server serving'));
			expect(screen).toContain('back in rotation early (b)');
			const entries = readJournal(journal).entries;
			expect(entries.find((entry) => entry.event === 'override')?.detail).toMatch(/^restore brought forward at confirm: web has no server serving on /);
			expect(entries.at(-1)?.event).toBe('finished');
			// The backend is free for the next drainboard.
			const next = await runCli(['drain', 'web/s2', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/after-outage.jsonl`, '--dry-run'], {env: asUser('bob')});
			expect(next.stderr).not.toContain('is being changed by');
		} finally {
			await session.kill();
		}
	});
});

describe('someone sets the target ready while the restore asks for its ready', () => {
	it('says it is back in rotation not by this restore, offers no re-apply, and the y sends nothing, claims no ready, and proves the traffic HAProxy gives it now', async () => {
		const journal = `${bed.dir}/ready-outside.jsonl`;
		const session = await startCliInTmux(['web/s1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 100, rows: 30});
		try {
			await drainInWizard(session);
			await session.press('Enter', (current) => checklist(current).includes('▶ maintain'), 30_000);
			await session.press('Enter', (current) => checklist(current).includes('✓ maintain'), 30_000);
			await session.press('Enter', 'set server web/s1 state ready');
			await bed.send('set server web/s1 state ready');
			let screen = await session.waitForScreen('not by this restore');
			expect(screen.replace(/\s+/g, ' ')).toContain('It is back in rotation, not by this restore: the restore sends nothing now.');
			expect(screen).not.toContain('r re-apply');
			screen = await session.press('y', 'maintenance complete', 30_000);
			expect(screen.replace(/\s+/g, ' ')).toContain('! Ready command: web/s1 is in rotation already: HAProxy shows it neither drained nor in maintenance (set ready outside this maintenance), so "state ready" was not sent.');
			expect(screen).toMatch(/✓ Traffic returns: /);
			// No drain → ready window is claimed: this restore sent no ready.
			expect(screen).not.toContain('ready sent');
			const entries = readJournal(journal).entries;
			expect(entries.filter((entry) => entry.event === 'reply' && entry.command === 'set server web/s1 state ready')).toEqual([]);
			expect((await states())['web/s1']).toBe('0');
		} finally {
			await session.kill();
		}
	});
});

describe('a grid opened while another drainboard runs a maintenance of the same journal', () => {
	it('says the drained server is under way elsewhere (no r), and offers r once that drainboard has quit, without being opened again', async () => {
		const journal = `${bed.dir}/elsewhere.jsonl`;
		const args = ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal];
		const owner = await startCliInTmux(['web/s1', ...args], {columns: 100, rows: 30});
		const grid = await startCliInTmux(args, {columns: 100, rows: 30});
		try {
			await drainInWizard(owner);
			let screen = await grid.waitForScreen('under way elsewhere', 20_000);
			expect(screen).toMatch(/⚠ web\/s1 drained: under way elsewhere, \S+'s drainboard pid \d+ runs it/);
			expect(screen).not.toContain('r resumes');
			// status says the same of the drain, rather than a command to take up what another drainboard runs.
			const status = async () => (await runCli(['status', ...args], {env: {COLUMNS: '300'}})).stdout;
			const busy = await status();
			expect(busy).toMatch(/^ {2}web\/s1: \S+'s maintenance at [^;]+; under way: \S+'s drainboard \(pid \d+\) runs it now \(its last entry: [^)]+\)$/m);
			expect(busy).not.toContain('to take it up again');
			// The owner quits, leaving it drained: the grid, read again, offers to take it up.
			await owner.press('q', 'Quit anyway?');
			await owner.send('y');
			expect(await owner.exited()).toBe(0);
			screen = await grid.waitForScreen('r resumes web/s1', 20_000);
			expect(screen).not.toContain('under way elsewhere');
			expect((await states())['web/s1']).toBe('8');
			// And status gives the command to take it up.
			const left = await status();
			expect(left).toMatch(/^ {2}web\/s1: \S+'s maintenance at [^;]+; to take it up again:\n {4}drainboard web\/s1 /m);
			expect(left).not.toContain('under way:');
		} finally {
			await owner.kill();
			await grid.kill();
		}
	});
});

describe('someone undoes a drain and sets it again', () => {
	it('drain run again over a drain someone undid and set again, with sessions open on it: confirm runs again until they end, not "already drained and confirmed"', async () => {
		const journal = `${bed.dir}/drained-again.jsonl`;
		const common = ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--yes', '--quiet-timeout', '60'];
		const first = await runCli(['drain', 'web/s1', ...common]);
		expect(first.code, first.stderr).toBe(0);
		expect(await bed.send('set server web/s1 state ready')).toBe('\n');
		const sockets: net.Socket[] = [];
		try {
			await holdSessionsOn('s1', sockets);
			expect(await bed.send('set server web/s1 state drain')).toBe('\n');
			const again = startCli(['drain', 'web/s1', ...common]);
			await again.waitForStderr('so confirm runs again', 30_000);
			expect(again.stderr).toMatch(/→ resuming at confirm: .*; confirmed then, but HAProxy shows \d+ sessions? open on it now, so confirm runs again/);
			for (const socket of sockets) {
				socket.destroy();
			}

			const {code} = await again.exited;
			expect(code, again.stderr).toBe(0);
			expect(again.stderr).toContain('✓ confirm · Sessions quiet');
			expect(again.stderr).not.toContain('already drained and confirmed');
			expect((await states())['web/s1']).toBe('8');
		} finally {
			for (const socket of sockets) {
				socket.destroy();
			}
		}
	}, 90_000);
});
