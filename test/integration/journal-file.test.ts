import {execFileSync} from 'node:child_process';
import {chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readJournal} from '../../source/runbook/journal.js';
import {startForwardingSocket} from '../helpers/forwarding-socket.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli, startCli, type StartedCli} from '../helpers/run-cli.js';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';

/** app01's own HTTP server: answers at once, except requests to /hold, kept open until released. */
type HoldingServer = {port: number; held: number; release(): void; close(): Promise<void>};

async function startHoldingServer(): Promise<HoldingServer> {
	const held: http.ServerResponse[] = [];
	const server = http.createServer((request, response) => {
		request.resume();
		if (request.url === '/hold') {
			held.push(response);
			return;
		}

		response.end('app01\n');
	});
	await new Promise<void>((resolve) => {
		server.listen(0, '127.0.0.1', resolve);
	});
	const address = server.address();
	return {
		port: typeof address === 'object' && address ? address.port : 0,
		get held() {
			return held.length;
		},
		release() {
			for (const response of held.splice(0)) {
				response.end('app01\n');
			}
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => {
				server.close(() => {
					resolve();
				});
			});
		},
	};
}

let bed: TestBed;
let app01: HoldingServer;
let scratch: string;

beforeAll(async () => {
	app01 = await startHoldingServer();
	bed = await startTestBed({
		demos: ['app02'],
		config: (context) => `${context.global()}
${defaultsSection}
frontend web
    bind 127.0.0.1:${context.frontendPort}
    default_backend webapps

backend webapps
    # The tests hold one of two requests on app01: round robin, not 3.3+'s default random.
    balance roundrobin
    option httpchk GET /
    default-server check inter 200 fall 2 rise 2
    server app01 127.0.0.1:${app01.port}
    server app02 127.0.0.1:${context.port('app02')}
`,
	});
	scratch = mkdtempSync(path.join(os.tmpdir(), 'drainboard-journal-'));
});

afterAll(async () => {
	app01?.release();
	await bed?.stop();
	await app01?.close();
	rmSync(scratch, {recursive: true, force: true});
});

const adminOf = async (server: string) => adminStates(await bed.send('show servers state webapps'))[`webapps/${server}`];
const drainArgs = (journal: string) => ['drain', 'webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--yes'];

/** Every line of the file is a whole journal entry, and the file ends with a newline. */
function expectWholeLines(file: string): void {
	const text = readFileSync(file, 'utf8');
	expect(text.endsWith('\n')).toBe(true);
	expect(readJournal(file).unreadable).toBe(0);
}

/** A real tmpfs of `pages` 4 KB pages in a temp dir, filled up to `freeBytes` of free space. */
function smallDisk(pages: number, freeBytes: number): {dir: string; unmount(): void} {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-tmpfs-'));
	try {
		execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${pages * 4096},mode=0700`, 'tmpfs', dir]);
	} catch (error) {
		rmSync(dir, {recursive: true, force: true});
		throw new Error(`This test mounts a small tmpfs and needs root (mount -t tmpfs): ${String(error)}`);
	}

	writeFileSync(path.join(dir, 'filler'), Buffer.alloc(pages * 4096 - freeBytes));
	return {
		dir,
		unmount() {
			execFileSync('umount', [dir]);
			rmSync(dir, {recursive: true, force: true});
		},
	};
}

describe('a journal on a disk that fills up', () => {
	it('on a tmpfs with 4 KB left: the entry that does not fit is taken back, nothing is sent, and the run says the journal is incomplete (exit 1)', async () => {
		const disk = smallDisk(16, 4096);
		try {
			const journal = path.join(disk.dir, 'journal.jsonl');
			const result = await runCli(drainArgs(journal));
			expect(result.stderr).toMatch(/✗ (?:validate|baseline|drain) · .*The journal .* cannot be written because the disk is full; /);
			expect(result.stderr).toContain(`✗ The journal ${journal} is missing `);
			expect(result.stderr).not.toContain('Every step is in the journal');
			expect(result.code).toBe(1);
			expect(await adminOf('app01')).toBe('0');
			expectWholeLines(journal);
			expect(statSync(journal).size).toBeGreaterThan(2000);
		} finally {
			disk.unmount();
			await bed.send('set server webapps/app01 state ready');
		}
	});

	it('after the drain was sent (a write cut short by the file size limit): the run ends saying the journal is incomplete, exit 1, no torn line', async () => {
		const journal = path.join(scratch, 'after-drain.jsonl');
		// A session on app01 that stays open: confirm waits for it, after the drain is sent.
		const holds = [0, 1].map(async () => fetch(`${bed.url}hold`).then(async (response) => response.text()));
		await waitFor('a request held on app01', () => (app01.held === 1 ? true : undefined), 5000, 20);
		const cli = startCli([...drainArgs(journal), '--quiet-timeout', '20']);
		try {
			await waitFor(
				'the drain in HAProxy and its reply in the journal',
				async () => ((await adminOf('app01')) === '8' && readJournal(journal).entries.some((entry) => entry.event === 'reply' && entry.ok) ? true : undefined),
				15_000,
				20,
			);
			// From now on every write of the drainboard process stops 10 bytes further (RLIMIT_FSIZE).
			execFileSync('prlimit', ['--pid', String(cli.child.pid), `--fsize=${statSync(journal).size + 10}`]);
			app01.release();
			await Promise.all(holds);
			const {code} = await cli.exited;
			const {stderr} = cli;
			expect(code).toBe(1);
			expect(stderr).toContain('✓ webapps/app01 is drained and proven out of rotation.');
			expect(stderr).toMatch(new RegExp(`✗ The journal ${journal} is missing \\d+ entr(?:y|ies) of this run because it reached the largest file size allowed \\(ulimit -f\\): keep this output`));
			expect(stderr).not.toContain('Every step is in the journal');
			expectWholeLines(journal);
			expect(await adminOf('app01')).toBe('8');
		} finally {
			cli.child.kill();
			app01.release();
			await bed.send('set server webapps/app01 state ready');
		}
	});

	it('a journal that can take no more while the drain is on its way: the drain is applied and said so, never taken for a lost reply; the journal is said incomplete (exit 1)', async () => {
		const journal = path.join(scratch, 'during-drain.jsonl');
		let cli: StartedCli | undefined;
		// When the drain passes (its command entry written, its reply not yet), every later write of
		// the drainboard process stops where the journal ends now (RLIMIT_FSIZE).
		const socket = await startForwardingSocket(bed.adminSocket, (line) => {
			if (line.startsWith('set server webapps/app01 state drain')) {
				execFileSync('prlimit', ['--pid', String(cli!.child.pid), `--fsize=${statSync(journal).size}`]);
			}

			return 'forward';
		});
		try {
			cli = startCli(['drain', 'webapps/app01', '--socket', socket.path, '--config', bed.configPath, '--journal', journal, '--yes']);
			const {code} = await cli.exited;
			const {stderr} = cli;
			expect(socket.forwarded).toContain('set server webapps/app01 state drain');
			expect(await adminOf('app01')).toBe('8');
			expect(stderr).not.toMatch(/reply .* was lost/);
			expect(stderr).toContain('✓ webapps/app01 is drained and proven out of rotation.');
			expect(stderr).toMatch(new RegExp(`✗ The journal ${journal} is missing \\d+ entr(?:y|ies) of this run because it reached the largest file size allowed`));
			expect(stderr).not.toContain('Every step is in the journal');
			expect(code).toBe(1);
			expect(readJournal(journal).entries.filter((entry) => entry.event === 'command').map((entry) => entry.command)).toEqual(['set server webapps/app01 state drain']);
		} finally {
			cli?.child.kill();
			await socket.close();
			await bed.send('set server webapps/app01 state ready');
		}
	});

	it('a journal that ends in a torn line: the next entry starts on a line of its own', async () => {
		const journal = path.join(scratch, 'torn.jsonl');
		writeFileSync(journal, '{"time":"2026-11-25T14:02:11.000Z","session":"x","user":"ana","host":"lb1","target":"webapps/app01","inst');
		try {
			const result = await runCli(drainArgs(journal));
			expect(result.code).toBe(0);
			const lines = readFileSync(journal, 'utf8').split('\n');
			expect(lines[0]).toMatch(/"inst$/);
			expect(JSON.parse(lines[1]!)).toMatchObject({event: 'started', target: 'webapps/app01'});
			expect(readJournal(journal)).toMatchObject({unreadable: 1});
			expect(readJournal(journal).entries.map((entry) => entry.event)).toContain('step-passed');
		} finally {
			await bed.send('set server webapps/app01 state ready');
		}
	});
});

describe('a journal path that is not a regular file of the user', () => {
	it('a journal in a directory that cannot be made (under /proc) is refused at once: exit 1, one JSON object, nothing sent', async () => {
		const result = await runCli(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', '/proc/drainboard-nope/journal.jsonl', '--yes', '--json']);
		expect(result.code, result.stderr).toBe(1);
		expect(JSON.parse(result.stdout)).toMatchObject({ok: false, changed: false, error: {code: 'journal'}});
		expect(result.stderr).toContain('/proc/drainboard-nope/journal.jsonl');
		expect(await adminOf('app01')).toBe('0');
	});

	const passwd = 'root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000::/home/ana:/bin/bash\n';

	it.each([
		['--journal', (file: string) => ({args: ['--journal', file], env: {}})],
		['the default path', (file: string) => ({args: [], env: {XDG_STATE_HOME: path.dirname(path.dirname(file))}})],
	])('a symbolic link given as %s is refused and its target left untouched (exit 1, nothing sent)', async (_case, how) => {
		const dir = mkdtempSync(path.join(scratch, 'link-'));
		const target = path.join(dir, 'passwd');
		writeFileSync(target, passwd);
		mkdirSync(path.join(dir, 'drainboard'));
		const link = path.join(dir, 'drainboard', 'journal.jsonl');
		symlinkSync(target, link);
		const {args, env} = how(link);
		const result = await runCli(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--yes', ...args], {env});
		expect(result.stderr).toBe(
			`The journal ${link} is refused because it is a symbolic link to ${target}, and drainboard never writes through one; no change was sent to HAProxy. Remove it, or pass --journal <file> for a regular file of your own.\n`,
		);
		expect(result.code).toBe(1);
		expect(readFileSync(target, 'utf8')).toBe(passwd);
		expect(await adminOf('app01')).toBe('0');
	});

	it('a journal owned by another user is refused, read or written', async () => {
		const journal = path.join(scratch, 'nobody.jsonl');
		writeFileSync(journal, '');
		chownSync(journal, 65_534, 65_534);
		const result = await runCli(drainArgs(journal));
		expect(result.stderr).toBe(
			`The journal ${journal} is refused because it belongs to another user (uid 65534), not to uid 0 who runs drainboard, nor to root; no change was sent to HAProxy. Remove it, or pass --journal <file> for a regular file of your own.\n`,
		);
		expect(result.code).toBe(1);
		expect(readFileSync(journal, 'utf8')).toBe('');
		expect(() => readJournal(journal)).toThrow('is refused because it belongs to another user (uid 65534)');
	});

	it.each([
		['a FIFO', (file: string) => execFileSync('mkfifo', [file]), 'it is not a regular file (a FIFO)'],
		['a device', () => undefined, 'it is not a regular file (a device)'],
		['a directory', (file: string) => mkdirSync(file), 'it is a directory'],
	])('%s is refused at once, without waiting on it', async (kind, make, why) => {
		const journal = kind === 'a device' ? '/dev/null' : path.join(scratch, `not-a-file-${kind.replace(/\W/g, '')}`);
		if (!existsSync(journal)) {
			make(journal);
		}

		const result = await runCli(drainArgs(journal), {timeoutMs: 20_000});
		expect(result.stderr).toBe(`The journal ${journal} is refused because ${why}; no change was sent to HAProxy. Remove it, or pass --journal <file> for a regular file of your own.\n`);
		expect(result.code).toBe(1);
	});
});
