import path from 'node:path';
import process from 'node:process';
import {sentenceOf} from '../errors.js';
import type {Endpoint} from '../runtime/endpoint.js';
import {checkEnvironment, conditionFacts, configEnvironment, readBuildInfo, type BuildInfo} from './condition-facts.js';
import {findHaproxy, isExecutable} from './find-haproxy.js';
import {defaultConfigPath, filesLabel, parsedConfig, readConfigTexts, type LoadedConfig} from './load-config.js';
import {fileSystem, type FileReader} from './proc-reader.js';
import {readRunningProcess, runningConfigOf, type RunningConfig} from './running-haproxy.js';
import {visible} from '../visible-text.js';

/** One HAProxy instance as `show info` described it (pid and version null when it did not answer). */
export type InstanceFacts = {socket: string; endpoint: Endpoint; pid: number | null; version: string | null};

/** The configuration drainboard reads and checks, where it came from, and how to run `haproxy -c` on it. */
type ResolvedConfig = {
	config: LoadedConfig;
	origin: 'running' | 'flag' | 'default';
	/** Where the files come from, in a few words (`the files HAProxy pid 42 loaded`). */
	source: string;
	/** Sentences the operator must read: a --config that is not the running one, /proc not readable. */
	warnings: string[];
	/** The haproxy binary for `haproxy -c`, or why there is none. */
	binary: string | {missing: string};
	/** The directory and environment to run `haproxy -c` in (the running HAProxy's when known). */
	cwd: string | null;
	environment: Record<string, string> | null;
};

type ResolveOptions = {config?: string; haproxy?: string};

type ResolveDependencies = {reader?: FileReader; proc?: string; buildInfo?: (binary: string) => Promise<BuildInfo | null>; ownEnvironment?: NodeJS.ProcessEnv};

/**
 * Decides which files to read and check: with no --config, the files in the running HAProxy's
 * command line (/proc/<Pid>, Pid from `show info`); with --config, --config (and a warning when
 * HAProxy loaded something else); when /proc cannot tell, --config or /etc/haproxy/haproxy.cfg,
 * saying so. Then reads them, evaluating `.if` with the running HAProxy's environment, version
 * and build features where they can be read.
 */
export async function resolveConfig(options: ResolveOptions, instances: readonly InstanceFacts[], dependencies: ResolveDependencies = {}): Promise<ResolvedConfig> {
	const reader = dependencies.reader ?? fileSystem;
	const found = await runningConfigs(instances, reader, dependencies.proc ?? '/proc');
	const running = found.running;
	const warnings = [...found.warnings];
	let files: string[];
	let origin: ResolvedConfig['origin'];
	let source: string;
	if (options.config !== undefined) {
		const flag = path.resolve(options.config);
		files = [flag];
		origin = 'flag';
		source = `--config ${visible(flag)}`;
		if (running) {
			const texts = await readConfigTexts([flag], reader);
			const flagFiles = 'problem' in texts ? [flag] : texts.map((text) => text.file);
			if (await sameFiles(flagFiles, running.files, reader)) {
				source = `--config ${visible(flag)}, which HAProxy pid ${running.process.pid} loaded`;
			} else {
				warnings.push(`--config ${visible(flag)} is not what HAProxy pid ${running.process.pid} loaded (${visible(filesLabel(running.files))}); drainboard reads and checks --config as asked.`);
			}
		} else if (found.problem) {
			warnings.push(`${capitalize(found.problem)}, so drainboard reads --config ${visible(flag)} as given.`);
		}
	} else if (running) {
		files = running.files;
		origin = 'running';
		source = `the file${running.files.length > 1 ? 's' : ''} in the command line of HAProxy pid ${running.process.pid}`;
	} else {
		files = [defaultConfigPath];
		origin = 'default';
		source = `${defaultConfigPath} (the default)`;
		warnings.push(`${capitalize(found.problem ?? 'no running HAProxy was found')}, so drainboard reads ${defaultConfigPath} (the default) instead; pass --config if HAProxy runs another file.`);
	}

	const binary = await binaryFor(options.haproxy, running);
	const texts = await readConfigTexts(files, reader);
	const cwd = running?.cwd ?? null;
	const runningEnvironment = running && running.process.environment instanceof Map ? running.process.environment : null;
	if ('problem' in texts) {
		return {config: {files, sections: null, problem: texts.problem, cwd}, origin, source, warnings, binary, cwd, environment: runningEnvironment ? checkEnvironment(runningEnvironment) : null};
	}

	const version = instances.find((instance) => instance.version !== null)?.version ?? null;
	const allText = texts.map((text) => text.text).join('\n');
	const hasConditions = /^[ \t]*\.(?:el)?if\b/m.test(allText);
	const wantsBuild = /^[ \t]*\.(?:el)?if\b.*\b(?:feature|enabled)[ \t]*\(/m.test(allText) || (hasConditions && version === null);
	const build = wantsBuild && typeof binary === 'string' ? await (dependencies.buildInfo ?? readBuildInfo)(binary) : null;
	const environment = configEnvironment(runningEnvironment ?? dependencies.ownEnvironment ?? process.env);
	const facts = conditionFacts({
		environment,
		version,
		build,
		buildMissing: typeof binary === 'string' ? `${binary} -vv said nothing usable` : binary.missing.replace(/\.$/, ''),
		args: running?.process.args ?? null,
	});
	const config = parsedConfig(texts, facts, cwd);
	if (config.sections && config.parsed.usedEnvironment && !runningEnvironment && running) {
		const problem = running.process.environment instanceof Map ? '' : running.process.environment.problem;
		warnings.push(`${capitalize(problem)}: the configuration's .if conditions and "$VAR"s were evaluated with drainboard's own environment.`);
	}

	return {config, origin, source, warnings, binary, cwd, environment: runningEnvironment ? checkEnvironment(runningEnvironment) : null};
}

async function runningConfigs(instances: readonly InstanceFacts[], reader: FileReader, proc: string): Promise<{running: RunningConfig | null; problem: string | null; warnings: string[]}> {
	let running: RunningConfig | null = null;
	let problem: string | null = null;
	const warnings: string[] = [];
	for (const instance of instances) {
		let found: RunningConfig | {problem: string};
		if (instance.pid === null) {
			found = {problem: `HAProxy at ${visible(instance.socket)} did not answer, so its command line could not be read`};
		} else if (!isLocal(instance.endpoint)) {
			found = {problem: `HAProxy at ${visible(instance.socket)} runs on another host, so its command line cannot be read here`};
		} else {
			const process = await readRunningProcess(instance.pid, reader, proc);
			found = 'problem' in process ? process : await runningConfigOf(process, reader, proc);
		}

		if ('problem' in found) {
			problem ??= found.problem;
		} else if (running === null) {
			running = found;
		} else if (!(await sameFiles(found.files, running.files, reader))) {
			warnings.push(`HAProxy pid ${found.process.pid} (${visible(instance.socket)}) loaded other files (${visible(filesLabel(found.files))}) than pid ${running.process.pid}; drainboard reads those of pid ${running.process.pid}.`);
		}
	}

	return {running, problem: running ? null : problem, warnings};
}

/** A UNIX socket, or TCP on loopback: the Pid `show info` gives is a process on this host. */
function isLocal(endpoint: Endpoint): boolean {
	return endpoint.kind === 'unix' || /^(?:127\.|localhost$|::1$)/.test(endpoint.host);
}

async function sameFiles(one: readonly string[], other: readonly string[], reader: FileReader): Promise<boolean> {
	if (one.length !== other.length) {
		return false;
	}

	const real = async (file: string) => reader.realpath(file).catch(() => path.resolve(file));
	for (const [index, file] of one.entries()) {
		if ((await real(file)) !== (await real(other[index]!))) {
			return false;
		}
	}

	return true;
}

async function binaryFor(explicit: string | undefined, running: RunningConfig | null): Promise<string | {missing: string}> {
	if (explicit === undefined && running?.process.exe && (await isExecutable(running.process.exe))) {
		return running.process.exe;
	}

	return findHaproxy(explicit).catch((error: unknown) => ({missing: sentenceOf(error)}));
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
