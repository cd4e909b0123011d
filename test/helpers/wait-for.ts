import {setTimeout as delay} from 'node:timers/promises';

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`; `what` is read when it fails (the state then, not at the start). */
export async function waitFor<T>(what: string | (() => string), probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 50): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	while (Date.now() < deadline) {
		try {
			const value = await probe();
			if (value !== undefined) {
				return value;
			}
		} catch (error) {
			last = error;
		}

		await delay(everyMs);
	}

	throw new Error(`Timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${last ? ` (last error: ${String(last)})` : ''}`);
}
