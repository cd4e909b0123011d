import type * as RunInteractive from './run-interactive.js';

type RunInteractiveModule = typeof RunInteractive;

/**
 * Imports the interactive app with `fetch` hidden. Yoga's WebAssembly loader (under Ink) only
 * asks `typeof fetch` before it decodes its inlined module, but that first touch makes Node load
 * its whole HTTP client (undici) at every start (test/bench/README.md). drainboard never uses fetch.
 */
export async function importInteractive(): Promise<RunInteractiveModule> {
	const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
	const hide = descriptor?.configurable === true;
	if (hide) {
		Object.defineProperty(globalThis, 'fetch', {value: undefined, configurable: true, writable: true});
	}

	try {
		return await import('./run-interactive.js');
	} finally {
		if (hide) {
			Object.defineProperty(globalThis, 'fetch', descriptor);
		}
	}
}
