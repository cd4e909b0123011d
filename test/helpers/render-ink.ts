import {EventEmitter} from 'node:events';
import {render, type Instance} from 'ink';
import type {ReactElement} from 'react';
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
	/** Sends keys, one write per element (as separate keypresses). */
	press: (...sequences: string[]) => Promise<void>;
	/** Waits until the last frame satisfies `test` (a substring or a predicate). */
	waitForFrame: (test: string | ((frame: string) => boolean), timeoutMs?: number) => Promise<string>;
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
		async press(...sequences) {
			// Input handlers attach in effects after a frame is committed: let them settle first.
			await new Promise((resolve) => {
				setTimeout(resolve, 25);
			});
			for (const sequence of sequences) {
				stdin.write(sequence);
				await new Promise((resolve) => {
					setTimeout(resolve, 15);
				});
			}
		},
		async waitForFrame(test, timeoutMs = 5000) {
			const matches = typeof test === 'string' ? (frame: string) => frame.includes(test) : test;
			return waitFor(`a frame matching ${typeof test === 'string' ? JSON.stringify(test) : 'the predicate'}; last frame:\n${lastFrame()}`, () => (matches(lastFrame()) ? lastFrame() : undefined), timeoutMs, 10);
		},
		unmount() {
			instance.unmount();
			instance.cleanup();
		},
	};
}

/** Lines of a frame without trailing spaces. */
export function frameLines(frame: string): string[] {
	return frame.split('\n').map((line) => line.trimEnd());
}
