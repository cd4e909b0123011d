import {execFileSync} from 'node:child_process';
import process from 'node:process';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {HeadlessResult} from '../../source/headless/report.js';
import {readJournal} from '../../source/runbook/journal.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {startForwardingSocket, type Forwarding} from '../helpers/forwarding-socket.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli, spawnCli} from '../helpers/run-cli.js';
import {waitFor} from '../helpers/wait-for.js';
import {checklist} from '../helpers/checklist.js';
import {startCliInTmux} from '../helpers/tmux.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {statedWaits} from '../helpers/waited.js';

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

let bed: TestBed;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
});

afterEach(async () => {
	await bed.send('set server webapps/app01 state ready');
});

afterAll(async () => {
	await bed?.stop();
});

const admin = async () => adminStates(await bed.send('show servers state webapps'))['webapps/app01'];

/** Runs drain or restore through a socket that forwards everything but does `fault` to `set server` lines. */
async function throughFaultySocket(kind: 'drain' | 'restore', fault: Forwarding, journal: string) {
	const socket = await startForwardingSocket(bed.adminSocket, (line) => (line.startsWith('set server ') ? fault : 'forward'));
	try {
		const result = await runCli([kind, 'webapps/app01', '--socket', socket.path, '--config', bed.configPath, '--journal', `${bed.dir}/${journal}`, '--timeout', '1', '--yes', '--json']);
		return {...result, stderr: statedWaits(result.stderr, 1), json: JSON.parse(result.stdout) as HeadlessResult, forwarded: socket.forwarded, socket: socket.path};
	} finally {
		await socket.close();
	}
}

describe('a state change whose reply is lost', () => {
	it('drain: HAProxy applied it; drainboard reads it back, says so, and goes on to confirm it', async () => {
		const run = await throughFaultySocket('drain', 'lose-reply', 'drain-lost.jsonl');
		expect(run.forwarded).toContain('set server webapps/app01 state drain');
		expect(await admin()).toBe('8');
		expect(run.stderr).toContain(
			'! drain · Drain command: webapps/app01 IS drained: the reply to "set server webapps/app01 state drain" was lost (no answer in 1 s), but a read-back on a fresh connection shows the change was applied.',
		);
		expect(run.stderr).not.toContain('Nothing was changed');
		expect(run.code, run.stderr).toBe(0);
		expect(run.json).toMatchObject({ok: true, drained: true});
		const readBack = readJournal(`${bed.dir}/drain-lost.jsonl`).entries.filter((entry) => entry.check === 'read-back');
		expect(readBack).toMatchObject([{event: 'check', command: 'set server webapps/app01 state drain', ok: true}]);
	});

	it('restore: HAProxy applied it; drainboard reads it back and says the server IS back in rotation', async () => {
		await runCli(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/restore-lost.jsonl`, '--yes']);
		expect(await admin()).toBe('8');
		const run = await throughFaultySocket('restore', 'lose-reply', 'restore-lost.jsonl');
		expect(await admin()).toBe('0');
		expect(run.stderr).toContain(
			'! restore · Ready command: webapps/app01 IS back in rotation (ready): the reply to "set server webapps/app01 state ready" was lost (no answer in 1 s), but a read-back on a fresh connection shows the change was applied.',
		);
		expect(run.stderr).not.toContain('DRAINED');
		expect(run.code, run.stderr).toBe(0);
		expect(run.json).toMatchObject({ok: true, drained: false});
	});

	it('drain: the command never reached HAProxy; the read-back proves nothing changed (exit 3)', async () => {
		const run = await throughFaultySocket('drain', 'lose-command', 'drain-unsent.jsonl');
		expect(run.code).toBe(3);
		expect(await admin()).toBe('0');
		expect(run.stderr).toContain(
			'✗ drain · Drain command: webapps/app01 is NOT drained: the reply to "set server webapps/app01 state drain" was lost (no answer in 1 s), and a read-back on a fresh connection shows HAProxy did not apply it.',
		);
		expect(run.stderr.trim().split('\n').at(-1)).toBe('Nothing was changed on HAProxy by this run.');
		expect(run.json).toMatchObject({ok: false, drained: false});
	});

	it('restore: the command never reached HAProxy; the server is said to be still drained', async () => {
		await runCli(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/restore-unsent.jsonl`, '--yes']);
		const run = await throughFaultySocket('restore', 'lose-command', 'restore-unsent.jsonl');
		expect(run.code).toBe(3);
		expect(await admin()).toBe('8');
		expect(run.stderr).toContain('webapps/app01 is NOT back in rotation (ready): the reply to "set server webapps/app01 state ready" was lost (no answer in 1 s), and a read-back');
		// How to come back repeats the socket, the config and the journal of this run.
		// The way back keeps the run's --timeout 1 (throughFaultySocket's).
		const flags = `--socket ${run.socket} --config ${bed.configPath} --journal ${bed.dir}/restore-unsent.jsonl --timeout 1`;
		expect(run.stderr.trim().split('\n').at(-1)).toMatch(
			new RegExp(`^webapps/app01 is DRAINED now \\(out of rotation since \\d\\d:\\d\\d:\\d\\d\\)\\. ${escaped(`Run "drainboard restore webapps/app01 --yes ${flags}" to put it back, or "drainboard webapps/app01 ${flags}" to continue in the wizard.`)}$`),
		);
		expect(run.json).toMatchObject({ok: false, drained: true});
	});

	it('drain: the socket dies after the command; the state is said to be unknown, with how to check, never "nothing changed"', async () => {
		const run = await throughFaultySocket('drain', 'lose-reply-then-die', 'drain-unknown.jsonl');
		expect(run.code).toBe(3);
		expect(await admin()).toBe('8');
		// The status command to check it reads the instances of this run.
		const status = escaped(`check it with "drainboard status --backend webapps --socket ${run.socket} --config ${bed.configPath} --timeout 1" before anything else.`);
		expect(run.stderr).toMatch(
			new RegExp(`✗ drain · Drain command: The state of webapps/app01 is unknown: the reply to "set server webapps/app01 state drain" was lost \\(no answer in 1 s\\) and reading it back failed too \\(.+\\); ${status}`),
		);
		expect(run.stderr.trim().split('\n').at(-1)).toMatch(new RegExp(`^The state of webapps/app01 is unknown: reading it back at the end failed \\(.+\\); ${status}$`));
		expect(run.stderr).not.toContain('Nothing was changed');
		expect(run.json).toMatchObject({ok: false, drained: null});
	});
});

/**
 * The wizard on webapps/app01 through a socket that passes `set server` on 1.5 s late, taken to
 * its drain prompt; the caller's finally closes both (they are closed here if it cannot get there).
 */
async function wizardAtDrainPrompt(journal: string) {
	const socket = await startForwardingSocket(bed.adminSocket, (line) => (line.startsWith('set server ') ? {lateMs: 1500} : 'forward'));
	const session = await startCliInTmux(['webapps/app01', '--socket', socket.path, '--config', bed.configPath, '--journal', `${bed.dir}/${journal}`], {columns: 100, rows: 30});
	try {
		await session.waitForScreen('Enter run validate');
		for (const step of ['▶ baseline', '▶ drain']) {
			await session.press('Enter', (current) => checklist(current).includes(step), 30_000);
		}

		await session.press('Enter', 'set server webapps/app01 state drain');
	} catch (error) {
		await session.kill();
		await socket.close();
		throw error;
	}

	return {socket, session};
}

describe('a put-back whose reply is lost', () => {
	it('drain: the rest of the backend was drained meanwhile, the put-back to ready lost its reply; the read-back shows it applied, and that is what is said', async () => {
		const others = ['webapps/app02', 'webapps/app03'];
		// The others are drained just before app01's drain reaches HAProxy (as a second operator
		// would): the read right after it finds nobody else serving, and drainboard puts app01 back,
		// whose reply is then lost.
		const socket = await startForwardingSocket(bed.adminSocket, (line) => {
			if (line.startsWith('set server webapps/app01 state drain')) {
				for (const other of others) {
					void bed.send(`set server ${other} state drain`);
				}

				return {lateMs: 300};
			}

			return line.startsWith('set server webapps/app01 state ready') ? 'lose-reply' : 'forward';
		});
		const journal = `${bed.dir}/put-back-lost.jsonl`;
		try {
			const run = await runCli(['drain', 'webapps/app01', '--socket', socket.path, '--config', bed.configPath, '--journal', journal, '--timeout', '1', '--yes', '--json']);
			const json = JSON.parse(run.stdout) as HeadlessResult;
			expect(socket.forwarded).toContain('set server webapps/app01 state ready');
			expect(run.code, run.stderr).toBe(1);
			expect(await admin()).toBe('0');
			const said = statedWaits(run.stderr, 1);
			expect(said).toContain(
				'so webapps/app01 was put back to ready at once. webapps/app01 IS back in rotation (ready): the reply to "set server webapps/app01 state ready" was lost (no answer in 1 s), but a read-back on a fresh connection shows the change was applied.',
			);
			expect(said).not.toContain('could NOT be put back');
			expect(said).not.toContain('by hand');
			expect(json).toMatchObject({ok: false, drained: false});
			const rollback = readJournal(journal).entries.find((entry) => entry.event === 'rollback');
			expect(rollback).toMatchObject({ok: true, command: 'set server webapps/app01 state ready'});
		} finally {
			await socket.close();
			for (const other of others) {
				await bed.send(`set server ${other} state ready`);
			}
		}
	});
});

describe('a signal while a state change is on its way', () => {
	it('restore: SIGTERM after --yes, before the command was written (the read before it is slow): nothing is sent, the journal says a signal stopped it, not that anyone answered no', async () => {
		const journal = `${bed.dir}/restore-signal-early.jsonl`;
		const drained = await runCli(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--yes', '--json']);
		expect(drained.code, drained.stderr).toBe(0);
		// Every read takes 700 ms (a busy HAProxy, a slow link): the one right before "set server" too.
		const socket = await startForwardingSocket(bed.adminSocket, (line) => (line.startsWith('show ') ? {lateMs: 700} : 'forward'));
		try {
			const child = spawnCli(['restore', 'webapps/app01', '--socket', socket.path, '--config', bed.configPath, '--journal', journal, '--yes', '--json']);
			let stderr = '';
			child.stderr.on('data', (chunk: Buffer) => {
				stderr += chunk.toString('utf8');
			});
			const closed = new Promise<number | null>((resolve) => {
				child.once('close', (_code, signal) => {
					resolve(child.exitCode ?? (signal ? -1 : null));
				});
			});
			await waitFor('the ready to be confirmed', () => (stderr.includes('→ set server webapps/app01 state ready') ? true : undefined), 60_000);
			child.kill('SIGTERM');
			expect(await closed).toBe(143);
			expect(socket.received).not.toContain('set server webapps/app01 state ready');
			expect(await admin()).toBe('8');
			const cancelled = readJournal(journal).entries.filter((entry) => entry.event === 'step-cancelled');
			expect(cancelled.map((entry) => entry.detail)).toEqual(['a signal stopped the run before "set server webapps/app01 state ready" was sent; nothing was sent']);
			expect(stderr).toMatch(/Stopped by SIGTERM during restore: webapps\/app01 is drained \(out of rotation\)/);
		} finally {
			await socket.close();
		}
	});

	it('drain: SIGTERM after --yes, before HAProxy answered: drainboard waits for the answer (SIGINT and SIGHUP meanwhile do not cut it short), then says the server IS drained, with the restore command (exit 143)', async () => {
		const socket = await startForwardingSocket(bed.adminSocket, (line) => (line.startsWith('set server ') ? {lateMs: 2500} : 'forward'));
		try {
			const child = spawnCli(['drain', 'webapps/app01', '--socket', socket.path, '--config', bed.configPath, '--journal', `${bed.dir}/drain-signal.jsonl`, '--yes', '--json']);
			let stderr = '';
			let stdout = '';
			child.stderr.on('data', (chunk: Buffer) => {
				stderr += chunk.toString('utf8');
			});
			child.stdout.on('data', (chunk: Buffer) => {
				stdout += chunk.toString('utf8');
			});
			const closed = new Promise<number | null>((resolve) => {
				child.once('close', (_code, signal) => {
					resolve(child.exitCode ?? (signal ? -1 : null));
				});
			});
			// The command is on its way (written to the socket) when the signal comes.
			await waitFor('the drain to be sent', () => (socket.received.includes('set server webapps/app01 state drain') ? true : undefined), 30_000);
			child.kill('SIGTERM');
			// An impatient operator (or a supervisor) signals again while it waits: it keeps waiting, and says so once.
			await waitFor('the wait for the reply to be said', () => (stderr.includes('waiting for it to be answered') ? true : undefined), 10_000);
			child.kill('SIGINT');
			await waitFor('the second signal to be answered', () => (stderr.includes('SIGINT again: already stopping') ? true : undefined), 10_000);
			child.kill('SIGHUP');
			expect(await closed).toBe(143);
			expect(await admin()).toBe('8');
			expect(stderr).toContain('SIGTERM came while a change was under way (confirmed, its outcome not known yet): waiting for it to be answered, or called off unsent');
			expect(stderr).toContain("SIGINT again: already stopping; where webapps/app01 stands is said once HAProxy's answer is in");
			expect(stderr).not.toContain('SIGHUP again');
			expect(stderr).toMatch(/Stopped by SIGTERM during drain: webapps\/app01 is drained \(out of rotation\)[^\n]*drainboard restore webapps\/app01 --yes/);
			expect(JSON.parse(stdout)).toMatchObject({ok: false, drained: true, error: {code: 'interrupted'}});
		} finally {
			await socket.close();
		}
	});

	it('wizard: SIGTERM after y, before HAProxy answered: it waits for the answer, then says on the way out that the server IS drained, with the command to resume (exit 143)', async () => {
		const {socket, session} = await wizardAtDrainPrompt('wizard-signal.jsonl');
		try {
			await session.press('y', (current) => !current.includes('y send it'));
			await waitFor('the drain to be sent', () => (socket.received.includes('set server webapps/app01 state drain') ? true : undefined), 10_000);
			const node = Number(execFileSync('pgrep', ['-P', String(await session.pid())]).toString().trim().split('\n')[0]);
			process.kill(node, 'SIGTERM');
			expect(await session.exited(15_000)).toBe(143);
			expect(await admin()).toBe('8');
			const left = (await session.screen()).replace(/\s+/g, '');
			expect(left).toMatch(/webapps\/app01isdrained\(outofrotation\),asHAProxyshowedat\d\d:\d\d:\d\d\.Toresume:drainboardwebapps\/app01/);
		} finally {
			await session.kill();
			await socket.close();
		}
	});

	it('wizard: y then q at once (the drain on its way): it waits for HAProxy, then asks before quitting, and says the server IS drained', async () => {
		const {socket, session} = await wizardAtDrainPrompt('wizard-yq.jsonl');
		try {
			await session.send('y', 'q');
			await session.waitForScreen('Quit anyway?', 15_000);
			expect(await admin()).toBe('8');
			await session.send('y');
			expect(await session.exited()).toBe(0);
			expect((await session.screen()).replace(/\s+/g, '')).toMatch(/webapps\/app01isdrained\(outofrotation\),asHAProxyshowedat\d\d:\d\d:\d\d\.Toresume:drainboardwebapps\/app01/);
		} finally {
			await session.kill();
			await socket.close();
		}
	});
});

