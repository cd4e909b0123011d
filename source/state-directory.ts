import os from 'node:os';
import path from 'node:path';
import process from 'node:process';

/** drainboard's state directory: `$XDG_STATE_HOME/drainboard`, else `~/.local/state/drainboard` (journal, crash files). */
export function stateDirectory(env: NodeJS.ProcessEnv = process.env): string {
	const base = env['XDG_STATE_HOME'] && path.isAbsolute(env['XDG_STATE_HOME']) ? env['XDG_STATE_HOME'] : path.join(os.homedir(), '.local', 'state');
	return path.join(base, 'drainboard');
}
