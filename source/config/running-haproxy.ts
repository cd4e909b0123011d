import path from 'node:path';
import * as z from 'zod/mini';
import {parseHaproxyArgs, type HaproxyArgs} from './haproxy-args.js';
import {codeOf, fileSystem, unreadable, type FileReader} from './proc-reader.js';

/** A HAProxy process as /proc shows it: its command line, and what else could be read. */
export type RunningProcess = {
	pid: number;
	argv: string[];
	args: HaproxyArgs;
	/** The binary it runs (`/proc/<pid>/exe`), when readable and still on disk. */
	exe: string | null;
	/** Its environment at start (`/proc/<pid>/environ`), or why it could not be read. */
	environment: Map<string, string> | {problem: string};
	parentPid: number | null;
};

/** The configuration files a running HAProxy loaded, and the directory it ran them from. */
export type RunningConfig = {
	process: RunningProcess;
	/** Every file, directories expanded as HAProxy does, in the order HAProxy read them. */
	files: string[];
	/** The directory relative paths in the config are read from; null when it could not be read. */
	cwd: string | null;
};

const pidSchema = z.coerce.number().check(z.int(), z.positive());

/** Reads /proc/<pid> of a HAProxy process; a sentence when it cannot (gone, another user's, not HAProxy). */
export async function readRunningProcess(pid: number, reader: FileReader = fileSystem, proc = '/proc'): Promise<RunningProcess | {problem: string}> {
	const base = `${proc}/${pid}`;
	let argv: string[];
	try {
		argv = splitNul((await reader.readFile(`${base}/cmdline`)).toString('utf8'));
	} catch (error) {
		return {
			problem:
				codeOf(error) === 'ENOENT'
					? `no process ${pid} is visible on this host (HAProxy runs on another host or in another PID namespace)`
					: `${unreadable(`the command line of HAProxy pid ${pid}`, error)}`,
		};
	}

	const comm = await reader.readFile(`${base}/comm`).then(
		(buffer) => buffer.toString('utf8').trim(),
		() => '',
	);
	const program = path.basename(argv[0] ?? '');
	if (!comm.startsWith('haproxy') && !program.startsWith('haproxy')) {
		return {problem: `process ${pid} on this host is ${comm || program || 'not readable'}, not HAProxy (HAProxy runs on another host or in another PID namespace)`};
	}

	const exe = await reader.readlink(`${base}/exe`).then(
		(target) => target.replace(/ \(deleted\)$/, ''),
		() => null,
	);
	const environment = await reader.readFile(`${base}/environ`).then(
		(buffer) => new Map(splitNul(buffer.toString('utf8')).flatMap((entry): Array<[string, string]> => (entry.includes('=') ? [[entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]] : []))),
		(error: unknown) => ({problem: unreadable(`the environment of HAProxy pid ${pid}`, error)}),
	);
	const parentPid = await reader.readFile(`${base}/stat`).then(
		(buffer) => {
			const fields = buffer.toString('utf8').slice(buffer.toString('utf8').lastIndexOf(')') + 2).split(' ');
			const parsed = pidSchema.safeParse(fields[1]);
			return parsed.success ? parsed.data : null;
		},
		() => null,
	);
	return {pid, argv, args: parseHaproxyArgs(argv.slice(1)), exe, environment, parentPid};
}

/**
 * The files a running HAProxy loaded: each `-f` (and each word after `--`) in order, relative
 * paths against `-C` when absolute, else against the process's working directory (where `-C`
 * already took it; a chrooted worker's is its master's), directories expanded like
 * cfgfiles_expand_directories() in HAProxy's src/haproxy.c.
 */
export async function runningConfigOf(process: RunningProcess, reader: FileReader = fileSystem, proc = '/proc'): Promise<RunningConfig | {problem: string}> {
	const {pid, args} = process;
	if (args.configs.length === 0) {
		return {problem: `HAProxy pid ${pid} was started without -f, so its command line names no configuration file`};
	}

	const cwd = await workingDirectory(process, reader, proc);
	const base = args.changeDir !== null && path.isAbsolute(args.changeDir) ? args.changeDir : typeof cwd === 'string' ? cwd : null;
	const files: string[] = [];
	for (const given of args.configs) {
		if (!path.isAbsolute(given) && base === null) {
			return {problem: `HAProxy pid ${pid} loaded the relative path ${given}, and ${typeof cwd === 'string' ? 'its directory' : cwd.problem}`};
		}

		const resolved = path.resolve(base ?? '/', given);
		const expanded = await expandConfigPath(resolved, reader).catch((error: unknown) => ({problem: unreadable(`${resolved} (from the command line of HAProxy pid ${pid})`, error)}));
		if ('problem' in expanded) {
			return expanded;
		}

		files.push(...expanded.files);
	}

	return {process, files, cwd: typeof cwd === 'string' ? cwd : args.changeDir !== null && path.isAbsolute(args.changeDir) ? args.changeDir : null};
}

async function workingDirectory(process: RunningProcess, reader: FileReader, proc: string): Promise<string | {problem: string}> {
	const {pid} = process;
	const root = await reader.readlink(`${proc}/${pid}/root`).catch(() => '/');
	if (root !== '/') {
		const parent = process.parentPid;
		if (parent !== null && parent > 1) {
			const parentArgv = await reader.readFile(`${proc}/${parent}/cmdline`).then(
				(buffer) => splitNul(buffer.toString('utf8')),
				() => null,
			);
			const parentRoot = await reader.readlink(`${proc}/${parent}/root`).catch(() => null);
			if (parentArgv && parentRoot === '/' && sameConfigs(parseHaproxyArgs(parentArgv.slice(1)), process.args)) {
				return reader.readlink(`${proc}/${parent}/cwd`).catch((error: unknown) => ({problem: unreadable(`the directory of its master (pid ${parent})`, error)}));
			}
		}

		return {problem: `HAProxy pid ${pid} is chrooted to ${root}, so the directory it started in cannot be read`};
	}

	return reader.readlink(`${proc}/${pid}/cwd`).catch((error: unknown) => ({problem: unreadable(`the directory of HAProxy pid ${pid}`, error)}));
}

function sameConfigs(one: HaproxyArgs, other: HaproxyArgs): boolean {
	return one.configs.length === other.configs.length && one.configs.every((config, index) => config === other.configs[index]) && one.changeDir === other.changeDir;
}

/** A file as itself; a directory as its `*.cfg` regular files (not dot files), in byte order. */
export async function expandConfigPath(file: string, reader: FileReader = fileSystem): Promise<{files: string[]}> {
	if ((await reader.kind(file)) !== 'directory') {
		return {files: [file]};
	}

	const names = (await reader.readdir(file))
		.filter((name) => !name.startsWith('.') && name.indexOf('.cfg') !== -1 && name.indexOf('.cfg') === name.length - 4)
		.sort((one, other) => Buffer.compare(Buffer.from(one), Buffer.from(other)));
	const files: string[] = [];
	for (const name of names) {
		const candidate = path.join(file, name);
		if ((await reader.kind(candidate)) === 'file') {
			files.push(candidate);
		}
	}

	return {files};
}

function splitNul(text: string): string[] {
	const parts = text.split('\0');
	if (parts.at(-1) === '') {
		parts.pop();
	}

	return parts;
}
