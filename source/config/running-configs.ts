import process from 'node:process';
import {conditionFacts, configEnvironment, readBuildInfo, type BuildInfo} from './condition-facts.js';
import type {ConfigEnvironment} from './config-line.js';
import {parsedConfig, readConfigTexts, type LoadedConfig} from './load-config.js';
import {fileSystem, type FileReader} from './proc-reader.js';
import {readRunningProcess, runningConfigOf} from './running-haproxy.js';

/** A serving HAProxy process on this host and the configuration it loaded (read as it read it), or why not. */
type RunningLoaded = {
	pid: number;
	files: string[];
	loaded: LoadedConfig | null;
	cwd: string | null;
	problem: string | null;
	/** What its .if blocks were read with: its environment (drainboard's own when /proc/<pid>/environ is not readable) and its binary's build. */
	facts?: {environment: ConfigEnvironment; build: BuildInfo | null; environmentRead: boolean};
};

/**
 * Every serving HAProxy process on this host (found in /proc by its name), the files in its
 * command line, read with its environment and, when a `.if` needs them, its binary's version
 * and features (`-vv`, asked once per binary).
 */
export async function loadRunningConfigs(dependencies: {reader?: FileReader; proc?: string; buildInfo?: (binary: string) => Promise<BuildInfo | null>} = {}): Promise<RunningLoaded[]> {
	const reader = dependencies.reader ?? fileSystem;
	const proc = dependencies.proc ?? '/proc';
	const buildInfo = dependencies.buildInfo ?? readBuildInfo;
	const entries = await reader.readdir(proc).catch(() => [] as string[]);
	const builds = new Map<string, Promise<BuildInfo | null>>();
	const seen: RunningLoaded[] = [];
	for (const entry of entries.filter((name) => /^[0-9]+$/.test(name)).sort((one, other) => Number(one) - Number(other))) {
		const comm = await reader.readFile(`${proc}/${entry}/comm`).then(
			(buffer) => buffer.toString('utf8').trim(),
			() => '',
		);
		if (!comm.startsWith('haproxy')) {
			continue;
		}

		const running = await readRunningProcess(Number(entry), reader, proc);
		if ('problem' in running) {
			seen.push({pid: Number(entry), files: [], loaded: null, cwd: null, problem: running.problem});
			continue;
		}

		if (running.args.mode !== 'run') {
			continue;
		}

		const config = await runningConfigOf(running, reader, proc);
		if ('problem' in config) {
			seen.push({pid: running.pid, files: [], loaded: null, cwd: null, problem: config.problem});
			continue;
		}

		const texts = await readConfigTexts(config.files, reader);
		if ('problem' in texts) {
			seen.push({pid: running.pid, files: config.files, loaded: null, cwd: config.cwd, problem: texts.problem});
			continue;
		}

		const needsBuild = /^[ \t]*\.(?:el)?if\b.*(?:version_|feature|enabled|&&|\|\|)/m.test(texts.map((text) => text.text).join('\n'));
		let build: BuildInfo | null = null;
		if (needsBuild && running.exe) {
			const exe = running.exe;
			if (!builds.has(exe)) {
				builds.set(exe, buildInfo(exe));
			}

			build = (await builds.get(exe)) ?? null;
		}

		const environment = configEnvironment(running.environment instanceof Map ? running.environment : process.env);
		const loaded = parsedConfig(texts, conditionFacts({environment, version: build?.version ?? null, build, args: running.args}), config.cwd);
		seen.push({pid: running.pid, files: config.files, loaded, cwd: config.cwd, problem: null, facts: {environment, build, environmentRead: running.environment instanceof Map}});
	}

	return seen;
}
