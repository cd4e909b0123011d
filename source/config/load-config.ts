import path from 'node:path';
import {UsageError} from '../errors.js';
import {visible} from '../visible-text.js';
import type {ConditionFacts} from './conditions.js';
import {noFacts, parseConfigFiles, type ConfigText, type ParsedConfig, type Section} from './parse-config.js';
import {fileSystem, unreadable, type FileReader} from './proc-reader.js';
import {expandConfigPath} from './running-haproxy.js';

export const defaultConfigPath = '/etc/haproxy/haproxy.cfg';
export const defaultSocketPath = '/run/haproxy/admin.sock';

/** The configuration as read: its files in order, their sections, or why they could not be read. */
export type LoadedConfig =
	| {files: string[]; sections: Section[]; parsed: ParsedConfig; cwd: string | null}
	| {files: string[]; sections: null; problem: string; cwd: string | null};

/**
 * Reads configuration files in order (a directory as HAProxy expands it) and parses them with
 * `facts`; an unreadable file is reported, not thrown (status works without it).
 */
export async function loadConfig(files: string | readonly string[], facts: ConditionFacts = noFacts, options: {cwd?: string | null; reader?: FileReader} = {}): Promise<LoadedConfig> {
	const cwd = options.cwd ?? null;
	const texts = await readConfigTexts(typeof files === 'string' ? [files] : files, options.reader);
	if ('problem' in texts) {
		return {files: typeof files === 'string' ? [files] : [...files], sections: null, problem: texts.problem, cwd};
	}

	return parsedConfig(texts, facts, cwd);
}

/** Reads each file (a directory as HAProxy expands it), in order; the first problem stops it. */
export async function readConfigTexts(files: readonly string[], reader: FileReader = fileSystem): Promise<ConfigText[] | {problem: string}> {
	const texts: ConfigText[] = [];
	for (const file of files) {
		try {
			for (const one of (await expandConfigPath(file, reader)).files) {
				texts.push({file: one, text: (await reader.readFile(one)).toString('utf8')});
			}
		} catch (error) {
			return {problem: unreadable(file, error)};
		}
	}

	return texts;
}

/** Parses texts already read. */
export function parsedConfig(texts: readonly ConfigText[], facts: ConditionFacts, cwd: string | null): LoadedConfig {
	const parsed = parseConfigFiles(texts, facts);
	return {files: texts.map((text) => text.file), sections: parsed.sections, parsed, cwd};
}

/** The files for messages: `a.cfg` or `a.cfg, conf.d/b.cfg`. */
export function filesLabel(files: readonly string[]): string {
	return files.join(', ');
}

const proxyKinds = new Set(['frontend', 'backend', 'listen']);

/**
 * Why configuration files that were read give drainboard nothing to work on (a README,
 * /etc/passwd, a `global` section alone): they have no frontend, listen or backend section, not
 * even under a `.if`. One sentence; null when they have one.
 */
export function noProxySection(files: readonly string[], parsed: ParsedConfig): string | null {
	const proxies = parsed.sections.some((section) => proxyKinds.has(section.kind)) || parsed.dropped.some((line) => proxyKinds.has(line.keyword) || proxyKinds.has(line.section?.kind ?? ''));
	return proxies ? null : `${visible(filesLabel(files))} has no frontend, listen or backend section; pass --config with the HAProxy configuration that defines the backends.`;
}

/**
 * Checks `--config` before anything is asked of HAProxy: a file that cannot be read, or that has
 * no frontend, listen or backend section, is bad usage (exit 2), said in one sentence.
 */
export async function checkConfigFlag(file: string, reader: FileReader = fileSystem): Promise<void> {
	const absolute = path.resolve(file);
	const texts = await readConfigTexts([absolute], reader);
	if ('problem' in texts) {
		const problem = visible(texts.problem);
		throw new UsageError(`${problem.charAt(0).toUpperCase()}${problem.slice(1)}; pass --config with the file HAProxy runs.`);
	}

	const problem = noProxySection(texts.map((text) => text.file), parseConfigFiles(texts));
	if (problem !== null) {
		throw new UsageError(problem);
	}
}
