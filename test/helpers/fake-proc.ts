import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileSystem, type FileReader} from '../../source/config/proc-reader.js';

/** A process as /proc would show it. */
export type FakeProcess = {
	pid: number;
	argv: string[];
	cwd: string;
	env?: Record<string, string>;
	comm?: string;
	/** `/` unless chrooted. */
	root?: string;
	exe?: string;
	parentPid?: number;
};

/**
 * A /proc tree in a temp dir (real files and symlinks) and a reader over it that can refuse
 * chosen paths as another user's process would (EACCES) and serve chosen files from memory.
 */
export class FakeProc {
	readonly dir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-proc-'));
	readonly proc = path.join(this.dir, 'proc');
	readonly denied = new Set<string>();
	readonly served = new Map<string, string>();

	constructor() {
		mkdirSync(this.proc);
	}

	/** A file or directory under the temp dir (for configs); returns its absolute path. */
	write(relative: string, text: string | null): string {
		const file = path.join(this.dir, relative);
		if (text === null) {
			mkdirSync(file, {recursive: true});
		} else {
			mkdirSync(path.dirname(file), {recursive: true});
			writeFileSync(file, text);
		}

		return file;
	}

	add(process: FakeProcess): void {
		const base = path.join(this.proc, String(process.pid));
		mkdirSync(base);
		writeFileSync(path.join(base, 'cmdline'), `${process.argv.join('\0')}\0`);
		writeFileSync(path.join(base, 'comm'), `${process.comm ?? path.basename(process.argv[0] ?? 'haproxy').slice(0, 15)}\n`);
		writeFileSync(path.join(base, 'environ'), Object.entries(process.env ?? {}).map(([name, value]) => `${name}=${value}\0`).join(''));
		writeFileSync(path.join(base, 'stat'), `${process.pid} (${process.comm ?? 'haproxy'}) S ${process.parentPid ?? 1} ${process.pid} ${process.pid} 0 -1\n`);
		symlinkSync(process.cwd, path.join(base, 'cwd'));
		symlinkSync(process.root ?? '/', path.join(base, 'root'));
		symlinkSync(process.exe ?? '/usr/sbin/haproxy', path.join(base, 'exe'));
	}

	/** Refuses `/proc/<pid>/<entry>` as for another user's process. */
	deny(pid: number, entry: string): void {
		this.denied.add(path.join(this.proc, String(pid), entry));
	}

	readonly reader: FileReader = {
		readFile: async (file) => {
			this.check(file);
			const served = this.served.get(file);
			return served === undefined ? fileSystem.readFile(file) : Buffer.from(served);
		},
		readlink: async (file) => {
			this.check(file);
			return fileSystem.readlink(file);
		},
		readdir: async (file) => {
			this.check(file);
			return fileSystem.readdir(file);
		},
		// A denied file is there, only unreadable (as a root-only haproxy.cfg is), whatever this host has.
		kind: async (file) => (this.served.has(file) || this.denied.has(file) ? 'file' : fileSystem.kind(file)),
		realpath: async (file) => (this.served.has(file) || this.denied.has(file) ? file : fileSystem.realpath(file)),
	};

	private check(file: string): void {
		if (this.denied.has(file)) {
			throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), {code: 'EACCES'});
		}
	}

	remove(): void {
		rmSync(this.dir, {recursive: true, force: true});
	}
}
