import {execFile} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import {promisify} from 'node:util';
import {frameMatcher, pressAndWait, type FrameTest} from './press.js';
import {cliPath} from './run-cli.js';
import {waitFor} from './wait-for.js';

const run = promisify(execFile);

/**
 * How long a key's effect or a screen is waited for by default: a safety net, never a measure. The
 * drain and confirm of a machine in three backends (their hold and proof windows) take about 4 s
 * on an idle machine, and a test run on 2 cores with 5 workers is several times slower.
 */
const screenWaitMs = 20_000;
// Each read of the screen is two or more tmux processes (settledScreen): read every 50 ms and
// 100 ms, they took a fifth of the CPU of the tests that drive a terminal (measured on 2 cores,
// where the suite is CPU-bound), so the screen is read at a pace a person would see changes.
const pressEveryMs = 150;
/** Between the two captures that must agree for a frame to count as drawn (settledScreen). */
const settleGapMs = 40;
const waitEveryMs = 250;
let counter = 0;
/** Every session started and not yet killed: the global afterEach hook kills what a test left. */
const live = new Set<TmuxSession>();

export async function killAllTmux(): Promise<void> {
	await Promise.all([...live].map(async (session) => session.kill()));
}

/** A program running in its own tmux server, at a fixed terminal size. */
export type TmuxSession = {
	/** The screen as text (`escapes`: with colour and style codes). */
	screen(escapes?: boolean): Promise<string>;
	/** The terminal's scrollback and screen together: what the program printed above its live screen, as a person scrolling up would read it. */
	scrollback(): Promise<string>;
	/**
	 * Sends a tmux key name (`Enter`, `Escape`, `Down`, `C-c`) or literal text, and resolves with
	 * the screen that shows it was read: the first that differs from the screen before the key
	 * (and matches `until`, when given). Several keys go one at a time, each waiting for its change
	 * (`until` is for the last).
	 */
	press(keys: string | readonly string[], until?: FrameTest, timeoutMs?: number): Promise<string>;
	/**
	 * Sends keys without waiting: for keys that must change nothing (follow them with a `press`
	 * whose change proves they were read), or that end the program (then wait for `exited`).
	 */
	send(...keys: string[]): Promise<void>;
	waitForScreen(test: FrameTest, timeoutMs?: number): Promise<string>;
	/** Resolves with the exit status once the program ended. */
	exited(timeoutMs?: number): Promise<number>;
	pid(): Promise<number>;
	/** The pane's title: what an OSC 0/2 sequence written to the terminal would change. */
	title(): Promise<string>;
	resize(columns: number, rows: number): Promise<void>;
	kill(): Promise<void>;
};

function quote(word: string): string {
	return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs `node dist/cli.js <args>` in tmux (tmux must be installed: .ci/run installs it), or
 * `options.program` with only `options.env` (and TERM) as its environment, as `env -i` gives it.
 */
export async function startCliInTmux(
	args: string[],
	options: {columns?: number; rows?: number; env?: Record<string, string>; program?: string; /** Shell command run in the terminal after the program ends. */ after?: string} = {},
): Promise<TmuxSession> {
	const server = `drainboard-test-${process.pid}-${counter++}`;
	const tmux = async (...tmuxArgs: string[]) => (await run('tmux', ['-L', server, ...tmuxArgs])).stdout;
	// Unset CI and FORCE_COLOR: with CI set at all, Ink renders only the last frame and chalk drops colour.
	// The test file's own state home (setup.ts) even under `env -i`: no journal of the host's is read or written.
	const stateHome = process.env['XDG_STATE_HOME'];
	// And the suite's watch times (setup.ts), which `env -i` would drop.
	const times = Object.fromEntries(['DRAINBOARD_HOLD_SECONDS', 'DRAINBOARD_SETTLE_SECONDS', 'DRAINBOARD_AUTO_SAMPLE_SECONDS'].flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
	const env = {NO_COLOR: '', TERM: 'xterm-256color', ...(stateHome ? {XDG_STATE_HOME: stateHome} : {}), ...times, ...options.env};
	const environment = options.program ? ['env', '-i'] : ['env', '-u', 'FORCE_COLOR', '-u', 'CI'];
	const program = options.program ? [options.program] : [process.execPath, cliPath];
	const command = [...environment, ...Object.entries(env).map(([name, value]) => `${name}=${value}`), ...program, ...args].map(quote).join(' ');
	// The shell records the exit status: tmux 3.3 does not always report a dead pane's status.
	const statusDir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-tmux-'));
	const statusFile = path.join(statusDir, 'status');
	const after = options.after ? ` ${options.after};` : '';
	await tmux('-f', '/dev/null', 'new-session', '-d', '-s', 'main', '-x', String(options.columns ?? 80), '-y', String(options.rows ?? 24), `${command}; s=$?;${after} echo $s > ${statusFile}`);
	await tmux('set-option', '-t', 'main', 'remain-on-exit', 'on');
	// A capture can land while tmux is still drawing a frame Ink wrote (its top new, its bottom not
	// yet): a frame counts once two captures a little apart agree, or after a few tries on a screen
	// that keeps changing (a spinner). Back to back, two captures once agreed on a half-drawn frame
	// on a loaded 2-core CI (its key line cut at "? he").
	const settledScreen = async (): Promise<string> => {
		let previous = await session.screen();
		for (let tries = 0; tries < 4; tries++) {
			await delay(settleGapMs);
			const next = await session.screen();
			if (next === previous) {
				return next;
			}

			previous = next;
		}

		return previous;
	};

	const session: TmuxSession = {
		async screen(escapes = false) {
			const text = await tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', 'main');
			return text.replace(/\n*Pane is dead \(.*\)\s*$/, '\n');
		},
		async scrollback() {
			return tmux('capture-pane', '-p', '-S', '-', '-t', 'main');
		},
		async press(pressed, until, timeoutMs = screenWaitMs) {
			return pressAndWait({send: async (sent) => session.send(sent), frame: settledScreen, everyMs: pressEveryMs}, pressed, until, timeoutMs);
		},
		async send(...keys) {
			for (const key of keys) {
				await tmux('send-keys', '-t', 'main', key);
			}
		},
		async waitForScreen(test, timeoutMs = screenWaitMs) {
			const matches = frameMatcher(test);
			let last = '';
			try {
				return await waitFor(
					'the screen',
					async () => {
						last = await settledScreen();
						return matches(last) ? last : undefined;
					},
					timeoutMs,
					waitEveryMs,
				);
			} catch {
				throw new Error(`Timed out waiting for ${typeof test === 'string' ? JSON.stringify(test) : 'the screen'}; screen:\n${last}`);
			}
		},
		async exited(timeoutMs = 10_000) {
			return waitFor(
				'the program to exit',
				() => {
					try {
						const status = readFileSync(statusFile, 'utf8').trim();
						return status === '' ? undefined : Number(status);
					} catch {
						return undefined;
					}
				},
				timeoutMs,
				100,
			);
		},
		async pid() {
			return Number((await tmux('display-message', '-p', '-t', 'main', '#{pane_pid}')).trim());
		},
		async title() {
			return (await tmux('display-message', '-p', '-t', 'main', '#{pane_title}')).replace(/\n$/, '');
		},
		async resize(columns, rows) {
			await tmux('resize-window', '-t', 'main', '-x', String(columns), '-y', String(rows));
		},
		async kill() {
			live.delete(session);
			await tmux('kill-server').catch(() => undefined);
			rmSync(statusDir, {recursive: true, force: true});
		},
	};
	live.add(session);
	return session;
}
