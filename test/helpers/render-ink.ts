import {EventEmitter} from 'node:events';
import {render, type Instance} from 'ink';
import type {ReactElement} from 'react';
import {frameMatcher, pressAndWait, type FrameTest} from './press.js';
import {waitFor} from './wait-for.js';

/** Key sequences as a terminal sends them. */
export const keys = {
	up: '\u001B[A',
	down: '\u001B[B',
	pageUp: '\u001B[5~',
	pageDown: '\u001B[6~',
	home: '\u001B[H',
	end: '\u001B[F',
	enter: '\r',
	escape: '\u001B',
	backspace: '\u007F',
	ctrlC: '\u0003',
} as const;

class FakeStdout extends EventEmitter {
	columns: number;
	rows: number;
	readonly frames: string[] = [];
	readonly isTTY = true;
	constructor(columns: number, rows: number) {
		super();
		this.columns = columns;
		this.rows = rows;
	}

	write = (frame: string) => {
		this.frames.push(frame);
		return true;
	};

	resize(columns: number, rows: number): void {
		this.columns = columns;
		this.rows = rows;
		this.emit('resize');
	}
}

class FakeStdin extends EventEmitter {
	readonly isTTY = true;
	private data: string | null = null;
	write(data: string): void {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	}

	read = () => {
		const {data} = this;
		this.data = null;
		return data;
	};

	setEncoding() {}
	setRawMode() {}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
}

export type Rendered = {
	instance: Instance;
	stdout: FakeStdout;
	stdin: FakeStdin;
	lastFrame: () => string;
	/**
	 * Sends a key and resolves with the frame that shows it was read: the first that differs
	 * from the frame before the key (and matches `until`, when given). Several keys
	 * go one at a time, each waiting for its change (`until` is for the last); one string of several
	 * keys ('jj\r') goes in one write, as a slow link delivers them.
	 */
	press: (keys: string | readonly string[], until?: FrameTest) => Promise<string>;
	/**
	 * Sends keys (one write each) without waiting: for keys that must change nothing. Follow them
	 * with a `press` whose change proves they were read, then assert that nothing happened.
	 */
	send: (...keys: string[]) => void;
	/** Waits until the last frame satisfies `test` (a substring or a predicate). */
	waitForFrame: (test: FrameTest, timeoutMs?: number) => Promise<string>;
	unmount: () => void;
};

/** Renders with Ink at a given terminal size, for tests (debug mode: every frame is kept). */
export function renderAt(tree: ReactElement, size: {columns: number; rows: number} = {columns: 80, rows: 24}): Rendered {
	const stdout = new FakeStdout(size.columns, size.rows);
	const stderr = new FakeStdout(size.columns, size.rows);
	const stdin = new FakeStdin();
	// Ink reads these like Node streams; the fakes implement what it uses.
	const instance = render(tree, {
		stdout: stdout as unknown as NodeJS.WriteStream,
		stderr: stderr as unknown as NodeJS.WriteStream,
		stdin: stdin as unknown as NodeJS.ReadStream,
		debug: true,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	const lastFrame = () => stdout.frames.at(-1) ?? '';
	return {
		instance,
		stdout,
		stdin,
		lastFrame,
		async press(pressed, until) {
			return pressAndWait({send: (sent) => stdin.write(sent), frame: lastFrame, settle: afterCommit, everyMs: 5}, pressed, until, 5000);
		},
		send(...sent) {
			for (const key of sent) {
				stdin.write(key);
			}
		},
		async waitForFrame(test, timeoutMs = 5000) {
			const matches = frameMatcher(test);
			return waitFor(() => `a frame matching ${typeof test === 'string' ? JSON.stringify(test) : 'the predicate'}; last frame:\n${lastFrame()}`, () => (matches(lastFrame()) ? lastFrame() : undefined), timeoutMs, 10);
		},
		unmount() {
			instance.unmount();
			instance.cleanup();
		},
	};
}

/**
 * Ink writes a frame when React commits it; the effects of that commit (the key handlers of a new
 * screen among them) run in the scheduler's next turns of the event loop. A key sent before would
 * reach the old handlers, or none.
 */
export async function afterCommit(): Promise<void> {
	for (let turn = 0; turn < 3; turn++) {
		await new Promise((resolve) => {
			setImmediate(resolve);
		});
	}
}

/** Lines of a frame without trailing spaces. */
export function frameLines(frame: string): string[] {
	return frame.split('\n').map((line) => line.trimEnd());
}
