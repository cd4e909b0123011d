import {writeFileSync} from 'node:fs';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {journalEntrySchema, type JournalEntry} from '../../source/runbook/journal.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {hostileBytes, hostileNameRead, startHostileSocket} from '../helpers/hostile-socket.js';
import type {LocalSocket} from '../helpers/local-socket.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';

let bed: TestBed;
let hostile: LocalSocket;
let session: TmuxSession | undefined;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: webappsConfig});
	hostile = await startHostileSocket(bed.adminSocket, 'app01');
});

afterAll(async () => {
	await hostile?.close();
	await bed?.stop();
});

afterEach(async () => {
	await session?.kill();
	session = undefined;
});

/** Anything a terminal would obey: C0 but the line feed that ends each line, DEL, C1, bidi overrides. */
const obeyed = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
/** The hostile bytes as drainboard must show them, and those after the server's name. */
const shownBytes = String.raw`\x1b]0;PWNED\x07\x1b[2J\x1b[5;31m`;
const shownName = String.raw`${shownBytes}\x7fÂ\x9b`;

describe('hostile bytes from a socket never reach the terminal raw', () => {
	it('status: the table shows them written out, HAProxy\'s other words as they are', async () => {
		const result = await runCli(['status', '--socket', hostile.path], {env: {COLUMNS: '300'}});
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		expect(result.stdout).not.toMatch(obeyed);
		expect(result.stdout.split('\n')[0]).toMatch(new RegExp(String.raw`^${hostile.path} {2}HAProxy \d+\.\d+\.\d+\S* ?${escape(shownBytes)} {2}pid \d+$`));
		expect(result.stdout).toMatch(new RegExp(String.raw`\nwebapps/app01${escape(shownName)} +127\.0\.0\.1:\d+ +UP `));
	});

	it('status --json: exactly what the socket sent, JSON-escaped, and nothing a terminal obeys', async () => {
		const result = await runCli(['status', '--socket', hostile.path, '--json']);
		expect(result.code).toBe(0);
		expect(result.stdout.trimEnd()).not.toMatch(obeyed);
		const json = JSON.parse(result.stdout) as {instances: Array<{version: string}>; servers: Array<{server: string}>};
		expect(json.instances[0]!.version.endsWith(hostileBytes)).toBe(true);
		expect(json.servers.map((server) => server.server)).toContain(`app01${hostileNameRead}`);
		expect(result.stdout).toContain(String.raw`"app01\u001b]0;PWNED\u0007\u001b[2J\u001b[5;31m\u007fÂ\u009b"`);
	});

	it('a headless drain: HAProxy\'s names in its messages are written out on stderr', async () => {
		try {
			const result = await runCli(['drain', 'webapps/app02', '--socket', hostile.path, '--config', bed.configPath, '--journal', `${bed.dir}/hostile-drain.jsonl`, '--yes']);
			expect(result.stderr).not.toMatch(obeyed);
			expect(result.stderr).toMatch(new RegExp(String.raw`✓ validate · Capacity left: .*sessions now: app01${escape(shownName)} \d+`));
			expect(result.code).toBe(0);
		} finally {
			await bed.send('set server webapps/app02 state ready');
		}
	});

	it('the grid at 80x24 shows them written out; the terminal keeps its title and its screen', async () => {
		session = await startCliInTmux(['--socket', hostile.path, '--journal', `${bed.dir}/hostile-grid.jsonl`], {columns: 80, rows: 24});
		const title = await session.title();
		const screen = await session.waitForScreen((current) => / app01\\x1b/.test(current) && current.includes('app03'));
		expect(screen.split('\n')[0]).toMatch(/^drainboard {2}HAProxy \d+\.\d+\.\d+/);
		// Long names are cut in the middle (start and end stay), written out before they are measured.
		expect(screen).toMatch(/ ● app01\\x1b]…\S+ +127\.0\.0\.1:\d+ UP /);
		expect(await session.screen(true)).not.toMatch(/\u001B\[[0-9;]*5[;m]/);
		expect(await session.title()).toBe(title);
		expect(title).not.toContain('PWNED');

		// A failing check shows its description: api2 is pointed at a port nothing listens on.
		const port = bed.port('api2');
		expect(await bed.send(`set server api/api2 addr 127.0.0.1 port ${bed.spare[0]}`)).toContain('port changed');
		try {
			await session.resize(200, 50);
			const wide = await session.waitForScreen((current) => / api2 .* L4CON /.test(current), 15_000);
			// Written out, and cut (…) where the check-detail column ends: no byte of it raw.
			expect(wide).toMatch(/ api2 .* L4CON .* Layer4 connection problem\\x1b]0;PWNED\\x07\\x1b\[2J\\x1…$/m);
			expect(await session.screen(true)).not.toMatch(/\u001B\[[0-9;]*5[;m]/);
			expect(await session.title()).toBe(title);
		} finally {
			await bed.send(`set server api/api2 addr 127.0.0.1 port ${port}`);
		}

		await session.send('q');
		expect(await session.exited()).toBe(0);
	});
});

describe('a journal whose user field holds escapes', () => {
	const hostileUser = `ana${hostileBytes}`;

	/** An open maintenance of webapps/app03 that drained it: started, validate to drain passed. */
	function journalWithHostileUser(file: string): void {
		const base = {
			time: new Date(Date.now() - 60_000).toISOString(),
			session: 'old-session',
			user: hostileUser,
			host: 'lb1',
			target: 'webapps/app03',
			instances: [{socket: bed.adminSocket, pid: null, version: null, startTime: null}],
		};
		const entries: JournalEntry[] = [
			{...base, step: 'validate', event: 'started'},
			{...base, step: 'validate', event: 'step-passed'},
			{...base, step: 'baseline', event: 'step-passed'},
			{...base, step: 'drain', event: 'command', command: 'set server webapps/app03 state drain'},
			{...base, step: 'drain', event: 'reply', command: 'set server webapps/app03 state drain', socket: bed.adminSocket, ok: true, reply: '\n'},
			{...base, step: 'drain', event: 'step-passed'},
		];
		writeFileSync(file, entries.map((entry) => `${JSON.stringify(journalEntrySchema.parse(entry))}\n`).join(''));
	}

	it('resumed headless: the reason names the user with the escapes written out', async () => {
		const journal = `${bed.dir}/hostile-user-headless.jsonl`;
		journalWithHostileUser(journal);
		expect(await bed.send('set server webapps/app03 state drain')).toBe('\n');
		try {
			const result = await runCli(['restore', 'webapps/app03', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--yes', '--ready-timeout', '10']);
			expect(result.stderr).not.toMatch(obeyed);
			expect(result.stderr).toContain(`→ the maintenance that ana${shownBytes} started at `);
			expect(result.stderr).toMatch(/ drained it; it goes on at maintain\.\n/);
			expect(result.code).toBe(0);
		} finally {
			await bed.send('set server webapps/app03 state ready');
		}
	});

	it('resumed in the wizard: the question names the user written out, and the title stays', async () => {
		const journal = `${bed.dir}/hostile-user-wizard.jsonl`;
		journalWithHostileUser(journal);
		expect(await bed.send('set server webapps/app03 state drain')).toBe('\n');
		try {
			session = await startCliInTmux(['webapps/app03', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 100, rows: 30});
			const title = await session.title();
			const screen = await session.waitForScreen('Resume at confirm?');
			expect(screen.replace(/\n/g, '')).toContain(`the maintenance that ana${shownBytes} started at`);
			expect(await session.title()).toBe(title);
			expect(adminStates(await bed.send('show servers state webapps'))['webapps/app03']).toBe('8');
		} finally {
			await bed.send('set server webapps/app03 state ready');
		}
	});
});

function escape(text: string): string {
	return text.replace(/[\\^$.*+?()[\]{}|]/g, String.raw`\$&`);
}
