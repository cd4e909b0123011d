import {readFile} from 'node:fs/promises';
import {parseConfig, type Section} from './parse-config.js';

export const defaultConfigPath = '/etc/haproxy/haproxy.cfg';
export const defaultSocketPath = '/run/haproxy/admin.sock';

/** haproxy.cfg as read at start: its sections, or why it could not be read. */
export type LoadedConfig = {path: string; sections: Section[]} | {path: string; sections: null; problem: string};

/** Reads the configuration; an unreadable file is reported, not thrown (status works without it). */
export async function loadConfig(path: string): Promise<LoadedConfig> {
	try {
		return {path, sections: parseConfig(await readFile(path, 'utf8'))};
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		const problem =
			code === 'ENOENT' ? `${path} does not exist` : code === 'EACCES' ? `${path} is not readable by this user` : `${path} cannot be read (${code ?? 'error'})`;
		return {path, sections: null, problem};
	}
}
