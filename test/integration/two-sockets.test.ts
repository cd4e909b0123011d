import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {rollResultSchema} from '../../source/headless/roll-report.js';
import {readJournal} from '../../source/runbook/journal.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';
import {waitFor} from '../helpers/wait-for.js';

// One HAProxy reached through two sockets (its UNIX stats socket and a TCP one) is one HAProxy:
// what the journal holds of it through either is read through the other.
let bed: TestBed;
let session: TmuxSession | undefined;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
	await waitFor('webapps checked UP', async () => ((await bed.send('show stat webapps 4 -1')).split('\n').filter((row) => /,UP,.*,L7OK,/.test(row)).length === 3 ? true : undefined), 15_000);
});

afterEach(async () => {
	await session?.kill();
	session = undefined;
	for (const server of ['app01', 'app02', 'app03']) {
		await bed.send(`set server webapps/${server} state ready`);
	}
});

afterAll(async () => {
	await bed?.stop();
});

const unix = () => ['--socket', bed.adminSocket, '--config', bed.configPath];
const tcp = () => ['--socket', `127.0.0.1:${bed.tcpPort}`, '--config', bed.configPath];
const states = async () => adminStates(await bed.send('show servers state webapps'));
const flat = (screen: string) => screen.replace(/\s+/g, '');

describe('one HAProxy through its UNIX socket and its TCP socket', () => {
	it('the grid on the UNIX socket offers to resume a drain made through the TCP one, and q names it', async () => {
		const journal = path.join(bed.dir, 'grid-a.jsonl');
		const drain = await runCli(['drain', 'webapps/app02', ...tcp(), '--journal', journal, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		expect((await states())['webapps/app02']).toBe('8');

		session = await startCliInTmux([...unix(), '--journal', journal], {columns: 100, rows: 30, after: 'sleep 2'});
		await session.waitForScreen('⚠ r resumes webapps/app02', 15_000);
		const left = flat(await session.press('q', (current) => flat(current).includes('hasanunfinishedmaintenancethatdrainedwebapps/app02')));
		expect(left).toContain(`Toseewhereitstandsandresume:drainboardwebapps/app02--socket${bed.adminSocket}`);
		expect(await session.exited()).toBe(0);
	});

	it('a maintenance drained through the UNIX socket and restored through the TCP one is not named unfinished by the grid on the UNIX socket', async () => {
		const journal = path.join(bed.dir, 'grid-b.jsonl');
		const drain = await runCli(['drain', 'webapps/app03', ...unix(), '--journal', journal, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		const restore = await runCli(['restore', 'webapps/app03', ...tcp(), '--journal', journal, '--yes']);
		expect(restore.code, restore.stderr).toBe(0);
		expect((await states())['webapps/app03']).toBe('0');

		session = await startCliInTmux([...unix(), '--journal', journal], {columns: 100, rows: 30, after: 'sleep 2'});
		await session.waitForScreen((current) => / app03 .* UP /.test(current), 15_000);
		// The grid has read the journal (at once when it opens): nothing of app03 is open. The screen
		// once the program has ended holds whatever it wrote on its way out.
		await session.send('q');
		expect(await session.exited()).toBe(0);
		const left = await session.screen();
		expect(left).not.toContain('unfinished maintenance');
		expect(left).not.toContain('r resumes');
	});

	it('a roll stopped through the UNIX socket is taken up through the TCP one; finished there, the UNIX socket starts a new roll, not "resuming" the done one', async () => {
		const journal = path.join(bed.dir, 'roll.jsonl');
		const marker = path.join(bed.dir, 'app02-fixed');
		const exec = `if [ "$DRAINBOARD_SERVER" = app02 ] && [ ! -e ${JSON.stringify(marker)} ]; then echo "app02 will not stop" >&2; exit 3; fi; echo "ran on $DRAINBOARD_SERVER" >&2`;
		const args = (socket: string[]) => ['roll', 'webapps', ...socket, '--journal', journal, '--yes', '--json', '--exec', exec];

		const first = await runCli(args(unix()), {timeoutMs: 120_000});
		expect(first.code, first.stderr).toBe(1);
		expect(rollResultSchema.parse(JSON.parse(first.stdout)).results.map((entry) => entry.outcome)).toEqual(['done', 'stopped', 'not-started']);
		expect(await states()).toEqual({'webapps/app01': '0', 'webapps/app02': '8', 'webapps/app03': '0'});

		writeFileSync(marker, '');
		const second = await runCli(args(tcp()), {timeoutMs: 120_000});
		expect(second.code, second.stderr).toBe(0);
		expect(second.stderr).toMatch(/→ resuming the roll of webapps that \S+ started at .*: app01 done; continuing with app02\./);
		expect(rollResultSchema.parse(JSON.parse(second.stdout)).results.map((entry) => [entry.server, entry.outcome])).toEqual([
			['app01', 'already-done'],
			['app02', 'done'],
			['app03', 'done'],
		]);
		expect(second.stderr).not.toContain('ran on app01');
		expect(await states()).toEqual({'webapps/app01': '0', 'webapps/app02': '0', 'webapps/app03': '0'});

		// The roll is finished: the same command through the UNIX socket is a new roll of every server.
		const before = readJournal(journal).entries.length;
		const third = await runCli(args(unix()), {timeoutMs: 120_000});
		expect(third.code, third.stderr).toBe(0);
		expect(third.stderr).not.toContain('resuming');
		const added = readJournal(journal).entries.slice(before);
		expect(added.filter((entry) => entry.event.startsWith('roll-')).map((entry) => entry.event)[0]).toBe('roll-started');
		// Every entry of a roll names the process behind its socket, as HAProxy's show info gives it.
		expect(added.filter((entry) => entry.event === 'roll-started')[0]!.instances).toEqual([expect.objectContaining({socket: bed.adminSocket, pid: bed.haproxy.pid})]);
	}, 300_000);
});
