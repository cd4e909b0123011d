import {execFileSync} from 'node:child_process';
import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, describe, expect, it} from 'vitest';
import {checklist} from '../helpers/checklist.js';
import {findHaproxy} from '../../source/config/find-haproxy.js';
import {socketPart} from '../../source/runbook/instance-keys.js';
import {isAlive} from '../../source/lab/lab.js';
import {runCli} from '../helpers/run-cli.js';
import {statusJsonSchema} from '../../source/headless/status-schema.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';
import {waitFor} from '../helpers/wait-for.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'drainboard-labtest-'));
let session: TmuxSession | undefined;

afterEach(async () => {
	await session?.kill();
	session = undefined;
});

afterAll(() => {
	rmSync(tmp, {recursive: true, force: true});
});

const labDirs = () => readdirSync(tmp).filter((name) => name.startsWith('drainboard-lab-'));
const alive = isAlive;

/** Starts the lab in a terminal and waits for its grid: every demo server UP. */
async function startLab(): Promise<{session: TmuxSession; haproxyPid: number; drainboardPid: number}> {
	const started = await startCliInTmux(['lab'], {columns: 100, rows: 30, env: {TMPDIR: tmp}});
	session = started;
	// All seven rows (static has an app01 and app02 too: a name alone would match its row while
	// webapps' is DOWN) and the three backends' lines. A loaded machine can time out a first check
	// (L7TOUT); two good ones bring it back (rise 2, inter 1s), hence the wait.
	const allUp = (current: string) => (current.match(/● \w+ .* UP +1 +0 L7OK/g) ?? []).length === 7 && [/▸ webapps +3\/3 up · 3 serving/, /▸ api +2\/2 up · 2 serving/, /▸ static +2\/2 up · 2 serving/].every((line) => line.test(current));
	const screen = await started.waitForScreen(allUp, 30_000);
	expect(screen.split('\n')[0]).toMatch(/^LAB · s stops\/starts the demo server under the cursor · q ends the lab *$/);
	expect(screen).toMatch(/▸ webapps +3\/3 up · 3 serving/);
	expect(screen).toMatch(/▸ static +2\/2 up · 2 serving/);
	expect(labDirs()).toHaveLength(1);
	const haproxyPid = Number(/HAProxy \d+\.\d+\.\d+ {2}pid (\d+)/.exec(screen)?.[1]);
	const drainboardPid = Number(execFileSync('pgrep', ['-P', String(await started.pid())]).toString().trim().split('\n')[0]);
	expect(alive(haproxyPid)).toBe(true);
	return {session: started, haproxyPid, drainboardPid};
}

describe('drainboard lab', () => {
	it('shows the grid on a real HAProxy, its help names the lab\'s s and socket, and q leaves no process and no temp dir', async () => {
		const lab = await startLab();
		// Its watchdog runs beside it (ending HAProxy should the lab be killed outright), until q.
		const watchdog = Number(execFileSync('pgrep', ['-P', String(lab.drainboardPid), '-f', 'watchdog\\.sh']).toString().trim());
		expect(alive(watchdog)).toBe(true);
		const help = await lab.session.press('?', 'Press ? or Esc to close.');
		expect(help).toMatch(/^ {2}s {15}lab: stop \/ start the demo server under the cursor *$/m);
		// The header cuts the socket's path on a narrow terminal: the help gives it whole.
		const socket = `${tmp}/${labDirs()[0]!}/admin.sock`;
		expect(help.replace(/\s+/g, ' ')).toContain(`(socket) ${socket}: for --socket in another terminal (status, drain, restore)`);
		// Its journal too: status and restore in that other terminal see the lab's maintenances only with it.
		expect(help.replace(/\s+/g, ' ')).toContain(`(journal) ${tmp}/${labDirs()[0]!}/journal.jsonl: for --journal there, to see the lab's maintenances`);
		await lab.session.press('Escape', (current) => !current.includes('Press ? or Esc to close.'));
		await lab.session.send('q');
		expect(await lab.session.exited()).toBe(0);
		// The line wraps at the pane's width: read it joined.
		expect((await lab.session.screen()).replace(/\n/g, '')).toMatch(/drainboard lab ended: HAProxy and the demo servers are stopped, \S*drainboard-lab-\w+ is removed with the lab's journal\./);
		expect(alive(lab.haproxyPid)).toBe(false);
		expect(alive(watchdog)).toBe(false);
		expect(labDirs()).toEqual([]);
	});

	it('s stops and starts the demo server under the cursor, says so, then shows the banner again', async () => {
		const lab = await startLab();
		const banner = /^LAB · s stops\/starts the demo server under the cursor · q ends the lab *$/;
		// The clock column changes the frame every second: the cursor (inverse video) on app01 is what proves Down was read.
		await lab.session.send('Down');
		await waitFor('the cursor on app01', async () => ((await lab.session.screen(true)).split('\n').some((line) => line.includes('\u001B[0;7m') && / app01 /.test(line)) ? true : undefined));
		let screen = await lab.session.press('s', (current) => / ✗ app01 .* DOWN /.test(current), 15_000);
		expect(screen.split('\n')[0]).toMatch(/^lab: app01 stopped; HAProxy sees it DOWN within about 2 s\. s starts it again\. *$/);
		screen = await lab.session.press('s', (current) => /● app01 .* UP +1 +0 L7OK/.test(current), 15_000);
		expect(screen.split('\n')[0]).toMatch(/^lab: app01 started; HAProxy sees it UP after two good checks \(about 2 s\)\. *$/);
		screen = await lab.session.waitForScreen((current) => banner.test(current.split('\n')[0]!), 15_000);
		expect(screen).toMatch(/● app01 .* UP +1 +0 L7OK/);
		// A filter that matches nothing leaves no row to be under the cursor: s and m say so, not "move the cursor".
		await lab.session.press(['/', 'z', 'z', 'Enter'], '0 servers match · Esc clears');
		screen = await lab.session.press('s', 'LAB · s works on a server row, and the filter matches none: Esc clears it');
		expect(screen).not.toContain('move the cursor');
		screen = await lab.session.press('m', 'm takes out a machine from one of its servers, and the filter matches none: Esc clears it.');
		// Once Esc has cleared the filter, the message that told to press it is past: it goes with the filter.
		screen = await lab.session.press('Escape', (current) => !current.includes('servers match') && /● app01 /.test(current));
		expect(screen).not.toContain('m takes out a machine');
		await lab.session.send('q');
		expect(await lab.session.exited()).toBe(0);
	});

	it('derives its probes from its own configuration, as on a real host (no hidden --url): api1 is reached by its path', async () => {
		const lab = await startLab();
		await lab.session.press(['Down', 'Down', 'Down', 'Down', 'Down', 'Enter'], (current) => current.includes('drainboard · api/api1') && current.includes('Enter run validate'));
		await lab.session.press('Enter', (current) => checklist(current).includes('▶ baseline'));
		const screen = (await lab.session.press('Enter', (current) => checklist(current).includes('▶ drain'), 30_000)).replace(/\s+/g, ' ');
		expect(screen).toMatch(/Traffic goes through http:\/\/127\.0\.0\.1:\d+\/api \(derived from frontend web \(line \d+\): use_backend api if \{ path_beg \/api \}/);
		expect(screen).not.toContain('from --url');
		await lab.session.send('q');
		expect(await lab.session.exited()).toBe(0);
	});

	it('rehearses a machine in two backends: m on app01 offers its address and port, and the maintenance drains and restores webapps/app01 and static/app01 as one', async () => {
		const lab = await startLab();
		const socket = path.join(tmp, labDirs()[0]!, 'admin.sock');
		const status = async () => statusJsonSchema.parse(JSON.parse((await runCli(['status', '--socket', socket, '--json'])).stdout));
		const drained = async () => (await status()).drains.map((drain) => drain.server);
		const {port} = (await status()).servers.find((server) => server.backend === 'webapps' && server.server === 'app01')!;
		// On a backend row, m says what it needs instead of doing nothing.
		let screen = await lab.session.press('m', (current) => current.replace(/\s+/g, ' ').includes('m takes out a machine from one of its servers: move the cursor onto a server row'));
		expect(screen).toMatch(/^▸ webapps /m);
		// So does the lab's s: no demo server is under a backend row.
		screen = await lab.session.press('s', 'LAB · s works on a server row: move the cursor onto one (↓ or j) first');
		expect(screen).not.toMatch(/DOWN/);
		screen = await lab.session.press(['Down', 'm'], (current) => current.includes('TAKE OUT TOGETHER WITH webapps/app01'));
		expect(screen).toMatch(new RegExp(`❯ @127\\.0\\.0\\.1:${port} +every server at 127\\.0\\.0\\.1 port ${port} \\(2 servers\\)`));
		expect(screen).toContain(`@127.0.0.1:${port}: webapps/app01, static/app01`);
		expect(screen).toMatch(/^ {2}Only webapps\/app01 \(its own maintenance\) *$/m);
		screen = await lab.session.press('Enter', (current) => current.includes('MAINTENANCE of 2 servers as one') && current.includes('Enter drain all'));
		expect(screen).toMatch(/^ {2}webapps\/app01 +UP /m);
		expect(screen).toMatch(/^ {2}static\/app01 +UP /m);
		screen = await lab.session.press('Enter', (current) => current.includes('set server static/app01 state drain'), 60_000);
		expect(screen).toContain('set server webapps/app01 state drain');
		expect(await drained()).toEqual([]);
		screen = await lab.session.press('y', (current) => current.includes('Both are drained and confirmed'), 60_000);
		expect(await drained()).toEqual(['webapps/app01', 'static/app01']);
		// Quitting now would end the lab with both drained: asked, as the lab's (no command to resume a gone HAProxy).
		screen = await lab.session.press('q', (current) => current.includes('End the lab anyway?'));
		expect(screen.replace(/\s+/g, ' ')).toContain('webapps/app01, static/app01 are drained. End the lab anyway? Its HAProxy stops with it.');
		await lab.session.press('n', (current) => current.includes('Both are drained and confirmed') && !current.includes('End the lab anyway?'));
		// The work: the demo server behind both stops, restore waits for its health, then one y for both readies.
		// Each backend's checks see it within seconds (inter 1s fall 2), and the screen reads both backends every cycle: static
		// read only with the full dumps (250 times a dump's cost apart, up to 30 s on a loaded host) once stayed DRAIN here for 15 s.
		await lab.session.press('s', (current) => /static\/app01 +DOWN/.test(current) && /webapps\/app01 +DOWN/.test(current), 15_000);
		await lab.session.press('Enter', (current) => /waiting for its health check/.test(current.replace(/\s+/g, ' ')), 15_000);
		await lab.session.press('s', (current) => current.includes('set server static/app01 state ready'), 30_000);
		expect(await drained()).toEqual(['webapps/app01', 'static/app01']);
		screen = await lab.session.press('y', (current) => current.includes('Both are back in rotation'), 60_000);
		expect(await drained()).toEqual([]);
		// Back on the grid, every backend is read at once, not at the next full dump: static/app01 shows ready, as restore left it.
		await lab.session.press('Enter', (current) => /▸ static +2\/2 up · 2 serving/.test(current));
		await lab.session.send('q');
		expect(await lab.session.exited()).toBe(0);
	}, 150_000);

	it('ends the notes of whose drain it was with its HAProxy: a drain made on the lab leaves no mark behind', async () => {
		const lab = await startLab();
		const socket = path.join(tmp, labDirs()[0]!, 'admin.sock');
		const lockDir = process.env['DRAINBOARD_LOCK_DIR']!;
		const ofLab = () => readdirSync(lockDir).filter((name) => name.endsWith('.drained') && name.includes(`-pid${lab.haproxyPid}-`));
		const drain = await runCli(['drain', 'webapps/app02', '--socket', socket, '--journal', path.join(tmp, 'lab-drain.jsonl'), '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		expect(ofLab()).toHaveLength(1);
		await lab.session.send('q');
		expect(await lab.session.exited()).toBe(0);
		expect(ofLab()).toEqual([]);
	});

	it.each([['SIGTERM'], ['SIGHUP'], ['SIGINT']] as const)('cleans up after %s', async (signal) => {
		const lab = await startLab();
		process.kill(lab.drainboardPid, signal);
		await lab.session.exited();
		await waitFor('HAProxy to be gone', () => (alive(lab.haproxyPid) ? undefined : true));
		expect(labDirs()).toEqual([]);
	});

	it('killed with SIGKILL, leaves no HAProxy, no temp dir and no drain mark behind: its watchdog ends them', async () => {
		const killed = await startLab();
		const socket = path.join(tmp, labDirs()[0]!, 'admin.sock');
		// The worker's mark, and the same under the lab's socket (its HAProxy has no master).
		const bySocket = `${socketPart(socket)}.`;
		const ofLab = () => readdirSync(process.env['DRAINBOARD_LOCK_DIR']!).filter((name) => name.endsWith('.drained') && (name.includes(`-pid${killed.haproxyPid}-`) || name.includes(bySocket)));
		const drain = await runCli(['drain', 'webapps/app02', '--socket', socket, '--journal', path.join(tmp, 'lab-killed.jsonl'), '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		expect(ofLab()).toHaveLength(2);
		// ps names the watchdog by its script, not by the script's text.
		expect(execFileSync('pgrep', ['-a', '-P', String(killed.drainboardPid), '-f', 'watchdog\\.sh']).toString()).toMatch(/^\d+ \/bin\/sh \S+\/drainboard-lab-\w+\/watchdog\.sh \S+\/drainboard-lab-\w+ \S+ \d+ -sock\w+\n$/);
		process.kill(killed.drainboardPid, 'SIGKILL');
		await killed.session.exited();
		await waitFor('the watchdog to end HAProxy', () => (alive(killed.haproxyPid) ? undefined : true));
		await waitFor('the watchdog to remove the lab dir', () => (labDirs().length === 0 ? true : undefined));
		expect(ofLab()).toEqual([]);
	});

	it('killed with SIGKILL together with its watchdog, is swept on the next start, its drain marks too', async () => {
		const killed = await startLab();
		const socket = path.join(tmp, labDirs()[0]!, 'admin.sock');
		const bySocket = `${socketPart(socket)}.`;
		const ofLab = () => readdirSync(process.env['DRAINBOARD_LOCK_DIR']!).filter((name) => name.endsWith('.drained') && (name.includes(`-pid${killed.haproxyPid}-`) || name.includes(bySocket)));
		const drain = await runCli(['drain', 'webapps/app02', '--socket', socket, '--journal', path.join(tmp, 'lab-swept.jsonl'), '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		expect(ofLab()).toHaveLength(2);
		const watchdog = Number(execFileSync('pgrep', ['-P', String(killed.drainboardPid), '-f', 'watchdog\\.sh']).toString().trim());
		process.kill(watchdog, 'SIGKILL');
		process.kill(killed.drainboardPid, 'SIGKILL');
		await killed.session.exited();
		expect(alive(killed.haproxyPid)).toBe(true);
		expect(labDirs()).toHaveLength(1);
		await killed.session.kill();
		const next = await startLab();
		expect(alive(killed.haproxyPid)).toBe(false);
		expect(ofLab()).toEqual([]);
		await next.session.send('q');
		expect(await next.session.exited()).toBe(0);
		expect(labDirs()).toEqual([]);
	});

	it('says how to install HAProxy when it is missing (exit 3), refuses a --haproxy that is none (exit 2), and cleans up when it cannot open a terminal', async () => {
		await expect(findHaproxy(undefined, tmp, [])).rejects.toThrow('HAProxy is not installed (no haproxy on PATH); install it with "sudo apt-get install -y haproxy", or pass --haproxy <path>.');
		const missing = await runCli(['lab', '--haproxy', `${tmp}/no-haproxy`], {env: {TMPDIR: tmp}});
		expect(missing.code).toBe(2);
		expect(missing.stderr).toBe(`${tmp}/no-haproxy is not an executable haproxy binary; check the --haproxy path.\n`);
		const noTerminal = await runCli(['lab'], {env: {TMPDIR: tmp}});
		expect(noTerminal.code).toBe(2);
		// Refused before anything started: no lab to stop, no temp dir to remove.
		expect(noTerminal.stderr).toBe('The interactive app needs a terminal, and stdin is not one; use "drainboard status" for a snapshot, or drain/restore with --yes in scripts.\n');
		expect(labDirs()).toEqual([]);
	});
});
