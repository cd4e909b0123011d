import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {HeadlessResult} from '../../source/headless/report.js';
import {readJournal} from '../../source/runbook/journal.js';
import {maxNameLength, maxTargetLength} from '../../source/runtime/names.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';
import {waitFor} from '../helpers/wait-for.js';

/** 300 characters, every one HAProxy allows in a name; its start and end tell it apart. */
const long300 = `srv-start.${'a1_B2-c3:d4.'.repeat(22)}`.padEnd(296, 'x') + '-end';
/** Longer than any command line drainboard sends may carry. */
const tooLong = `huge-${'y'.repeat(maxTargetLength)}-end`;
const extraBackends = Array.from({length: 14}, (_, index) => `b${String(index + 1).padStart(2, '0')}`);

let bed: TestBed;
let session: TmuxSession | undefined;

beforeAll(async () => {
	expect(long300).toHaveLength(300);
	bed = await startTestBed({
		demos: ['s1', 's2', 'l1', 'l2'],
		config: (context) => `${context.global()}
${defaultsSection}
frontend fe_web
    bind 127.0.0.1:${context.frontendPort}
    default_backend web

frontend fe_long
    bind 127.0.0.1:${context.spare[0]}
    default_backend long

backend web
    option httpchk GET /
    default-server check inter 200 fall 2 rise 2
    server s1 127.0.0.1:${context.port('s1')}
    server s2 127.0.0.1:${context.port('s2')}

backend long
    option httpchk GET /
    default-server check inter 200 fall 2 rise 2
    server ${long300} 127.0.0.1:${context.port('l1')}
    server l2 127.0.0.1:${context.port('l2')}
    server ${tooLong} 127.0.0.1:${context.port('l2')} disabled
${extraBackends.map((name) => `\nbackend ${name}\n    server x 127.0.0.1:${context.port('s1')}\n`).join('')}`,
	});
	await waitFor('every checked server up', async () => {
		const stat = await bed.send('show stat -1 4 -1');
		return ['web,s1,', 'web,s2,', `long,${long300},`, 'long,l2,'].every((start) => stat.split('\n').some((row) => row.startsWith(start) && row.includes(',UP,'))) ? true : undefined;
	});
});

afterEach(async () => {
	await session?.kill();
	session = undefined;
});

afterAll(async () => {
	await bed?.stop();
});

const states = async () => adminStates(await bed.send('show servers state'));
const flags = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/${journal}`, '--yes'];

describe('a name the running HAProxy does not have: exit 2, the names it has, nothing sent', () => {
	it.each([
		['restore', 'web/nosuch', 'backend web has no server nosuch; it has s1, s2.'],
		['restore', 'web/S1', 'backend web has no server S1; it has s1, s2.'],
		['restore', 'web/#9', 'backend web has no server #9; it has s1 (#1), s2 (#2).'],
		['drain', 'web/nosuch', 'backend web has no server nosuch; it has s1, s2.'],
		['drain', 'Web/s1', 'has no backend Web; it has web, long, b01, b02, b03, b04, b05, b06, b07, b08, b09, b10 and 4 more (drainboard status lists them).'],
	])('%s %s, while the real server stays drained', async (command, target, sentence) => {
		expect(await bed.send('set server web/s1 state drain')).toBe('\n');
		try {
			const before = await states();
			const result = await runCli([command, target, ...flags('unknown.jsonl'), '--json']);
			expect(result.code).toBe(2);
			// The --json contract: one object on stdout, with the same sentence as stderr's.
			expect(JSON.parse(result.stdout)).toMatchObject({ok: false, changed: false, target, error: {code: 'not-found', message: result.stderr.trim()}});
			expect(result.stderr.trim().split('\n')).toHaveLength(1);
			expect(result.stderr).toContain(sentence);
			expect(await states()).toEqual(before);
			expect(before['web/s1']).toBe('8');
		} finally {
			await bed.send('set server web/s1 state ready');
		}
	});

	it('status --backend names the backends HAProxy has, shortened, with exit 2; #<id> reads the backend it is', async () => {
		const unknown = await runCli(['status', '--socket', bed.adminSocket, '--backend', 'nosuch']);
		expect(unknown.code).toBe(2);
		expect(unknown.stderr).toBe(
			`HAProxy at ${bed.adminSocket} has no backend nosuch; it has web, long, b01, b02, b03, b04, b05, b06, b07, b08, b09, b10 and 4 more (drainboard status lists them).\n`,
		);
		const webId = (await bed.send('show servers state web')).split('\n')[2]!.split(' ')[0]!;
		const byId = await runCli(['status', '--socket', bed.adminSocket, '--backend', `#${webId}`, '--json']);
		expect(byId.code, byId.stderr).toBe(0);
		expect((JSON.parse(byId.stdout) as {servers: Array<{server: string}>}).servers.map((server) => server.server)).toEqual(['s1', 's2']);
	});

	it('the wizard started on an unknown name exits 2 before its screen, in one sentence', async () => {
		// The shell waits a little after it: tmux may drop what a pane printed just before it died.
		session = await startCliInTmux(['web/nosuch', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/wizard-unknown.jsonl`], {after: 'sleep 2'});
		const screen = await session.waitForScreen('has no server');
		expect(screen.trim()).toBe('backend web has no server nosuch; it has s1, s2.');
		expect(await session.exited()).toBe(2);
	});

	it('a #<id> target resolves through the runtime: drain web/#1 drains web/s1 and journals it by name', async () => {
		const result = await runCli(['drain', 'web/#1', ...flags('by-id.jsonl'), '--json']);
		try {
			expect(result.code, result.stderr).toBe(0);
			expect((JSON.parse(result.stdout) as HeadlessResult).target).toBe('web/s1');
			expect((await states())['web/s1']).toBe('8');
			expect(new Set(readJournal(`${bed.dir}/by-id.jsonl`).entries.map((entry) => entry.target))).toEqual(new Set(['web/s1']));
		} finally {
			await bed.send('set server web/s1 state ready');
		}
	});
});

describe('names HAProxy accepts never crash drainboard', () => {
	it('drains and restores a server with a 300-character name, headless', async () => {
		const target = `long/${long300}`;
		const drain = await runCli(['drain', target, ...flags('long.jsonl'), '--url', `http://127.0.0.1:${bed.spare[0]}/`]);
		expect(drain.code, drain.stderr).toBe(0);
		expect((await states())[target]).toBe('8');
		const restore = await runCli(['restore', target, ...flags('long.jsonl'), '--url', `http://127.0.0.1:${bed.spare[0]}/`]);
		expect(restore.code, restore.stderr).toBe(0);
		expect((await states())[target]).toBe('0');
	});

	it('shows a 300-character name cut in the middle in the grid, and Enter opens the wizard on it', async () => {
		session = await startCliInTmux(['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/grid-long.jsonl`], {columns: 100, rows: 30});
		let screen = await session.waitForScreen('srv-start.');
		const row = screen.split('\n').find((line) => line.includes('srv-start.'))!;
		expect(row).toMatch(/ srv-start\.a1_B2-\S*…x*-end /);
		expect(Math.max(...screen.split('\n').map((line) => line.length))).toBeLessThanOrEqual(100);
		screen = await session.press(['/', 'srv-start', 'Enter', 'j', 'Enter'], 'Enter run validate');
		expect(screen.split('\n')[0]).toMatch(/^drainboard · long\/srv-start\./);
		expect(screen).not.toMatch(/UsageError|\n\s+at /);
		screen = await session.press('Enter', (current) => current.includes('▶ baseline'));
		// The whole name in validate's evidence (its first lines may have scrolled into the log above).
		expect(screen.replace(/\s+/g, '')).toContain(`long/${long300}isnotinmaintenance(adminflagsnone).`);
		await session.send('q');
		expect(await session.exited()).toBe(0);
	});

	it('says in one sentence, in the grid, that a name too long for a command line cannot be maintained here', async () => {
		session = await startCliInTmux(['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/grid-huge.jsonl`], {columns: 100, rows: 30});
		await session.waitForScreen('huge-');
		const screen = await session.press(['/', 'huge-', 'Enter', 'j', 'Enter'], 'drainboard takes at most');
		expect(screen.replace(/\n/g, ' ')).toMatch(
			new RegExp(`The server name huge-y+…y+-end is ${tooLong.length} characters long; drainboard takes at most ${maxNameLength}, so that every command it sends stays under 4096 bytes`),
		);
		expect(screen).not.toMatch(/UsageError|\n\s+at /);
		expect(screen).toContain('Enter select');
		await session.send('q');
		expect(await session.exited()).toBe(0);
	});
});
