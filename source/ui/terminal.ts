import process from 'node:process';
import {UsageError} from '../errors.js';

/** The interactive app needs a terminal: say so in one sentence (exit 2) before anything starts. */
export function assertTerminal(): void {
	if (!process.stdin.isTTY) {
		throw new UsageError('The interactive app needs a terminal, and stdin is not one; use "drainboard status" for a snapshot, or drain/restore with --yes in scripts.');
	}
}
