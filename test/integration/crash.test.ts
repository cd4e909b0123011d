import {execFileSync} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {runCli} from '../helpers/run-cli.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';

/** Test-only: a module preloaded into the real CLI that throws (or rejects) on SIGUSR2; drainboard ships no such hook. */
const hook = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'crash-hook.mjs');

let bed: TestBed;
let session: TmuxSession | undefined;
let stateHome: string;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
});

afterEach(async () => {
	await session?.kill();
	session = undefined;
	rmSync(stateHome, {recursive: true, force: true});
	await bed.send('set server webapps/app01 state ready');
});

afterAll(async () => {
	await bed?.stop();
});

/** Starts the app with the hook, waits for `ready`, and sends SIGUSR2 to its node process. */
async function crashApp(args: string[], ready: string, kind: 'exception' | 'rejection', env: Record<string, string> = {}): Promise<{session: TmuxSession; stty: string}> {
	stateHome = mkdtempSync(path.join(os.tmpdir(), 'drainboard-state-'));
	const stty = path.join(stateHome, 'stty');
	session = await startCliInTmux(args, {
		columns: 100,
		rows: 30,
		env: {NODE_OPTIONS: `--import=${hook}`, DRAINBOARD_TEST_CRASH: kind, XDG_STATE_HOME: stateHome, ...env},
		// Kept alive a moment after: tmux may drop what a pane printed just before it died.
		after: `stty -a > ${stty}; sleep 2`,
	});
	await session.waitForScreen(ready);
	const node = Number(execFileSync('pgrep', ['-P', String(await session.pid())]).toString().trim().split('\n')[0]);
	process.kill(node, 'SIGUSR2');
	return {session, stty};
}

function crashFile(): string {
	const directory = path.join(stateHome, 'drainboard');
	const files = readdirSync(directory).filter((name) => name.startsWith('crash-'));
	expect(files).toHaveLength(1);
	return path.join(directory, files[0]!);
}

describe('an error nothing caught, in the real app', () => {
	it.each([
		['exception', 'uncaught exception', 'exception forced by the test hook'],
		['rejection', 'unhandled promise rejection', 'rejection forced by the test hook'],
	] as const)('an %s: the terminal back, one sentence, the crash file named, exit 1', async (kind, where, message) => {
		const {session: app, stty} = await crashApp(['--socket', bed.adminSocket, '--journal', `${bed.dir}/crash.jsonl`], 'app01', kind);
		const screen = await app.waitForScreen('stopped on an internal error');
		const file = crashFile();
		// The line breaks tmux makes are not the text's: compare without white space.
		expect(screen.replace(/\s+/g, '')).toBe(`drainboard stopped on an internal error (${message}); the details are in ${file}: please report it with that file.`.replace(/\s+/g, ''));
		expect(screen).not.toMatch(/\n\s+at |Error:/);
		expect(await app.exited()).toBe(1);
		expect(statSync(file).mode & 0o777).toBe(0o600);
		const details = readFileSync(file, 'utf8');
		expect(details).toContain(`where: ${where}`);
		expect(details).toContain(`argv: ["--socket","${bed.adminSocket}","--journal","${bed.dir}/crash.jsonl"]`);
		expect(details).toMatch(new RegExp(`Error: ${message}\\n\\s+at `));
		const modes = readFileSync(stty, 'utf8');
		expect(modes).toMatch(/(?:^|\s)icanon(?:\s|$)/);
		expect(modes).toMatch(/(?:^|\s)echo(?:\s|$)/);
	});

	it('says first what HAProxy last showed of a drained target, then the crash', async () => {
		expect(await bed.send('set server webapps/app01 state drain')).toBe('\n');
		const {session: app} = await crashApp(['webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/crash-wizard.jsonl`], 'Take it up?', 'exception');
		const screen = (await app.waitForScreen('stopped on an internal error')).replace(/\s+/g, '');
		expect(screen).toMatch(/^webapps\/app01isdrained\(outofrotation\),asHAProxyshowedat\d\d:\d\d:\d\d\.Toresume:drainboardwebapps\/app01--socket\S*admin\.sock--config\S*haproxy\.cfg--journal\S*crash-wizard\.jsonl\.?drainboardstoppedonaninternalerror\(exceptionforcedbythetesthook\)/);
		expect(await app.exited()).toBe(1);
	});
});

describe('DRAINBOARD_DEBUG=1', () => {
	/** `drainboard --version` whose write to stdout throws: an error inside a command, caught by nothing but the CLI's last resort. */
	async function failingVersion(env: Record<string, string>) {
		stateHome = mkdtempSync(path.join(os.tmpdir(), 'drainboard-state-'));
		return runCli(['--version'], {env: {NODE_OPTIONS: `--import=${hook}`, DRAINBOARD_TEST_CRASH: 'stdout', XDG_STATE_HOME: stateHome, ...env}});
	}

	it('prints the stack, through the source maps, after the one sentence of an error in a command', async () => {
		const result = await failingVersion({DRAINBOARD_DEBUG: '1'});
		expect(result.code).toBe(1);
		const [sentence, ...stack] = result.stderr.trimEnd().split('\n');
		expect(sentence).toBe(`drainboard stopped on an internal error (stdout write forced to fail by the test hook); the details are in ${crashFile()}: please report it with that file.`);
		expect(stack[0]).toBe('Error: stdout write forced to fail by the test hook');
		expect(stack.slice(1).every((line) => /^\s+at /.test(line))).toBe(true);
		expect(stack.join('\n')).toMatch(/ at main \(\S*\/cli\.tsx:\d+:\d+\)/);
	});

	it('is off unless set to 1: the sentence alone, the stack only in the crash file', async () => {
		for (const debug of [undefined, '0', 'yes']) {
			const result = await failingVersion(debug === undefined ? {} : {DRAINBOARD_DEBUG: debug});
			expect(result.code).toBe(1);
			expect(result.stderr).toBe(`drainboard stopped on an internal error (stdout write forced to fail by the test hook); the details are in ${crashFile()}: please report it with that file.\n`);
			expect(readFileSync(crashFile(), 'utf8')).toMatch(/Error: stdout write forced to fail by the test hook\n\s+at /);
			rmSync(stateHome, {recursive: true, force: true});
		}
	});

	it('prints the stack after the sentence of an uncaught exception in the app too', async () => {
		const {session: app} = await crashApp(['--socket', bed.adminSocket, '--journal', `${bed.dir}/crash-debug.jsonl`], 'app01', 'exception', {DRAINBOARD_DEBUG: '1'});
		const screen = await app.waitForScreen('Error: exception forced by the test hook');
		// The line breaks tmux makes are not the text's: the sentence is compared without white space.
		const [sentence = '', stack = ''] = screen.split('Error: exception forced by the test hook');
		expect(sentence.replace(/\s+/g, '')).toBe(`drainboard stopped on an internal error (exception forced by the test hook); the details are in ${crashFile()}: please report it with that file.`.replace(/\s+/g, ''));
		expect(stack).toMatch(/^\n\s+at /);
		expect(await app.exited()).toBe(1);
	});
});
