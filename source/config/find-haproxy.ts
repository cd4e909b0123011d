import {access, constants} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import {DrainboardError, UsageError} from '../errors.js';

/** The haproxy binary: `--haproxy` when given, else the first `haproxy` on PATH (and /usr/sbin). */
export async function findHaproxy(explicit?: string, searchPath = process.env['PATH'] ?? '', fallbacks = ['/usr/sbin', '/usr/local/sbin']): Promise<string> {
	if (explicit !== undefined) {
		if (await isExecutable(explicit)) {
			return explicit;
		}

		// A flag's value that names nothing runnable is bad input (exit 2), not a host without HAProxy.
		throw new UsageError(`${explicit} is not an executable haproxy binary; check the --haproxy path.`);
	}

	const directories = [...searchPath.split(path.delimiter), ...fallbacks];
	for (const directory of directories.filter(Boolean)) {
		const candidate = path.join(directory, 'haproxy');
		if (await isExecutable(candidate)) {
			return candidate;
		}
	}

	throw new DrainboardError('HAProxy is not installed (no haproxy on PATH); install it with "sudo apt-get install -y haproxy", or pass --haproxy <path>.', 3);
}

/** Whether `file` exists and may be run by this user. */
export async function isExecutable(file: string): Promise<boolean> {
	try {
		await access(file, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}
