import path from 'node:path';
import {visible} from '../visible-text.js';
import {readMapFile, type MapEntry, type MapRead} from './map-file.js';
import type {Section} from './parse-config.js';

/** What a `map*` converter gave: a string (with the evidence: the file, line, key and value), nothing, or why it is not known. */
type MapResult = {kind: 'str'; value: string; evidence: string} | {kind: 'none'; evidence: string} | {kind: 'unknown'; why: string};

/** Applies converter `name` (`map`, `map_dom`, …) with its arguments to `input`, reading the map named by the first. */
export type MapLookup = (name: string, args: readonly string[], input: string) => MapResult;

/** The map files of one configuration: read once each, their relative names resolved as HAProxy does. */
export type MapFiles = {
	/** The file a map name stands for (`file@`/`opt@` dropped), and how it is read, for a map named in `configFile`. */
	read(name: string, configFile: string): {read: MapRead; optional: boolean} | {virtual: string};
};

/** Maps as the running HAProxy holds them, by the name the configuration writes (`hosts.map`, `virt@dyn`). */
export type HeldMaps = ReadonlyMap<string, MapEntry[]>;

/**
 * The map names the configuration's `map*` converters use, as written (`file@`, `opt@`, `virt@`
 * prefixes kept: HAProxy's `show map` knows them by that name), each once, in order.
 */
export function mapNamesOf(sections: readonly Section[]): string[] {
	const names = new Set<string>();
	for (const statement of sections.filter((section) => !section.uncertain).flatMap((section) => section.statements)) {
		for (const arg of statement.args) {
			for (const found of arg.matchAll(/\bmap(?:_[a-z]+){0,2}\(([^,)]+)/g)) {
				names.add(found[1]!);
			}
		}
	}

	return [...names];
}

/** How a match method compares a map key with the input (the methods drainboard evaluates: not `reg`, `int`, `ip`). */
type KeyMatch = 'str' | 'beg' | 'sub' | 'dir' | 'dom' | 'end';

/**
 * The map files of a configuration. A relative name is read the way HAProxy opens it while it
 * parses: from its working directory (`cwd`, /proc/<pid>/cwd of the running HAProxy), unless the
 * global `default-path` says otherwise (`config`: the configuration file's directory, `parent`:
 * its parent, `origin <dir>`). When the working directory is not known, the configuration file's
 * directory stands in for it (and the evidence says so).
 */
export function mapFiles(sections: readonly Section[], options: {cwd: string | null; readFile?: (file: string) => MapRead; held?: HeldMaps}): MapFiles {
	const readFile = options.readFile ?? readMapFile;
	const cache = new Map<string, MapRead>();
	const policy = sections
		.filter((section) => section.kind === 'global' && !section.uncertain)
		.flatMap((section) => section.statements)
		.filter((statement) => statement.keyword === 'default-path' && !statement.uncertain)
		.at(-1)?.args;
	return {
		read(name, configFile) {
			// What the running HAProxy holds is what it matches against (the file as loaded, and changes made at run time since).
			const held = options.held?.get(name);
			if (held) {
				return {read: {file: name, entries: held, held: true}, optional: name.startsWith('opt@')};
			}

			if (name.startsWith('virt@')) {
				return {virtual: `map ${visible(name)} is a virtual one, filled at run time, not from a file`};
			}

			const optional = name.startsWith('opt@');
			const file = name.replace(/^(?:file|opt)@/, '');
			const absolute = path.isAbsolute(file) ? file : path.resolve(baseDirectory(policy, configFile, options.cwd), file);
			let read = cache.get(absolute);
			if (!read) {
				read = readFile(absolute);
				if ('problem' in read && !path.isAbsolute(file) && options.cwd === null && (policy === undefined || policy[0] === 'current')) {
					read = {...read, problem: `${read.problem}; drainboard read it relative to the configuration's directory, HAProxy's working directory being unknown`};
				}

				cache.set(absolute, read);
			}

			return {read, optional};
		},
	};
}

function baseDirectory(policy: readonly string[] | undefined, configFile: string, cwd: string | null): string {
	const configDirectory = path.dirname(path.resolve(cwd ?? '/', configFile));
	switch (policy?.[0]) {
		case 'config': {
			return configDirectory;
		}

		case 'parent': {
			return path.dirname(configDirectory);
		}

		case 'origin': {
			return path.resolve(cwd ?? configDirectory, policy[1] ?? '.');
		}

		default: {
			return cwd ?? configDirectory;
		}
	}
}

/** The method of a `map_<match>[_<output>]` converter: null for one drainboard does not evaluate (`reg`, `regm`, `int`, `ip`, an output that is not `str`). */
export function keyMatchOf(name: string): KeyMatch | null | undefined {
	const parts = /^map(?:_(str|beg|sub|dir|dom|end|reg|regm|int|ip))?(?:_(str|int|ip|key))?$/.exec(name);
	if (!parts) {
		return undefined;
	}

	const method = parts[1] ?? 'str';
	return (parts[2] ?? 'str') === 'str' && ['str', 'beg', 'sub', 'dir', 'dom', 'end'].includes(method) ? (method as KeyMatch) : null;
}

/** match_word() of src/pattern.c: the key, trimmed of delimiters, between delimiters (or the ends) of the input. */
function matchWord(input: string, key: string, delimiters: string): boolean {
	const trimmed = key.replace(new RegExp(`^[${delimiters}]+|[${delimiters}]+$`, 'g'), '');
	if (trimmed === '') {
		return false;
	}

	for (let start = input.indexOf(trimmed); start !== -1; start = input.indexOf(trimmed, start + 1)) {
		const end = start + trimmed.length;
		if ((start === 0 || delimiters.includes(input[start - 1]!)) && (end === input.length || delimiters.includes(input[end]!))) {
			return true;
		}
	}

	return false;
}

/** Per map, its first entry of each key (the exact and prefix lookups), and the answers of the others already given. */
const indexes = new WeakMap<readonly MapEntry[], {exact: Map<string, MapEntry>; answers: Map<string, MapEntry | undefined>}>();

function indexOf(entries: readonly MapEntry[]): {exact: Map<string, MapEntry>; answers: Map<string, MapEntry | undefined>} {
	let index = indexes.get(entries);
	if (!index) {
		const exact = new Map<string, MapEntry>();
		for (const entry of entries) {
			if (!exact.has(entry.key)) {
				exact.set(entry.key, entry);
			}
		}

		index = {exact, answers: new Map()};
		indexes.set(entries, index);
	}

	return index;
}

/**
 * The entry a lookup finds, as src/pattern.c does for a map (case-sensitive): `str` the first
 * key equal to the input (a tree: the first of equal keys), `beg` the longest key the input
 * starts with (a prefix tree), the others the first key in file order that matches. The walk asks
 * the same question many times: the answers are kept with the map.
 */
export function lookupEntry(entries: readonly MapEntry[], method: KeyMatch, input: string): MapEntry | undefined {
	const {exact, answers} = indexOf(entries);
	if (method === 'str') {
		return exact.get(input);
	}

	if (method === 'beg') {
		for (let length = input.length; length > 0; length--) {
			const entry = exact.get(input.slice(0, length));
			if (entry) {
				return entry;
			}
		}

		return undefined;
	}

	const question = `${method} ${input}`;
	if (answers.has(question)) {
		return answers.get(question);
	}

	const matches: Record<Exclude<KeyMatch, 'str' | 'beg'>, (key: string) => boolean> = {
		sub: (key) => input.includes(key),
		end: (key) => input.endsWith(key),
		dir: (key) => matchWord(input, key, '/?'),
		dom: (key) => matchWord(input, key, '/?.:'),
	};
	const found = entries.find((entry) => matches[method](entry.key));
	answers.set(question, found);
	return found;
}

/** `map /etc/haproxy/hosts.map line 3: shop.example.com → be_shop` (as HAProxy holds it: `entry 3`), shown safely. */
function entryEvidence(read: {file: string; held?: true}, entry: MapEntry): string {
	const where = read.held ? `as HAProxy holds it (show map), entry ${entry.line}` : `line ${entry.line}`;
	return `map ${visible(read.file)} ${where}: ${visible(entry.key)} → ${visible(entry.value)}`;
}

/** The {@link MapLookup} for the rules of a section of `configFile`. */
export function mapLookup(files: MapFiles, configFile: string): MapLookup {
	return (name, args, input) => {
		const method = keyMatchOf(name);
		const mapName = args[0] ?? '';
		if (!method) {
			return {kind: 'unknown', why: `converter ${name} matches keys in a way drainboard does not evaluate (regular expressions, numbers or addresses)`};
		}

		const found = files.read(mapName, configFile);
		if ('virtual' in found) {
			return {kind: 'unknown', why: found.virtual};
		}

		const {read} = found;
		const fallback = args.length > 1 ? args[1]! : undefined;
		if ('problem' in read) {
			if (found.optional && read.missing) {
				return fallback === undefined ? {kind: 'none', evidence: `map ${visible(read.file)} (optional) does not exist`} : {kind: 'str', value: fallback, evidence: `map ${visible(read.file)} (optional) does not exist: its default ${visible(fallback)}`};
			}

			return {kind: 'unknown', why: `map file ${read.problem}`};
		}

		const entry = lookupEntry(read.entries, method, input);
		if (entry) {
			return {kind: 'str', value: entry.value, evidence: entryEvidence(read, entry)};
		}

		return fallback === undefined
			? {kind: 'none', evidence: `map ${visible(read.file)}: no key matches ${visible(input)}`}
			: {kind: 'str', value: fallback, evidence: `map ${visible(read.file)}: no key matches ${visible(input)}, its default ${visible(fallback)}`};
	};
}
