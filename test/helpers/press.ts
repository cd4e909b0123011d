import {waitFor} from './wait-for.js';

/** What a frame (or a terminal's screen) is waited for: a text it shows, or a test of it. */
export type FrameTest = string | ((frame: string) => boolean);

/** Where keys go and where the frame is read: an Ink instance in the test, or a real terminal. */
export type KeyTarget = {
	send(key: string): Promise<void> | void;
	frame(): Promise<string> | string;
	/** Lets what the last frame started finish before the key is sent (the handlers it attaches). */
	settle?(): Promise<void>;
	/** How often the frame is read while waiting. */
	everyMs: number;
};

/** White space runs (a line wrapped where the terminal's width fell, the padding after it) as one space. */
const spaced = (text: string) => text.replace(/\s+/g, ' ');

/** A frame test as a function; a text is looked for in the frame, wherever the width wrapped it. */
export function frameMatcher(test: FrameTest): (frame: string) => boolean {
	if (typeof test !== 'string') {
		return test;
	}

	const wanted = spaced(test);
	return (frame: string) => frame.includes(test) || spaced(frame).includes(wanted);
}

const described = (test: FrameTest | undefined) => (test === undefined ? 'the frame to change' : typeof test === 'string' ? `a new frame showing ${JSON.stringify(test)}` : 'a new frame matching the test');

/**
 * Sends a key and resolves with the frame that shows it was read: the first frame that differs
 * from the frame before the key (and matches `until`, when given). Several keys
 * go one at a time, each waiting for its change; `until` is for the last. A key that changes
 * nothing on screen never resolves: send it without waiting, then press a key whose change proves
 * the first one was read too (keys are read in order).
 */
export async function pressAndWait(target: KeyTarget, keys: string | readonly string[], until?: FrameTest, timeoutMs = 10_000): Promise<string> {
	const all = typeof keys === 'string' ? [keys] : keys;
	let frame = '';
	for (const [index, key] of all.entries()) {
		frame = await pressOne(target, key, index === all.length - 1 ? until : undefined, timeoutMs);
	}

	return frame;
}

async function pressOne(target: KeyTarget, key: string, until: FrameTest | undefined, timeoutMs: number): Promise<string> {
	await target.settle?.();
	const before = await target.frame();
	const matches = until === undefined ? () => true : frameMatcher(until);
	const done = (frame: string) => frame !== before && matches(frame);
	await target.send(key);
	let last = before;
	try {
		return await waitFor(
			described(until),
			async () => {
				last = await target.frame();
				return done(last) ? last : undefined;
			},
			timeoutMs,
			target.everyMs,
		);
	} catch {
		throw new Error(`Timed out after ${timeoutMs} ms waiting for ${described(until)} after the key ${JSON.stringify(key)}; last frame:\n${last}`);
	}
}
