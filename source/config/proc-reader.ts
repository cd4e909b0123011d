import {readdir, readFile, readlink, realpath, stat} from 'node:fs/promises';

/** The few file operations drainboard uses on /proc and on configuration files (replaceable in tests). */
export type FileReader = {
	readFile(path: string): Promise<Buffer>;
	readlink(path: string): Promise<string>;
	readdir(path: string): Promise<string[]>;
	/** Follows symbolic links, as HAProxy's stat() does. */
	kind(path: string): Promise<'file' | 'directory' | 'other'>;
	realpath(path: string): Promise<string>;
};

/** The real file system. */
export const fileSystem: FileReader = {
	readFile: async (path) => readFile(path),
	readlink: async (path) => readlink(path),
	readdir: async (path) => readdir(path),
	async kind(path) {
		const info = await stat(path);
		return info.isFile() ? 'file' : info.isDirectory() ? 'directory' : 'other';
	},
	realpath: async (path) => realpath(path),
};

/** The error code of a failed file operation (`ENOENT`, `EACCES`, …), or `error`. */
export function codeOf(error: unknown): string {
	return (error as NodeJS.ErrnoException | undefined)?.code ?? 'error';
}

/** `x does not exist` / `x is not readable by this user` / `x cannot be read (CODE)`. */
export function unreadable(what: string, error: unknown): string {
	const code = codeOf(error);
	return code === 'ENOENT' ? `${what} does not exist` : code === 'EACCES' || code === 'EPERM' ? `${what} is not readable by this user` : `${what} cannot be read (${code})`;
}
