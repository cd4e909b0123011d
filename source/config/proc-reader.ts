import {open, readdir, readlink, realpath, stat} from 'node:fs/promises';

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
/** The most read of one file: far above any real configuration, and a bound for /dev/zero and the like. */
const maxFileBytes = 64 * 1024 * 1024;

/** Reads a file whole, up to {@link maxFileBytes}; a longer one (or an endless device) is an EFBIG error. */
async function readBounded(path: string): Promise<Buffer> {
	const handle = await open(path, 'r');
	try {
		const chunks: Buffer[] = [];
		let total = 0;
		for (;;) {
			const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, maxFileBytes + 1 - total));
			const {bytesRead} = await handle.read(chunk, 0, chunk.length, null);
			if (bytesRead === 0) {
				return Buffer.concat(chunks, total);
			}

			chunks.push(chunk.subarray(0, bytesRead));
			total += bytesRead;
			if (total > maxFileBytes) {
				throw Object.assign(new Error(`${path} is larger than ${maxFileBytes} bytes`), {code: 'EFBIG'});
			}
		}
	} finally {
		await handle.close();
	}
}

export const fileSystem: FileReader = {
	readFile: readBounded,
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
	return code === 'ENOENT'
		? `${what} does not exist`
		: code === 'EACCES' || code === 'EPERM'
			? `${what} is not readable by this user`
			: code === 'EFBIG'
				? `${what} is larger than ${maxFileBytes / 1024 / 1024} MiB, more than any configuration`
				: `${what} cannot be read (${code})`;
}
