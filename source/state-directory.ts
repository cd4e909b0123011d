import {existsSync, mkdirSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

/** drainboard's state directory: `$XDG_STATE_HOME/drainboard`, else `~/.local/state/drainboard` (journal, crash files). */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
	const base = env['XDG_STATE_HOME'] && path.isAbsolute(env['XDG_STATE_HOME']) ? env['XDG_STATE_HOME'] : path.join(os.homedir(), '.local', 'state');
	return path.join(base, 'drainboard');
}

/**
 * `mkdir -p` for drainboard's own directories (journal, crash files), one level at a time: Node's
 * `mkdirSync(…, {recursive: true})` never returns on some paths under /proc (`/proc/nope/x`), where
 * this fails at once with the error of the level that cannot be made.
 */
export function makeDirectories(directory: string, mode: number): void {
	const missing: string[] = [];
	let at = path.resolve(directory);
	while (!existsSync(at)) {
		missing.unshift(at);
		const up = path.dirname(at);
		if (up === at) {
			break;
		}

		at = up;
	}

	for (const level of missing) {
		mkdirSync(level, {mode});
	}
}
