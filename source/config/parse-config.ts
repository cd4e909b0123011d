import {evaluateCondition, type ConditionFacts} from './conditions.js';
import {emptyEnvironment, parseLine, type ConfigEnvironment} from './config-line.js';
import {optionKeywords} from './enabled-options.js';

/** A section keyword of haproxy.cfg that holds proxies or global settings. */
type SectionKind = 'global' | 'defaults' | 'frontend' | 'backend' | 'listen' | 'other';

/**
 * Why a line may or may not be part of what HAProxy loaded: a `.if` drainboard could not
 * evaluate, or a variable whose value it cannot know. Such lines are neither relied on nor
 * taken as absent.
 */
export type Uncertainty = {file: string; line: number; text: string; why: string};

/** One configuration statement: its keyword, its arguments and where it was written. */
export type Statement = {keyword: string; args: string[]; line: number; file: string; uncertain?: Uncertainty};

/**
 * A section of haproxy.cfg (`global`, `defaults [name]`, `frontend web`, …). `from` is the
 * named `defaults` section it takes its settings from (`backend b from tcp-defaults`, 2.4+).
 */
export type Section = {kind: SectionKind; name: string | null; from: string | null; line: number; file: string; statements: Statement[]; uncertain?: Uncertainty};

/** Why a block was not read: the directive that decided it and how it came out. */
export type Decision = {file: string; line: number; text: string; outcome: 'false' | 'earlier-branch'};

/** A line HAProxy did not load because of a `.if`, with the section it would have been in. */
type DroppedLine = {keyword: string; args: string[]; file: string; line: number; section: {kind: SectionKind; name: string | null} | null; because: Decision};

/** A configuration as HAProxy loads it, file after file, with what the conditions decided. */
export type ParsedConfig = {
	sections: Section[];
	/** Lines inside blocks whose condition is false. */
	dropped: DroppedLine[];
	/** Each condition (and variable) drainboard could not evaluate, once. */
	uncertainties: Uncertainty[];
	/** Whether the environment was consulted (a `defined()` or a `"$VAR"`). */
	usedEnvironment: boolean;
};

/** One file's text and its name (as messages show it). */
export type ConfigText = {file: string; text: string};

const proxyKinds: Record<string, SectionKind> = {
	global: 'global',
	defaults: 'defaults',
	frontend: 'frontend',
	backend: 'backend',
	listen: 'listen',
};

const otherSections = new Set([
	'peers',
	'resolvers',
	'userlist',
	'mailers',
	'program',
	'http-errors',
	'ring',
	'cache',
	'log-forward',
	'log-profile',
	'crt-store',
	'traces',
	'fcgi-app',
	'dynamic-update',
	'acme',
	'healthcheck',
	'namespace_list',
]);

/** The facts used when nothing better is known: an empty environment, the newest grammar. */
export const noFacts: ConditionFacts = {
	environment: emptyEnvironment,
	version: null,
	features: null,
	featuresMissing: 'the features HAProxy was built with are not known',
	enabled: () => ({unknown: 'the running HAProxy is not known'}),
};

type Activity = {state: 'yes'} | {state: 'no'; because: Decision} | {state: 'maybe'; because: Uncertainty};

type Level = {
	parent: Activity;
	current: Activity;
	/** Whether a branch before this one was taken. */
	taken: Activity;
	sawElse: boolean;
};

const active: Activity = {state: 'yes'};

/**
 * Reads haproxy.cfg the way HAProxy's parser walks it: each file on its own (a section ends
 * with its file), words split by {@link parseLine} with the environment, `.if`/`.elif`/`.else`/
 * `.endif` blocks evaluated with `facts` (lines of a false block are kept apart in `dropped`; a
 * block drainboard cannot evaluate marks its lines `uncertain`), and `.diag`, `.notice`,
 * `.warning`, `.alert` and `[scope]` lines left out.
 */
export function parseConfigFiles(files: readonly ConfigText[], given: ConditionFacts = noFacts): ParsedConfig {
	const result: ParsedConfig = {sections: [], dropped: [], uncertainties: [], usedEnvironment: false};
	const facts: ConditionFacts = {
		...given,
		environment: {
			get(name) {
				result.usedEnvironment = true;
				return given.environment.get(name);
			},
			known: (name) => given.environment.known(name),
		},
	};
	const anywhere = new Set<string>();
	for (const {text} of files) {
		for (const match of text.matchAll(/^[ \t]*([a-z.-]+)/gm)) {
			if (optionKeywords[match[1]!] !== undefined) {
				anywhere.add(match[1]!);
			}
		}
	}

	const before = new Map<string, string>();
	const remember = (uncertainty: Uncertainty) => {
		if (!result.uncertainties.some((known) => known.file === uncertainty.file && known.line === uncertainty.line && known.text === uncertainty.text)) {
			result.uncertainties.push(uncertainty);
		}
	};

	for (const {file, text} of files) {
		readFile(file, text, facts, result, {before, anywhere}, remember);
	}

	return result;
}

/** One file's sections, with no environment and the newest grammar (for a quick look and tests). */
export function parseConfig(text: string, facts: ConditionFacts = noFacts): Section[] {
	return parseConfigFiles([{file: 'haproxy.cfg', text}], facts).sections;
}

function readFile(
	file: string,
	text: string,
	facts: ConditionFacts,
	result: ParsedConfig,
	seen: {before: Map<string, string>; anywhere: Set<string>},
	remember: (uncertainty: Uncertainty) => void,
): void {
	const levels: Level[] = [];
	let current: Section | undefined;
	let shadow: {kind: SectionKind; name: string | null} | null = null;
	const lines = text.split('\n');
	for (const [index, raw] of lines.entries()) {
		const lineNumber = index + 1;
		if (/^[ \t\v\f\r]*\[/.test(raw)) {
			continue;
		}

		const parsed = parseLine(raw, facts.environment, {file, line: lineNumber, section: current ? (current.name ?? current.kind) : null});
		result.usedEnvironment ||= parsed.usedEnvironment;
		const words = parsed.words;
		const keyword = words[0];
		if (parsed.error !== null || keyword === undefined || keyword === '') {
			continue;
		}

		const directive = raw.trim().replace(/\s+#.*$/, '');
		const top = levels.at(-1);
		const here = top ? combine(top.parent, top.current) : active;
		if (keyword === '.if') {
			const level: Level = {parent: here, current: here, taken: {state: 'yes'}, sawElse: false};
			if (here.state !== 'no') {
				const decided = decide(words.slice(1), facts, seen, {file, line: lineNumber, text: directive}, parsed.unknownVariables);
				level.current = decided;
				level.taken = decided;
				if (decided.state === 'maybe') {
					remember(decided.because);
				}
			}

			levels.push(level);
			continue;
		}

		if (keyword === '.elif' || keyword === '.else') {
			if (top === undefined || top.sawElse) {
				continue;
			}

			top.sawElse = keyword === '.else';
			const place = {file, line: lineNumber, text: directive};
			if (top.parent.state === 'no') {
				top.current = top.parent;
			} else if (top.taken.state === 'yes') {
				top.current = {state: 'no', because: {...place, outcome: 'earlier-branch'}};
			} else {
				const decided: Activity = keyword === '.else' ? active : decide(words.slice(1), facts, seen, place, parsed.unknownVariables);
				if (decided.state === 'maybe') {
					remember(decided.because);
				}

				if (top.taken.state === 'no' || decided.state === 'no') {
					top.current = decided;
				} else {
					top.current = decided.state === 'maybe' ? decided : top.taken;
				}

				top.taken = decided.state === 'yes' ? active : top.taken.state === 'maybe' ? top.taken : decided;
			}

			continue;
		}

		if (keyword === '.endif') {
			levels.pop();
			continue;
		}

		if (keyword.startsWith('.')) {
			continue;
		}

		const kind = proxyKinds[keyword] ?? (otherSections.has(keyword) ? 'other' : undefined);
		if (here.state === 'no') {
			if (kind !== undefined) {
				shadow = {kind, name: words[1] ?? null};
			}

			result.dropped.push({keyword, args: words.slice(1), file, line: lineNumber, section: shadow, because: here.because});
			continue;
		}

		let uncertain: Uncertainty | undefined = here.state === 'maybe' ? here.because : undefined;
		if (parsed.unknownVariables.length > 0) {
			uncertain ??= {file, line: lineNumber, text: directive, why: `HAProxy sets ${parsed.unknownVariables.join(', ')} itself, so the value is not known here`};
			remember(uncertain);
		}

		if (kind !== undefined) {
			current = {kind, ...sectionNaming(kind, words.slice(1)), line: lineNumber, file, statements: [], ...(uncertain ? {uncertain} : {})};
			shadow = {kind, name: current.name};
			result.sections.push(current);
			continue;
		}

		uncertain ??= current?.uncertain;
		if (current?.kind === 'global' && uncertain === undefined && optionKeywords[keyword] !== undefined) {
			seen.before.set(keyword, words[1] ?? '');
		}

		current?.statements.push({keyword, args: words.slice(1), line: lineNumber, file, ...(uncertain ? {uncertain} : {})});
	}
}

/**
 * The name and `from` of a section line as cfg_parse_listen() reads them: `defaults NAME from X`,
 * `defaults from X` (no name), `frontend NAME from X`.
 */
function sectionNaming(kind: SectionKind, args: readonly string[]): {name: string | null; from: string | null} {
	if (kind === 'defaults' && args[0] === 'from' && args[1] !== undefined && args[2] === undefined) {
		return {name: null, from: args[1]};
	}

	const proxy = kind === 'defaults' || kind === 'frontend' || kind === 'backend' || kind === 'listen';
	return {name: args[0] || null, from: proxy && args[1] === 'from' ? (args[2] ?? null) : null};
}

function decide(
	words: readonly string[],
	facts: ConditionFacts,
	seen: {before: ReadonlyMap<string, string>; anywhere: ReadonlySet<string>},
	place: {file: string; line: number; text: string},
	unknownVariables: readonly string[],
): Activity {
	if (unknownVariables.length > 0) {
		return {state: 'maybe', because: {...place, why: `HAProxy sets ${unknownVariables.join(', ')} itself, so its value is not known here`}};
	}

	const value = evaluateCondition(words, facts, seen);
	if ('value' in value) {
		return value.value ? active : {state: 'no', because: {...place, outcome: 'false'}};
	}

	return {state: 'maybe', because: {...place, why: value.unknown}};
}

function combine(parent: Activity, current: Activity): Activity {
	if (parent.state === 'no') {
		return parent;
	}

	if (current.state === 'no') {
		return current;
	}

	return current.state === 'maybe' ? current : parent;
}

/** Splits one line into words as HAProxy does, with no environment (see {@link parseLine}). */
export function tokenize(line: string, environment?: ConfigEnvironment): string[] {
	return parseLine(line, environment).words;
}

/** The statements of a section with `keyword`, optionally followed by `second` (`stats socket`). */
export function statementsOf(section: Section, keyword: string, second?: string): Statement[] {
	return section.statements.filter((statement) => statement.keyword === keyword && (second === undefined || statement.args[0] === second));
}
