import process from 'node:process';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {HeadlessResult} from '../../source/headless/report.js';
import {readJournal} from '../../source/runbook/journal.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {holdLock} from '../helpers/lock-holder.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli, startCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';
import {waitFor} from '../helpers/wait-for.js';

let bed: TestBed;
let session: TmuxSession | undefined;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
	// Every server of webapps has passed its first checks, so the probe traffic reaches each.
	await waitFor('webapps checked UP', async () => ((await bed.send('show stat webapps 4 -1')).split('\n').filter((row) => /,UP,.*,L7OK,/.test(row)).length === 3 ? true : undefined));
});

afterEach(async () => {
	await session?.kill();
	session = undefined;
	await bed.demo('app01').start().catch(() => undefined);
	await bed.send('set server webapps/app01 state ready');
	// The next test drains it, which needs it up and checked again.
	await waitFor('HAProxy to see app01 UP', async () => (/,UP,.*,L7OK,/.test(await statusOf()) ? true : undefined));
});

afterAll(async () => {
	await bed?.stop();
});

const common = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--yes'];
/** Where the run under test begins in its journal (after the drain and the restore that stopped). */
let firstEntries = 0;

/**
 * Drains app01, then runs a restore that passes maintain (healthy) and is refused at its ready
 * because another drainboard holds the backend: a restore stopped past maintain, as in the field.
 */
async function stoppedAfterMaintain(name: string): Promise<string> {
	const journal = `${bed.dir}/${name}`;
	expect((await runCli(['drain', 'webapps/app01', ...common(journal)])).code).toBe(0);
	const holder = await holdLock({dir: process.env['DRAINBOARD_LOCK_DIR']!, socket: bed.adminSocket, backend: 'webapps', what: 'drain of webapps/app02', user: 'carol'});
	try {
		const stopped = await runCli(['restore', 'webapps/app01', ...common(journal), '--json']);
		expect(stopped.code, stopped.stderr).toBe(1);
		expect(JSON.parse(stopped.stdout)).toMatchObject({ok: false, changed: false, error: {code: 'locked'}, steps: [{id: 'maintain', ok: true}, {id: 'restore', ok: false}]});
	} finally {
		await holder.release();
	}

	const entries = readJournal(journal).entries;
	expect(entries.filter((entry) => entry.event === 'step-passed' && entry.step === 'maintain')).toHaveLength(1);
	expect(entries.filter((entry) => entry.command?.endsWith('state ready'))).toEqual([]);
	expect(await admin()).toBe('8');
	firstEntries = entries.length;
	return journal;
}

const admin = async () => adminStates(await bed.send('show servers state webapps'))['webapps/app01'];
const statusOf = async () => (await bed.send('show stat webapps 4 1')).split('\n').find((row) => row.startsWith('webapps,app01,')) ?? '';
const down = async () => waitFor('HAProxy to see app01 DOWN', async () => ((await statusOf()).includes(',DOWN') ? true : undefined));
const serving = async () => waitFor('HAProxy to see app01 healthy', async () => ((await statusOf()).includes(',DRAIN,') ? true : undefined));
const checklist = (screen: string) => screen.split('\n').find((line) => line.startsWith(' ') && line.includes('validate ›')) ?? '';
const flat = (screen: string) => screen.replace(/\n\s*/g, ' ');

/** A wizard on webapps/app01 walked from validate to restore (the drain answered y), its work done. */
async function wizardAtRestore(journal: string): Promise<TmuxSession> {
	const wizard = await startCliInTmux(['webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 100, rows: 30});
	await wizard.waitForScreen('Enter run validate');
	for (const next of ['baseline', 'drain', 'confirm', 'maintain', 'restore']) {
		await wizard.press('Enter');
		if (next === 'confirm') {
			await wizard.waitForScreen('y send it');
			await wizard.press('y');
		}

		await wizard.waitForScreen((screen) => checklist(screen).includes(`▶ ${next}`), 20_000);
	}

	return wizard;
}

describe('restore never sends "state ready" to a server that is not healthy', () => {
	it('headless: a restore stopped after maintain passed (refused: locked); run again while the service is down, it waits for health, then restores', async () => {
		const journal = await stoppedAfterMaintain('waits.jsonl');
		await bed.demo('app01').stop();
		await down();
		const cli = startCli(['restore', 'webapps/app01', ...common(journal), '--json', '--ready-timeout', '30']);
		cli.child.stdin.end();
		await cli.waitForStderr('waiting for its health check to pass', 30_000);

		// Waiting: nothing sent, still drained, until the service is back.
		expect(await admin()).toBe('8');
		await bed.demo('app01').start();
		const {code} = await cli.exited;
		const {stdout, stderr} = cli;
		expect(code, stderr).toBe(0);
		expect(stderr).toMatch(/→ the maintenance that \S+ started at .* drained it; it goes on at maintain again: its maintain passed in an earlier run, but the target is still drained, so the health wait runs again \(up to 30 s, --ready-timeout\) before ready\./);
		expect(stderr).toMatch(/… maintain · app01: DOWN · L4CON .* waiting for its health check to pass/);
		expect(await admin()).toBe('0');

		const result = JSON.parse(stdout) as HeadlessResult;
		expect(result).toMatchObject({ok: true, changed: true});
		expect(result.steps.map((step) => [step.id, step.ok])).toEqual([['maintain', true], ['restore', true]]);
		const health = result.steps[0]!.checks.find((check) => check.id === 'health-back')!;
		expect(health).toMatchObject({verdict: 'pass', evidence: {healthAtStart: expect.stringMatching(/^DOWN · L4CON/), healthy: true, readyTimeoutSeconds: 30}});

		// The journal says the health wait ran again, what it began with, and only then the ready.
		const entries = readJournal(journal).entries.slice(firstEntries);
		const resumed = entries.find((entry) => entry.event === 'resumed');
		expect(resumed).toMatchObject({step: 'maintain', detail: expect.stringContaining("its maintain passed, but HAProxy still shows the target drained, so maintain's health wait runs again before ready")});
		const waited = entries.findIndex((entry) => entry.check === 'health-back' && entry.verdict === 'pass');
		expect(entries[waited]?.evidence).toMatchObject({healthAtStart: expect.stringMatching(/^DOWN · L4CON/), healthy: true});
		const ready = entries.findIndex((entry) => entry.event === 'reply' && entry.command === 'set server webapps/app01 state ready' && entry.ok === true);
		expect(ready).toBeGreaterThan(waited);
		expect(entries.at(-1)).toMatchObject({event: 'finished'});
	});

	it('headless: the same restore with the service staying down fails after its --ready-timeout (health-timeout), sends nothing, and leaves it drained', async () => {
		const journal = await stoppedAfterMaintain('timeout.jsonl');
		await bed.demo('app01').stop();
		await down();
		const result = await runCli(['restore', 'webapps/app01', ...common(journal), '--json', '--ready-timeout', '3']);
		expect(result.code, result.stderr).toBe(1);
		expect(result.stderr).toMatch(/it goes on at maintain again: .* the health wait runs again \(up to 3 s, --ready-timeout\) before ready\./);
		expect(result.stderr).toMatch(/✗ maintain · Target healthy again: app01 is not healthy: DOWN · L4CON \(.+\)\. Waited \d+ s of 3 s \(--ready-timeout\)\./);
		const json = JSON.parse(result.stdout) as HeadlessResult;
		expect(json).toMatchObject({ok: false, changed: false, drained: true, error: {code: 'health-timeout'}});
		const health = json.steps.find((step) => step.id === 'maintain')!.checks.find((check) => check.id === 'health-back')!;
		// It waited the whole --ready-timeout, as the check itself measured it: not the immediate refusal at "state ready".
		expect(health).toMatchObject({verdict: 'fail', evidence: {healthAtStart: expect.stringMatching(/^DOWN · L4CON/), healthy: false, readyTimeoutSeconds: 3}});
		expect(health.evidence!['waitedSeconds']).toBeGreaterThanOrEqual(3);
		expect(json.steps.map((step) => step.id)).toEqual(['maintain']);
		expect(await admin()).toBe('8');
		const entries = readJournal(journal).entries;
		expect(entries.slice(firstEntries).find((entry) => entry.check === 'health-back')).toMatchObject({verdict: 'fail', evidence: {healthy: false, readyTimeoutSeconds: 3}});
		expect(entries.filter((entry) => entry.command?.endsWith('state ready'))).toEqual([]);
	});

	it('wizard: maintain passed, then the service stopped: restore refuses; a ready question open when it stops is withdrawn', async () => {
		const journal = `${bed.dir}/wizard.jsonl`;
		session = await wizardAtRestore(journal);

		await bed.demo('app01').stop();
		await down();
		await session.press('Enter');
		let screen = await session.waitForScreen((current) => flat(current).includes('so "state ready" was not sent by this maintenance'));
		expect(flat(screen)).toMatch(/✗ Ready command: webapps\/app01 was not healthy at \d\d:\d\d:\d\d \(DOWN · L4CON/);
		expect(screen).not.toContain('y send it');
		expect(await admin()).toBe('8');

		await bed.demo('app01').start();
		await serving();
		await session.press('Enter');
		await session.waitForScreen('set server webapps/app01 state ready');
		await bed.demo('app01').stop();
		screen = await session.waitForScreen((current) => flat(current).includes('The question was withdrawn'));
		// Withdrawn at the first failed check (DRAIN 1/2 · L4CON) or once HAProxy marks it DOWN, whichever poll sees first.
		expect(flat(screen)).toMatch(/The question was withdrawn: webapps\/app01 was no longer healthy at \d\d:\d\d:\d\d \((DOWN|DRAIN \d\/\d) · L4CON \(.+\)\), so "state ready" was not sent by this maintenance/);
		expect(screen).not.toContain('y send it');
		expect(await admin()).toBe('8');
		expect(readJournal(journal).entries.filter((entry) => entry.command?.endsWith('state ready'))).toEqual([]);

		await bed.demo('app01').start();
		await serving();
		await session.press('Enter');
		await session.waitForScreen('set server webapps/app01 state ready');
		await session.press('y');
		await session.waitForScreen('maintenance complete', 15_000);
		expect(await admin()).toBe('0');
	});

	it("wizard: someone puts the target in maintenance at restore's question: withdrawn as their maintenance, not a health problem, and Enter refuses the same way", async () => {
		const journal = `${bed.dir}/wizard-maint.jsonl`;
		session = await wizardAtRestore(journal);

		await session.press('Enter');
		await session.waitForScreen('set server webapps/app01 state ready');
		expect(await bed.send('set server webapps/app01 state maint')).toBe('\n');
		let screen = flat(await session.waitForScreen((current) => flat(current).includes('The question was withdrawn')));
		expect(screen).toContain('The question was withdrawn: webapps/app01 is in maintenance (FMAINT), set outside this maintenance, which only drains: "state ready" was not sent by it, as a ready would end that maintenance; find out who put it there before you restore it.');
		expect(screen).not.toContain('bring the service back');
		screen = flat(await session.press('Enter', (current) => flat(current).includes('✗ Ready command: webapps/app01 is in maintenance (FMAINT)')));
		expect(screen).not.toContain('y send it');
		expect(await admin()).toBe('1');
		expect(readJournal(journal).entries.filter((entry) => entry.command?.endsWith('state ready'))).toEqual([]);
	});
});
