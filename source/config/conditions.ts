import type {ConfigEnvironment} from './config-line.js';
import type {KeywordsSeen} from './enabled-options.js';
import {compareVersion, cStrtol, versionAtLeast} from './haproxy-version.js';

/** What a `.if` condition is evaluated against: the running HAProxy's facts, or what stands in for them. */
export type ConditionFacts = {
	environment: ConfigEnvironment;
	/** HAProxy's version as `show info` (or `haproxy -v`) prints it; null when unknown. */
	version: string | null;
	/** The `Feature list` of `haproxy -vv` of the same version; null when unknown. */
	features: string | null;
	/** Why `features` is null, for the operator. */
	featuresMissing?: string;
	/** `enabled(<name>)` given the global keywords read so far: true, false, or why it cannot be known. */
	enabled(name: string, seen: KeywordsSeen): boolean | {unknown: string};
};

/** A condition's value, or why drainboard cannot know it. */
type ConditionValue = {value: boolean} | {unknown: string};

type Term =
	| {kind: 'number'; value: number; negate: boolean}
	| {kind: 'group'; expression: Expression; negate: boolean}
	| {kind: 'predicate'; name: string; args: string[]; negate: boolean};
/** `a && b && c`. */
type Conjunction = Term[];
/** `x || y`, each a conjunction. */
type Expression = Conjunction[];

const predicates: Record<string, {args: number; since: string}> = {
	defined: {args: 1, since: '2.4'},
	feature: {args: 1, since: '2.4'},
	streq: {args: 2, since: '2.4'},
	strneq: {args: 2, since: '2.4'},
	version_atleast: {args: 1, since: '2.4'},
	version_before: {args: 1, since: '2.4'},
	openssl_version_atleast: {args: 1, since: '2.5'},
	openssl_version_before: {args: 1, since: '2.5'},
	ssllib_name_startswith: {args: 1, since: '2.5'},
	strstr: {args: 2, since: '2.8'},
	enabled: {args: 1, since: '2.8'},
	awslc_api_atleast: {args: 1, since: '3.3'},
	awslc_api_before: {args: 1, since: '3.3'},
	fips_mode: {args: 0, since: '3.5'},
};

const maxDepth = 1024;

type Ask = {facts: ConditionFacts; seen: KeywordsSeen};

const nothingSeen: KeywordsSeen = {before: new Map(), anywhere: new Set()};

class Unparsable extends Error {}

/**
 * Evaluates the text after `.if`/`.elif` (its words joined by single spaces, as HAProxy
 * re-merges them) the way cfgcond.c does: numbers (`strtol` base 0), predicates with
 * make_arg_list() arguments, `!` negation, parentheses, `&&` and `||` from HAProxy 2.5; only
 * the first word, a number or a predicate, before that. A predicate drainboard cannot answer
 * makes the value unknown (with the reason), so does a condition HAProxy could not parse.
 */
export function evaluateCondition(words: readonly string[], facts: ConditionFacts, seen: KeywordsSeen = nothingSeen): ConditionValue {
	const ask = {facts, seen};
	const legacy = !versionAtLeast(facts.version, '2.5');
	const text = legacy ? (words[0] ?? '') : words.join(' ');
	if (text === '') {
		return {value: false};
	}

	try {
		if (legacy) {
			const number = cStrtol(text, 0, 0);
			if (number.end === text.length) {
				return {value: number.value !== 0};
			}

			const parsed = parsePredicate(text, 0, facts.version);
			return evaluateTerm(parsed.term, ask);
		}

		const parsed = parseExpression(text, 0, maxDepth, facts.version);
		const rest = skipBlanks(text, parsed.end);
		if (rest < text.length) {
			throw new Unparsable(`unexpected character '${text[rest]}' at the end`);
		}

		return evaluateExpression(parsed.expression, ask);
	} catch (error) {
		if (error instanceof Unparsable) {
			return {unknown: `HAProxy${facts.version ? ` ${facts.version}` : ''} cannot parse it (${error.message})`};
		}

		throw error;
	}
}

function skipBlanks(text: string, at: number): number {
	let index = at;
	while (text[index] === ' ' || text[index] === '\t') {
		index++;
	}

	return index;
}

function parseExpression(text: string, at: number, depth: number, version: string | null): {expression: Expression; end: number} {
	if (depth <= 0) {
		throw new Unparsable('too deeply nested');
	}

	const expression: Expression = [];
	let index = at;
	for (;;) {
		const conjunction = parseConjunction(text, index, depth - 1, version);
		expression.push(conjunction.terms);
		index = skipBlanks(text, conjunction.end);
		if (text.startsWith('||', index)) {
			index = skipBlanks(text, index + 2);
			continue;
		}

		return {expression, end: index};
	}
}

function parseConjunction(text: string, at: number, depth: number, version: string | null): {terms: Term[]; end: number} {
	if (at >= text.length) {
		throw new Unparsable('an empty sub-expression');
	}

	const terms: Term[] = [];
	let index = at;
	for (;;) {
		const term = parseTerm(text, index, depth - 1, version);
		terms.push(term.term);
		index = skipBlanks(text, term.end);
		if (text.startsWith('&&', index)) {
			index = skipBlanks(text, index + 2);
			continue;
		}

		return {terms, end: index};
	}
}

function parseTerm(text: string, at: number, depth: number, version: string | null): {term: Term; end: number} {
	let index = skipBlanks(text, at);
	if (index >= text.length || depth <= 0) {
		throw new Unparsable(index >= text.length ? 'a missing term' : 'too deeply nested');
	}

	let negate = false;
	while (text[index] === '!') {
		negate = !negate;
		index = skipBlanks(text, index + 1);
	}

	const number = cStrtol(text, index, 0);
	if (number.end !== index) {
		return {term: {kind: 'number', value: number.value, negate}, end: number.end};
	}

	if (text[index] === '(') {
		const inner = parseExpression(text, skipBlanks(text, index + 1), depth - 1, version);
		const close = skipBlanks(text, inner.end);
		if (text[close] !== ')') {
			throw new Unparsable("a missing ')'");
		}

		return {term: {kind: 'group', expression: inner.expression, negate}, end: skipBlanks(text, close + 1)};
	}

	const parsed = parsePredicate(text, index, version);
	return {term: {...parsed.term, negate}, end: parsed.end};
}

function parsePredicate(text: string, at: number, version: string | null): {term: Term & {kind: 'predicate'}; end: number} {
	const nameEnd = /[ (]/.exec(text.slice(at))?.index;
	const name = text.slice(at, nameEnd === undefined ? text.length : at + nameEnd);
	const predicate = predicates[name];
	if (!predicate || !versionAtLeast(version, predicate.since)) {
		throw new Unparsable(`'${name}' is not a predicate${predicate ? ` before HAProxy ${predicate.since}` : ''}`);
	}

	const {args, end} = readArguments(text, at + name.length, predicate.args, name);
	return {term: {kind: 'predicate', name, args, negate: false}, end};
}

/** make_arg_list() for string arguments: `(a,b)`, quotes and `\` escapes, no trimming; no `(` is one empty argument. */
function readArguments(text: string, at: number, count: number, name: string): {args: string[]; end: number} {
	let index = at;
	const args: string[] = [];
	const empty = text[index] !== '(';
	if (!empty) {
		index++;
	}

	if (count > 0 && empty) {
		args.push('');
	} else if (count > 0) {
		while (args.length < count) {
			let value = '';
			let squote = false;
			let dquote = false;
			while (index < text.length) {
				const char = text[index]!;
				if (char === '"' && !squote) {
					dquote = !dquote;
					index++;
				} else if (char === "'" && !dquote) {
					squote = !squote;
					index++;
				} else if (char === '\\' && !squote) {
					const next = text[index + 1];
					if (next === undefined) {
						throw new Unparsable(`a lone '\\' in ${name}()`);
					}

					const escaped: Record<string, string> = {'\\': '\\', ' ': ' ', '"': '"', "'": "'", r: '\r', n: '\n', t: '\t'};
					if (escaped[next] === undefined) {
						value += char;
					} else {
						value += escaped[next];
						index++;
					}

					index++;
				} else if (!squote && !dquote && (char === ',' || char === ')')) {
					break;
				} else {
					value += char;
					index++;
				}
			}

			args.push(value);
			if (index >= text.length || text[index] === ')' || args.length >= count) {
				break;
			}

			index++;
		}
	}

	if (args.length < count) {
		throw new Unparsable(`${name}() needs ${count} argument(s)`);
	}

	if (!empty) {
		if (text[index] !== ')') {
			throw new Unparsable(`a missing ')' after ${name}()`);
		}

		index++;
	}

	return {args, end: index};
}

function evaluateExpression(expression: Expression, facts: Ask): ConditionValue {
	const unknown: string[] = [];
	for (const conjunction of expression) {
		const value = evaluateConjunction(conjunction, facts);
		if ('value' in value) {
			if (value.value) {
				return value;
			}
		} else {
			unknown.push(value.unknown);
		}
	}

	return unknown.length > 0 ? {unknown: unknown.join('; ')} : {value: false};
}

function evaluateConjunction(terms: Conjunction, facts: Ask): ConditionValue {
	const unknown: string[] = [];
	for (const term of terms) {
		const value = evaluateTerm(term, facts);
		if ('value' in value) {
			if (!value.value) {
				return value;
			}
		} else {
			unknown.push(value.unknown);
		}
	}

	return unknown.length > 0 ? {unknown: unknown.join('; ')} : {value: true};
}

function evaluateTerm(term: Term, facts: Ask): ConditionValue {
	const value = term.kind === 'number' ? {value: term.value !== 0} : term.kind === 'group' ? evaluateExpression(term.expression, facts) : evaluatePredicate(term.name, term.args, facts);
	return 'value' in value && term.negate ? {value: !value.value} : value;
}

function evaluatePredicate(name: string, args: readonly string[], {facts, seen}: Ask): ConditionValue {
	const [first = '', second = ''] = args;
	switch (name) {
		case 'defined': {
			return facts.environment.known(first) ? {value: facts.environment.get(first) !== undefined} : {unknown: `HAProxy sets ${first} itself, so its value is not known here`};
		}

		case 'feature': {
			return facts.features === null ? {unknown: facts.featuresMissing ?? 'the features HAProxy was built with are not known'} : {value: hasFeature(facts.features, first)};
		}

		case 'streq': {
			return {value: first === second};
		}

		case 'strneq': {
			return {value: first !== second};
		}

		case 'strstr': {
			return {value: first.includes(second)};
		}

		case 'version_atleast':
		case 'version_before': {
			if (facts.version === null) {
				return {unknown: 'the version of the running HAProxy is not known'};
			}

			const comparison = compareVersion(facts.version, first);
			return {value: name === 'version_atleast' ? comparison <= 0 : comparison > 0};
		}

		case 'enabled': {
			const enabled = facts.enabled(first, seen);
			return typeof enabled === 'boolean' ? {value: enabled} : enabled;
		}

		default: {
			return {unknown: `${name}() depends on the SSL library HAProxy runs with, which drainboard does not read`};
		}
	}
}

/** The `feature()` test of cfgcond.c: `name` found in the feature list preceded by `+` (true) or `-` (false). */
export function hasFeature(features: string, name: string): boolean {
	let from = 0;
	while (from < features.length) {
		const at = features.indexOf(name, from);
		if (at === -1) {
			return false;
		}

		const after = features[at + name.length];
		if (at > 0 && (after === ' ' || after === undefined)) {
			if (features[at - 1] === '+') {
				return true;
			}

			if (features[at - 1] === '-') {
				return false;
			}
		}

		from = at + 1;
	}

	return false;
}
