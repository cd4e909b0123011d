import {visible} from '../visible-text.js';
import {sampleText, type AclScope} from './acl-match.js';
import {keyMatchOf, type MapFiles} from './map-files.js';
import type {MapEntry} from './map-file.js';
import type {ProbeRequest} from './probe-request.js';

/** A `use_backend` name as a log-format: literal text and `%[…]` sample expressions, in order. */
type NamePart = {text: string} | {expression: string};

/**
 * Splits a `use_backend` name into literal text and `%[expr]` parts; null when it holds another
 * log-format item (`%ci`, `%{+Q}[…]`, a `%` drainboard does not read).
 */
function nameParts(name: string): NamePart[] | null {
	const parts: NamePart[] = [];
	let rest = name;
	while (rest !== '') {
		const at = rest.indexOf('%');
		if (at === -1) {
			parts.push({text: rest});
			break;
		}

		if (at > 0) {
			parts.push({text: rest.slice(0, at)});
		}

		if (rest.startsWith('%%', at)) {
			parts.push({text: '%'});
			rest = rest.slice(at + 2);
			continue;
		}

		const expression = /^%\[([^\]]*)\]/.exec(rest.slice(at));
		if (!expression) {
			return null;
		}

		parts.push({expression: expression[1]!});
		rest = rest.slice(at + expression[0].length);
	}

	return parts;
}

/** The backend name a dynamic `use_backend` builds for the request (an absent sample adds nothing), with the map entries it used. */
export function dynamicName(name: string, request: ProbeRequest, scope: AclScope): {name: string; evidence: string[]} | {unknown: string} {
	const parts = nameParts(name);
	if (parts === null) {
		return {unknown: 'the name is a log-format drainboard does not evaluate'};
	}

	const evidence: string[] = [];
	let built = '';
	for (const part of parts) {
		if ('text' in part) {
			built += part.text;
			continue;
		}

		const value = sampleText(part.expression, request, scope, evidence);
		if ('unknown' in value) {
			return {unknown: value.unknown};
		}

		built += 'value' in value ? value.value : '';
	}

	return {name: built, evidence};
}

/** What a request must carry to reach a backend through a map: Host names and paths to try. */
type MapCandidates = {names: string[]; paths: string[]; sniNames: string[]};

/**
 * `req.hdr(host)`, `hdr(host)`, `req.fhdr(host)` (any occurrence): the Host header; `path`, `pathq`,
 * `url`: the path; `base`: both; `req.ssl_sni` (`req_ssl_sni`, read from the ClientHello in a
 * `mode tcp` frontend) and `ssl_fc_sni` (a TLS bind's): the SNI.
 */
function fetchKind(fetch: string): 'host' | 'path' | 'base' | 'sni' | 'hello-sni' | null {
	if (/^(?:req\.)?f?hdr\(\s*host\s*(?:,[^)]*)?\)$/i.test(fetch)) {
		return 'host';
	}

	if (/^(?:req\.ssl_sni|req_ssl_sni)$/.test(fetch)) {
		return 'hello-sni';
	}

	if (fetch === 'ssl_fc_sni') {
		return 'sni';
	}

	if (/^(?:path|pathq|url)$/.test(fetch)) {
		return 'path';
	}

	return fetch === 'base' ? 'base' : null;
}

/**
 * Host names and paths that make a dynamic `use_backend` name `backend`: for each `%[fetch,…,map_X(file)]`
 * whose map has keys leading to it (the name's literal text around the value), each such key as
 * the request carries it (a Host, a path, or for `base` a Host and the path after its first `/`).
 * Only a map whose key is compared to the input itself (`map`, `map_str`, `map_beg`, `map_dom`,
 * `map_end`, `map_sub`, `map_dir`) gives them; the walk then decides whether each one reaches it.
 */
export function mapCandidates(name: string, backend: string, maps: MapFiles, configFile: string): MapCandidates {
	const found: MapCandidates = {names: [], paths: [], sniNames: []};
	const parts = nameParts(name);
	if (parts === null || parts.filter((part) => 'expression' in part).length !== 1) {
		return found;
	}

	const index = parts.findIndex((part) => 'expression' in part);
	const textOf = (some: NamePart[]) => some.map((part) => ('text' in part ? part.text : '')).join('');
	const before = textOf(parts.slice(0, index));
	const after = textOf(parts.slice(index + 1));
	const expression = (parts[index] as {expression: string}).expression;
	const words = splitTop(expression);
	const kind = fetchKind(words[0] ?? '');
	const mapAt = words.findIndex((word) => keyMatchOf(word.replace(/\(.*$/, '')) !== undefined);
	if (kind === null || mapAt === -1 || mapAt !== words.length - 1) {
		return found;
	}

	const converter = /^([a-z_]+)\((.*)\)$/.exec(words[mapAt]!);
	if (!converter || !keyMatchOf(converter[1]!)) {
		return found;
	}

	const read = maps.read(converter[2]!.split(',')[0]!.trim(), configFile);
	if ('virtual' in read || 'problem' in read.read) {
		return found;
	}

	const leading = read.read.entries.filter((entry: MapEntry) => `${before}${entry.value}${after}` === backend && unmatchableKey(entry.key, words.slice(1, mapAt)) === null);
	for (const {key} of leading) {
		if (kind === 'host' || kind === 'sni') {
			// An https probe sends its Host as the SNI too.
			found.names.push(key);
		} else if (kind === 'hello-sni') {
			// A TLS probe (tls://) through a `mode tcp` frontend: its SNI, and an https one's Host.
			found.names.push(key);
			found.sniNames.push(key);
		} else if (kind === 'path') {
			// A path starts with `/`: a key without one is matched only inside a path (`map_sub`, `map_end`, `map_dom`, `map_dir`).
			if (key.startsWith('/') || !['map', 'map_str', 'map_beg'].includes(converter[1]!.replace(/_str$/, ''))) {
				found.paths.push(key.startsWith('/') ? key : `/${key}`);
			}
		} else {
			const slash = key.indexOf('/');
			if (slash > 0) {
				found.names.push(key.slice(0, slash));
				found.paths.push(key.slice(slash));
			}
		}
	}

	return found;
}

/** `a(b,c),d` → [`a(b,c)`, `d`]: the fetch and its converters. */
function splitTop(text: string): string[] {
	const words: string[] = [];
	let depth = 0;
	let current = '';
	for (const character of text) {
		depth += character === '(' ? 1 : character === ')' ? -1 : 0;
		if (character === ',' && depth === 0) {
			words.push(current.trim());
			current = '';
		} else {
			current += character;
		}
	}

	words.push(current.trim());
	return words;
}

/**
 * Why a dynamic `use_backend` gives no probe for `backend`, in a clause, when its map is the
 * reason: the map cannot be read, or it matches in a way drainboard does not evaluate, or no key
 * (nor the default) leads to the backend. Null when none of these explains it.
 */
export function mapProblem(name: string, backend: string, maps: MapFiles, configFile: string): string | null {
	// Each word of a %[...] expression with the converters before it (the first word is the fetch).
	const converters = (nameParts(name) ?? []).flatMap((part) => ('expression' in part ? splitTop(part.expression) : []).map((word, index, words) => ({word, before: words.slice(1, index)})));
	for (const {word, before} of converters) {
		const converter = /^([a-z_]+)\((.*)\)$/.exec(word);
		const method = converter ? keyMatchOf(converter[1]!) : undefined;
		if (!converter || method === undefined) {
			continue;
		}

		const args = converter[2]!.split(',').map((arg) => arg.trim());
		if (method === null) {
			return `it looks the name up with ${converter[1]!}, which drainboard does not evaluate`;
		}

		const read = maps.read(args[0] ?? '', configFile);
		if ('virtual' in read) {
			return read.virtual;
		}

		if ('problem' in read.read) {
			return `map file ${read.read.problem}`;
		}

		const leads = (value: string) => name.replace(/%\[[^\]]*\]/, () => value) === backend;
		const leading = read.read.entries.filter((entry) => leads(entry.value));
		if (args.length > 1 && leads(args[1]!)) {
			continue;
		}

		if (leading.length === 0) {
			return `no key of map ${visible(read.read.file)} (nor its default) leads to ${backend}`;
		}

		// Keys no request can match: the walk never tries them (mapCandidates), so without this the
		// reason would read as the frontend's, not the map's.
		const unmatchable = leading.map((entry) => ({key: entry.key, why: unmatchableKey(entry.key, before)}));
		if (unmatchable.every((one) => one.why !== null)) {
			const shown = unmatchable.slice(0, 3).map((one) => `${visible(one.key)}: ${one.why!}`);
			const more = unmatchable.length > 3 ? ` and ${unmatchable.length - 3} more` : '';
			return `the keys of map ${visible(read.read.file)} that lead to ${backend} are ones no request matches (${shown.join('; ')}${more})`;
		}
	}

	return null;
}

/**
 * Why no request can match a map key looked up after `converters`, or null when one can: a request
 * carries no space or control character in its Host or path, and after `lower` (`upper`) the
 * looked-up text has no upper-case (lower-case) letter.
 */
function unmatchableKey(key: string, converters: readonly string[]): string | null {
	if (!/^[\x21-\x7e]+$/.test(key)) {
		return 'it holds a space or a control character';
	}

	const last = converters.filter((word) => word === 'lower' || word === 'upper').at(-1);
	if (last === 'lower' && key !== key.toLowerCase()) {
		return 'it has upper-case letters, and the name is looked up after lower';
	}

	if (last === 'upper' && key !== key.toUpperCase()) {
		return 'it has lower-case letters, and the name is looked up after upper';
	}

	return null;
}
