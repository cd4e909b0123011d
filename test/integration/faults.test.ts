import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {readJournal} from '../../source/runbook/journal.js';
import {syntheticDumps} from '../bench/synthetic-dump.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {fixture} from '../helpers/fixtures.js';
import {startLocalSocket} from '../helpers/local-socket.js';
import {checklist} from '../helpers/checklist.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';
import {statedWaits} from '../helpers/waited.js';

let bed: TestBed;
let session: TmuxSession | undefined;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
});

afterEach(async () => {
	await session?.kill();
	session = undefined;
	await bed.send('set server webapps/app01 state ready').catch(() => undefined);
});

afterAll(async () => {
	await bed?.stop();
});

const admin = async () => adminStates(await bed.send('show servers state webapps'))['webapps/app01'];

/** Opens the wizard on webapps/app01 and walks it until `step` is current. */
async function wizardAt(step: 'validate' | 'baseline' | 'confirm' | 'maintain' | 'restore', journal: string, after?: string): Promise<TmuxSession> {
	session = await startCliInTmux(['webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--ready-timeout', '20'], {columns: 100, rows: 30, after});
	await session.waitForScreen('Enter run validate');
	const order = ['validate', 'baseline', 'drain', 'confirm', 'maintain', 'restore'];
	for (const next of order.slice(1, order.indexOf(step) + 1)) {
		const reached = (screen: string) => checklist(screen).includes(`▶ ${next}`);
		if (next === 'confirm') {
			await session.press('Enter', 'y send it');
			await session.press('y', reached, 20_000);
		} else {
			await session.press('Enter', reached, 20_000);
		}
	}

	return session;
}

describe('HAProxy stopping and coming back during the wizard', () => {
	it('pauses with a banner, keeps its place, flags the restart, and carries on', async () => {
		const journal = `${bed.dir}/outage.jsonl`;
		const wizard = await wizardAt('maintain', journal);
		const pid = bed.haproxy.pid;
		await bed.stopHaproxy();
		let screen: string;
		try {
			// The step reads the target once more before it says what it last saw: wait for that sentence.
			screen = await wizard.waitForScreen((current) => current.includes('paused: HAProxy does not answer') && current.replace(/\s+/g, ' ').includes('so its state now is unknown'));
			expect(screen.replace(/\n/g, ' ')).toMatch(/⚠ HAProxy at .*admin\.sock does not answer since \d\d:\d\d:\d\d; the wizard waits and keeps its place\./);
			expect(screen).toMatch(/STALE \d+s/);
			expect(screen).toContain('paused: HAProxy does not answer');
			// Enter is not offered while it would do nothing.
			expect(screen).toContain('waiting for HAProxy to answer · ? help · q quit');
			expect(screen.replace(/\s+/g, ' ')).toMatch(/webapps\/app01 was drained \(out of rotation\) when HAProxy last answered, at \d\d:\d\d:\d\d; HAProxy at \S+ does not answer since \d\d:\d\d:\d\d, so its state now is unknown\. Once HAProxy answers again, press Enter when the work is done/);
			expect(screen).not.toContain('Enter the work is done');
			// Enter changes nothing on screen: the help, opened by the key read after it, shows it was read.
			await wizard.send('Enter');
			await wizard.press('?', 'show / hide this help');
			screen = await wizard.press('?', (current) => !current.includes('show / hide this help') && checklist(current) !== '');
			expect(checklist(screen)).toContain('▶ maintain');
			expect(screen).toContain('paused: HAProxy does not answer');
			expect(checklist(await wizard.screen())).toContain('▶ maintain');
		} finally {
			await bed.startHaproxy();
		}

		screen = await wizard.waitForScreen((current) => current.replace(/\s+/g, ' ').includes('or restarted (pid'));
		expect(screen.replace(/\s+/g, ' ')).toContain(`was reloaded or restarted (pid ${pid} → ${bed.haproxy.pid}). The drain is gone: app01 is back in rotation. Press r to re-apply it.`);
		expect(screen).not.toContain('paused');
		// The drain is gone: no "the work is done" until it is back.
		expect(screen).toContain('r re-apply drain · not drained: work waits');
		expect(screen).not.toContain('Enter the work is done');
		await wizard.press('r', 'this puts it back');
		// Back in rotation meanwhile: confirm runs again before the work goes on.
		screen = await wizard.press('y', (current) => !current.replace(/\s+/g, ' ').includes('or restarted (pid') && checklist(current).includes('▶ confirm'));
		expect(await admin()).toBe('8');
		await wizard.press('Enter', (current) => checklist(current).includes('✓ confirm › ▶ maintain') && current.includes('Enter the work is done'), 30_000);
		await wizard.press('Enter', (current) => checklist(current).includes('▶ restore'), 20_000);
		const events = readJournal(journal).entries;
		expect(events.filter((entry) => entry.event === 'alarm').map((entry) => entry.detail)).toEqual(
			expect.arrayContaining([expect.stringContaining('does not answer since'), expect.stringContaining('or restarted (pid')]),
		);
	});

	it('waits through an outage while the maintain step is running; the restart took the drain, which it says, and r puts back', async () => {
		const wizard = await wizardAt('maintain', `${bed.dir}/running-outage.jsonl`);
		await bed.demo('app01').stop();
		await wizard.waitForScreen((screen) => / ✗ app01 .* DOWN/.test(screen));
		await wizard.press('Enter', 'waiting for its health check to pass');
		const before = bed.haproxy.pid;
		await bed.stopHaproxy();
		try {
			await wizard.waitForScreen('HAProxy does not answer; waiting for it (the step keeps its place)');
		} finally {
			await bed.startHaproxy();
			await bed.demo('app01').start();
		}

		// Restarted without a server-state file: the drain is gone. The running step reads HAProxy
		// again and says so instead of passing; r puts the drain back, and the runbook goes on.
		// Told apart by the pids in the journal's drain entry: a restart, not someone's ready.
		let screen = await wizard.waitForScreen((current) => current.replace(/\s+/g, ' ').includes('the drain is gone, and webapps/app01 went back into rotation') && current.includes('r re-apply drain'), 30_000);
		expect(screen.replace(/\s+/g, ' ')).toContain(`was reloaded or restarted after the drain at`);
		expect(screen.replace(/\s+/g, ' ')).toContain(`(pid ${before} → ${bed.haproxy.pid}, started at`);
		expect(screen.replace(/\s+/g, ' ')).toMatch(/went back into rotation during the maintenance\. That was while drainboard waited for its health check, now [A-Z]+ .*\. Nothing was sent\./);
		expect(checklist(screen)).not.toContain('▶ restore');
		expect(await admin()).toBe('0');
		await wizard.press('r', 'this puts it back');
		screen = await wizard.press('y', (current) => !current.includes('r re-apply drain') && checklist(current).includes('▶ confirm'));
		expect(await admin()).toBe('8');
		await wizard.press('Enter', (current) => checklist(current).includes('✓ confirm › ▶ maintain') && current.includes('Enter the work is done'), 30_000);
		await wizard.press('Enter', (current) => checklist(current).includes('▶ restore'), 20_000);
	});
});

describe('signals at every step: terminal restored, journal kept, resume offered', () => {
	it.each([
		['SIGINT', 'baseline', null, 130],
		['SIGTERM', 'confirm', 'confirm', 143],
		['SIGHUP', 'maintain', 'maintain', 129],
	] as const)('%s at %s: exit 128 + the signal', async (signal, step, resumeAt, exitCode) => {
		const journal = `${bed.dir}/signal-${signal}.jsonl`;
		const sttyFile = `${bed.dir}/stty-${signal}`;
		const wizard = await wizardAt(step, journal, `stty -a > ${sttyFile}`);
		const node = Number(execFileSync('pgrep', ['-P', String(await wizard.pid())]).toString().trim().split('\n')[0]);
		process.kill(node, signal);
		expect(await wizard.exited()).toBe(exitCode);
		const modes = readFileSync(sttyFile, 'utf8');
		expect(modes).toMatch(/(?:^|\s)icanon(?:\s|$)/);
		expect(modes).toMatch(/(?:^|\s)echo(?:\s|$)/);
		const entries = readJournal(journal).entries;
		expect(entries.at(-1)?.step).toBe(step === 'baseline' ? 'validate' : step === 'confirm' ? 'drain' : 'confirm');
		await wizard.kill();
		session = await startCliInTmux(['webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 100, rows: 30});
		if (resumeAt) {
			const screen = await session.waitForScreen(`Resume at ${resumeAt}?`);
			expect(screen).toContain(`y resume at ${resumeAt}`);
		} else {
			await session.waitForScreen('Enter run validate');
			expect(await session.screen()).not.toContain('Resume at');
		}
	});

	it('Ctrl-C at the ready prompt asks as q does (nothing sent); n stays, y quits with 130, and the next start resumes at maintain, its health wait to run again', async () => {
		const journal = `${bed.dir}/ctrl-c.jsonl`;
		const wizard = await wizardAt('restore', journal);
		await wizard.press('Enter', 'set server webapps/app01 state ready');
		let screen = await wizard.press('C-c', 'Quit anyway?');
		expect(screen).not.toContain('set server webapps/app01 state ready');
		expect(screen.replace(/\s+/g, ' ')).toMatch(/webapps\/app01 is drained \(out of rotation\), as HAProxy showed at \d\d:\d\d:\d\d\. Quit anyway\?/);
		screen = await wizard.press('n', (current) => !current.includes('Quit anyway?'));
		expect(checklist(screen)).toContain('▶ restore');
		await wizard.press('C-c', 'Quit anyway?');
		await wizard.send('y');
		expect(await wizard.exited()).toBe(130);
		expect(await admin()).toBe('8');
		expect((await wizard.screen()).replace(/\s+/g, '')).toMatch(/webapps\/app01isdrained\(outofrotation\),asHAProxyshowedat\d\d:\d\d:\d\d\.Toresume:drainboardwebapps\/app01/);
		expect(readJournal(journal).entries.at(-1)).toMatchObject({event: 'quit', step: 'restore'});
		await wizard.kill();
		session = await startCliInTmux(['webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 100, rows: 30});
		// Maintain passed, but no ready took effect: the health seen then is no proof now.
		const resumed = await session.waitForScreen('Resume at maintain?');
		expect(resumed.replace(/\s+/g, ' ')).toContain("its maintain passed, but HAProxy still shows the target drained, so maintain's health wait runs again before ready. Resume at maintain?");
	});

	it('Ctrl-C before anything is drained ends at once with 130, nothing asked', async () => {
		const journal = `${bed.dir}/ctrl-c-early.jsonl`;
		const wizard = await wizardAt('baseline', journal);
		await wizard.send('C-c');
		expect(await wizard.exited()).toBe(130);
		expect(await wizard.screen()).not.toContain('Quit anyway?');
		expect(await admin()).toBe('0');
	});
});

describe('sockets that misbehave, and a journal that cannot be written', () => {
	it('answers garbage or binary: a clear error, exit 3', async () => {
		for (const reply of [Buffer.from('hello, I am not HAProxy\n\n'), Buffer.from([0, 255, 1, 254, 10, 10])]) {
			const local = await startLocalSocket((_line, socket) => socket.end(reply));
			try {
				const result = await runCli(['status', '--socket', local.path]);
				expect(result.code).toBe(3);
				expect(result.stderr).toMatch(new RegExp(`^HAProxy at ${local.path} sent an unreadable reply to "show info;show servers state;show stat -1 6 -1": .+\\.\\n$`));
			} finally {
				await local.close();
			}
		}
	});

	it('cuts its reply off among the servers: a clear error, exit 3, and on stdout only the error object, no snapshot', async () => {
		// HAProxy 2.6's show info (captured), then 600 servers shaped as it prints them, cut off
		// after 500 stat rows: more than one batch of servers is made before the reply turns out short.
		const dumps = syntheticDumps(30, 20, fixture('stat.csv').split('\n')[0]!);
		const reply = `${fixture('info.txt')}${dumps.serversState}${dumps.stat}`;
		const cut = reply.slice(0, reply.indexOf('\nbackend25,srv0,') + 1);
		expect(cut.length).toBeGreaterThan(reply.length * 0.8);
		const local = await startLocalSocket((_line, socket) => socket.end(cut));
		try {
			const result = await runCli(['status', '--json', '--socket', local.path]);
			expect(result.code).toBe(3);
			expect(result.stderr).toBe(`HAProxy at ${local.path} sent an unreadable reply to "show info;show servers state;show stat -1 6 -1": the reply ended before its closing empty line (truncated).\n`);
			// With --json, an error is status's own one object too: empty lists and the error.
			expect(JSON.parse(result.stdout)).toEqual({instances: [], servers: [], differences: [], drains: [], lostDrains: [], unserved: [], error: {code: 'unreachable', message: result.stderr.trim()}});
		} finally {
			await local.close();
		}
	});

	it('is a web port (HAProxy\'s own HTTP frontend) given as --socket: says it answers as a web server, not the Runtime API; nothing sent, exit 3', async () => {
		const web = `127.0.0.1:${new URL(bed.url).port}`;
		const expected = `${web} answers as a web server ("HTTP/1.1 400 Bad request"), not as HAProxy's Runtime API; pass --socket the path or address of a "stats socket" line of haproxy.cfg, not a web, stats page or SSH port.`;
		const status = await runCli(['status', '--socket', web]);
		expect(status.code).toBe(3);
		expect(status.stderr).toBe(`${expected}\n`);
		const drain = await runCli(['drain', 'webapps/app01', '--socket', web, '--config', bed.configPath, '--journal', `${bed.dir}/web-port.jsonl`, '--yes', '--json']);
		expect(drain.code).toBe(3);
		expect(JSON.parse(drain.stdout)).toMatchObject({ok: false, changed: false, error: {code: 'unreachable', message: expected}});
		// Said once in the step and once in the error, not again for the read at the end.
		expect(drain.stderr.split(expected.slice(0, 40)).length - 1).toBe(1);
		expect(drain.stderr).toContain('Nothing was sent to HAProxy by this run.');
		expect(await admin()).toBe('0');
	});

	it('accepts and never answers: a clear error within the timeout, exit 3', async () => {
		const local = await startLocalSocket(() => undefined);
		try {
			const result = await runCli(['status', '--socket', local.path, '--timeout', '1']);
			expect(result.code).toBe(3);
			expect(statedWaits(result.stderr, 1)).toBe(`HAProxy at ${local.path} did not answer within 1 s; it may be overloaded or its stats socket stuck (raise --timeout, or check "stats maxconn").\n`);
		} finally {
			await local.close();
		}
	});

	it.each([
		['a device', '/dev/full', 'is refused because it is not a regular file (a device)'],
		['a directory that cannot be made', `${'/etc/hostname'}/drainboard/journal.jsonl`, 'cannot be written because its directory cannot be created'],
		['a place where no file can be made (ENOENT)', '/proc/drainboard-journal.jsonl', 'cannot be written because no file can be created there'],
	])('a journal on %s: no change, and the operator is told why (exit 1)', async (_case, journal, why) => {
		const before = await admin();
		const result = await runCli(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--yes']);
		expect(result.code).toBe(1);
		expect(result.stderr).toContain(`The journal ${journal} ${why}; no change was sent to HAProxy.`);
		// Space is asked for only when the disk is full.
		expect(result.stderr).not.toContain('Free space');
		expect(await admin()).toBe(before);
	});
});

describe('someone puts the target into maintenance while the wizard holds its drain', () => {
	it('says it is their maintenance, offers no r, and r sends nothing: FMAINT stays', async () => {
		const journal = `${bed.dir}/maint-by-other.jsonl`;
		const wizard = await wizardAt('maintain', journal);
		expect(await bed.send('set server webapps/app01 state maint')).toBe('\n');
		const screen = await wizard.waitForScreen((current) => current.replace(/\s+/g, ' ').includes('drainboard does not drain it again') && current.replace(/\s+/g, ' ').includes('Find out who before you work on it'));
		const flat = screen.replace(/\s+/g, ' ');
		expect(flat).toContain("it is FMAINT now, was FDRAIN. Someone's maintenance now: drainboard does not drain it again, as a drain would end it.");
		expect(screen).toContain("in someone's maintenance: find out who first");
		expect(flat).toMatch(/webapps\/app01 is not drained \(in maintenance, admin flags FMAINT\).*: someone else's maintenance, not this drain\. Find out who before you work on it\./);
		expect(screen).not.toContain('r re-apply');
		// Pressed anyway, r sends nothing: the help, opened by the key read after it, shows it was read.
		await wizard.send('r');
		await wizard.press('?', 'show / hide this help');
		await wizard.press('?', (current) => !current.includes('show / hide this help'));
		expect(await admin()).toBe('1');
		const sent = readJournal(journal).entries.filter((entry) => entry.event === 'command').map((entry) => entry.command);
		expect(sent).toEqual(['set server webapps/app01 state drain']);
	});
});
