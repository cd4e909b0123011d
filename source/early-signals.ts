import process from 'node:process';
import {stopSignals, type StopSignal} from './errors.js';

/** The handler of a signal that comes before a command has its own (set by cli.tsx with --json). */
let early: ((signal: StopSignal) => void) | undefined;

/**
 * Until a command listens for SIGHUP, SIGINT and SIGTERM itself (a headless maintenance, once it has
 * read HAProxy and before it sends anything), `onSignal` answers them: with --json, stdout still
 * carries its one object when a signal comes while drainboard starts, instead of nothing.
 */
export function holdEarlySignals(onSignal: (signal: StopSignal) => void): void {
	early = onSignal;
	for (const signal of Object.keys(stopSignals) as StopSignal[]) {
		process.on(signal, onSignal);
	}
}

/** The command answers signals itself from now on. */
export function releaseEarlySignals(): void {
	if (!early) {
		return;
	}

	for (const signal of Object.keys(stopSignals) as StopSignal[]) {
		process.removeListener(signal, early);
	}

	early = undefined;
}
