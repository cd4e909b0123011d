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
