import path from 'node:path';
import process from 'node:process';
import {UsageError} from '../errors.js';
import {parseEndpoint, type Endpoint} from '../runtime/endpoint.js';
import {conditionFacts, configEnvironment, readBuildInfo, type BuildInfo} from './condition-facts.js';
import {defaultConfigPath, defaultSocketPath, filesLabel, parsedConfig, readConfigTexts} from './load-config.js';
import {fileSystem, type FileReader} from './proc-reader.js';
import {loadRunningConfigs} from './running-configs.js';
import {defaultStatsSocket} from './stats-socket.js';
import {visible} from '../visible-text.js';

/** The socket drainboard uses when no --socket is given, and one sentence on why. */
type DefaultSocket = {endpoint: Endpoint; note: string};

/** What one running HAProxy process says its admin socket is. */
type Seen = {pid: number; files: string[]; socket: Endpoint | null; problem: string | null};

export type DefaultSocketDependencies = {reader?: FileReader; proc?: string; buildInfo?: (binary: string) => Promise<BuildInfo | null>};

/**
 * The default socket (README.md, "HAProxy's side, and which socket"): the admin
 * `stats socket` of the configuration the running HAProxy loaded (found through /proc: every
 * `haproxy` process, its command line, its files read with its environment); with --config, the
 * HAProxy that loaded that file; else --config's socket; else /etc/haproxy/haproxy.cfg's; else
 * /run/haproxy/admin.sock. Several HAProxy processes that disagree (and none picked by --config)
 * are bad usage: the operator must choose with --socket.
 */
export async function findDefaultSocket(config: string | undefined, dependencies: DefaultSocketDependencies = {}): Promise<DefaultSocket> {
	const reader = dependencies.reader ?? fileSystem;
	const proc = dependencies.proc ?? '/proc';
	const seen = await runningHaproxies(reader, proc, dependencies.buildInfo ?? readBuildInfo);
	const flag = config === undefined ? undefined : path.resolve(config);
	if (flag !== undefined) {
		const texts = await readConfigTexts([flag], reader);
		const flagFiles = 'problem' in texts ? [flag] : texts.map((text) => text.file);
		const real = async (file: string) => reader.realpath(file).catch(() => file);
		const wanted = await Promise.all(flagFiles.map(real));
		const loadedIt: Seen[] = [];
		// HAProxy processes that loaded --config beside other files (`-f conf.d -f extra.cfg`): their
		// socket is the one of everything they loaded, read with their environment.
		const loadedWithOthers: Seen[] = [];
		for (const one of seen) {
			const files = await Promise.all(one.files.map(real));
			if (files.length === wanted.length && files.every((file, index) => file === wanted[index])) {
				loadedIt.push(one);
			} else if (wanted.every((file) => files.includes(file))) {
				loadedWithOthers.push(one);
			}
		}

		const chosen = agreed(loadedIt);
		if (chosen?.socket) {
			return {endpoint: chosen.socket, note: `Using ${visible(chosen.socket.label)}, the admin stats socket of --config ${visible(flag)}, which HAProxy ${pids(loadedIt)} loaded.`};
		}

		const withOthers = loadedIt.length === 0 ? agreed(loadedWithOthers) : undefined;
		if (withOthers?.socket) {
			return {
				endpoint: withOthers.socket,
				note: `Using ${visible(withOthers.socket.label)}, the admin stats socket of ${visible(filesLabel(withOthers.files))}, which HAProxy ${pids(loadedWithOthers)} loaded (--config ${visible(flag)} is one of them).`,
			};
		}

		const fallback = await fromFile(flag, `no running HAProxy loaded --config ${visible(flag)}`, reader);
		refuseAnotherHaproxy(fallback.endpoint, flag, seen);
		return fallback;
	}

	if (seen.length === 0) {
		return fromFile(defaultConfigPath, 'no running HAProxy was found in /proc', reader);
	}

	const chosen = agreed(seen);
	if (chosen === undefined) {
		const shown = seen.slice(0, 4).map((one) => `pid ${one.pid}: ${one.socket ? visible(one.socket.label) : visible(one.problem ?? 'no stats socket')}`);
		const more = seen.length > 4 ? `; and pids ${seen.slice(4).map((one) => one.pid).join(', ')}` : '';
		throw new UsageError(`Several HAProxy processes run here and do not agree on a stats socket (${shown.join('; ')}${more}); pass --socket to choose one.`);
	}

	if (chosen.socket === null) {
		return fromFile(defaultConfigPath, chosen.problem ?? `HAProxy ${pids(seen)} names no stats socket`, reader);
	}

	return {endpoint: chosen.socket, note: `Using ${visible(chosen.socket.label)}, the admin stats socket of ${visible(filesLabel(chosen.files))}, which HAProxy ${pids(seen)} loaded.`};
}

/**
 * --config that no running HAProxy loaded, naming the socket of one that loaded other files: the
 * HAProxy on that socket is not the one --config describes (a copy, or a config read with another
 * environment), so draining there would change what the operator did not name.
 */
function refuseAnotherHaproxy(endpoint: Endpoint, flag: string, seen: readonly Seen[]): void {
	const other = seen.filter((one) => one.socket?.label === endpoint.label);
	if (other.length > 0) {
		throw new UsageError(
			`--config ${visible(flag)} names the stats socket ${visible(endpoint.label)}, but the HAProxy on it (${pids(other)}) loaded ${visible(filesLabel(other[0]!.files))}, not --config; pass --socket to say which HAProxy to change, or --config with the files it loaded.`,
		);
	}
}

/** The one answer every process gives (same socket, or the same reason for none), else undefined. */
function agreed(seen: readonly Seen[]): Seen | undefined {
	const first = seen[0];
	if (first === undefined) {
		return undefined;
	}

	const key = (one: Seen) => (one.socket ? `socket ${one.socket.label}` : `problem ${one.problem ?? ''}`);
	return seen.every((one) => key(one) === key(first)) ? first : undefined;
}

function pids(seen: readonly Seen[]): string {
	return seen.length === 1 ? `pid ${seen[0]!.pid}` : `pids ${seen.map((one) => one.pid).join(', ')}`;
}

async function fromFile(file: string, why: string, reader: FileReader): Promise<DefaultSocket> {
	const texts = await readConfigTexts([file], reader);
	const loaded = 'problem' in texts ? null : parsedConfig(texts, conditionFacts({environment: configEnvironment(process.env), version: null, build: null, args: null}), null);
	const socket = loaded?.sections ? defaultStatsSocket(loaded.sections) : undefined;
	if (socket) {
		return {endpoint: socket.endpoint, note: `Using ${visible(socket.endpoint.label)}, the admin stats socket of ${visible(file)}: ${why}.`};
	}

	return {endpoint: parseEndpoint(defaultSocketPath), note: `Using ${defaultSocketPath} (the default): ${why}, and ${visible(file)} names no stats socket drainboard can use.`};
}

/** Every serving HAProxy process on this host, with the admin socket of what it loaded. */
async function runningHaproxies(reader: FileReader, proc: string, buildInfo: (binary: string) => Promise<BuildInfo | null>): Promise<Seen[]> {
	return (await loadRunningConfigs({reader, proc, buildInfo})).map((one) => {
		if (one.loaded === null) {
			return {pid: one.pid, files: one.files, socket: null, problem: one.problem};
		}

		const socket = one.loaded.sections ? defaultStatsSocket(one.loaded.sections, one.cwd) : undefined;
		return {pid: one.pid, files: one.files, socket: socket?.endpoint ?? null, problem: socket ? null : `${visible(filesLabel(one.files))} names no stats socket drainboard can use`};
	});
}
