/**
 * The environment a configuration is read with: HAProxy's (from /proc) or drainboard's own.
 * `known` is false for a name whose value at parse time drainboard cannot know (HAProxy sets
 * some `HAPROXY_*` variables itself).
 */
export type ConfigEnvironment = {
	get(name: string): string | undefined;
	known(name: string): boolean;
};

/** Where a line is, for `${.LINE}`, `${.FILE}` and `${.SECTION}`. */
type LinePlace = {file: string; line: number; section: string | null};

/** One line split into words as HAProxy does, and what could not be known about it. */
type ParsedLine = {
	words: string[];
	/** Variables the line uses whose value drainboard cannot know. */
	unknownVariables: string[];
	/** Whether an environment variable was looked up at all. */
	usedEnvironment: boolean;
	/** HAProxy would refuse the line (unmatched quote or brace, bad variable name, bad `\x`). */
	error: string | null;
};

/** An environment that knows every name and has none set. */
export const emptyEnvironment: ConfigEnvironment = {get: () => undefined, known: () => true};

const isSpace = (char: string | undefined) => char === ' ' || char === '\t' || char === '\v' || char === '\f';
const isValueSpace = (char: string | undefined) => isSpace(char) || char === '\n' || char === '\r';
const isAlpha = (char: string | undefined) => char !== undefined && /^[A-Za-z]$/.test(char);
const isAlnum = (char: string | undefined) => char !== undefined && /^[A-Za-z0-9]$/.test(char);
const isHex = (char: string | undefined) => char !== undefined && /^[0-9A-Fa-f]$/.test(char);

/**
 * Splits one configuration line the way parse_line() in HAProxy's src/tools.c does with the
 * options the config parser passes (environment, double and single quotes, backslash, `#`
 * comments, `[*]` word expansion): `#` starts a comment outside quotes, `\` escapes outside
 * single quotes, and `$VAR`, `${VAR}`, `${VAR-default}`, `${VAR[*]}` are expanded inside double
 * quotes only.
 */
export function parseLine(line: string, environment: ConfigEnvironment = emptyEnvironment, place?: LinePlace): ParsedLine {
	const words: string[] = [];
	const unknownVariables: string[] = [];
	let usedEnvironment = false;
	let word = '';
	let squote = false;
	let dquote = false;
	let inArg = false;
	let prevInArg = false;
	let emptyQuote = false;
	let index = 0;
	const fail = (error: string): ParsedLine => ({words, unknownVariables, usedEnvironment, error});
	const transition = () => {
		if (prevInArg && !inArg) {
			words.push(word);
			word = '';
		}
	};

	for (;;) {
		prevInArg = inArg;
		const char = line[index];
		if (char === undefined || char === '\0' || char === '\n' || char === '\r') {
			break;
		}

		if (char >= '-' && char !== '\\') {
			inArg = true;
			word += char;
			index++;
		} else if (char === '#' && !squote && !dquote) {
			break;
		} else if (char === '"' && !squote) {
			if (dquote) {
				inArg ||= emptyQuote;
				dquote = false;
			} else {
				dquote = true;
				emptyQuote = true;
			}

			index++;
		} else if (char === "'" && !dquote) {
			if (squote) {
				inArg ||= emptyQuote;
				squote = false;
			} else {
				squote = true;
				emptyQuote = true;
			}

			index++;
		} else if (char === '\\' && !squote) {
			inArg = true;
			const next = line[index + 1];
			let send = char;
			if (next === ' ' || next === '\\' || next === '#' || next === "'" || next === '"') {
				send = next;
				index++;
			} else if (next === 't' || next === 'n' || next === 'r') {
				send = next === 't' ? '\t' : next === 'n' ? '\n' : '\r';
				index++;
			} else if (next === '$' && dquote) {
				send = '$';
				index++;
			} else if (next === 'x') {
				if (!isHex(line[index + 2]) || !isHex(line[index + 3])) {
					return fail('a truncated or invalid \\x sequence');
				}

				send = String.fromCharCode(Number.parseInt(line.slice(index + 2, index + 4), 16));
				index += 3;
			}

			index++;
			word += send;
		} else if (isSpace(char) && !squote && !dquote) {
			inArg = false;
			while (isSpace(line[index])) {
				index++;
			}
		} else if (char === '$' && dquote) {
			index++;
			const brace = line[index] === '{';
			if (brace) {
				index++;
			}

			if (!isAlpha(line[index]) && line[index] !== '_' && line[index] !== '.') {
				return fail('a forbidden first character in an environment variable name');
			}

			const start = index;
			if (line[index] === '.') {
				index++;
			}

			while (isAlnum(line[index]) || line[index] === '_') {
				index++;
			}

			const name = line.slice(start, index);
			let value: string | undefined;
			let unknown = false;
			if (name.startsWith('.')) {
				if (name === '.LINE' || name === '.FILE' || name === '.SECTION') {
					value = name === '.LINE' ? String(place?.line ?? 0) : name === '.FILE' ? (place?.file ?? '') : (place?.section ?? undefined);
				} else {
					return fail(`an unknown internal variable ${name}`);
				}
			} else {
				usedEnvironment = true;
				unknown = !environment.known(name);
				value = unknown ? undefined : environment.get(name);
			}

			let wordExpand = false;
			if (line[index] === '[' && brace) {
				if (line[index + 1] !== '*' || line[index + 2] !== ']') {
					return fail('a truncated or invalid word expansion');
				}

				wordExpand = true;
				index += 3;
			}

			if (brace) {
				if (line[index] === '-') {
					const end = line.indexOf('}', index);
					if (end === -1) {
						return fail('an unmatched brace in an environment variable name');
					}

					if (value === undefined && !unknown) {
						value = line.slice(index + 1, end);
					}

					index = end;
				} else if (line[index] !== '}') {
					return fail('an unmatched brace in an environment variable name');
				}

				index++;
			}

			if (wordExpand) {
				emptyQuote = false;
			}

			if (unknown) {
				unknownVariables.push(name);
				inArg ||= !wordExpand;
			} else if (value === undefined) {
				inArg ||= !wordExpand;
			} else {
				let at = 0;
				while (at < value.length) {
					if (wordExpand && isValueSpace(value[at])) {
						inArg = false;
						while (isValueSpace(value[at + 1])) {
							at++;
						}

						at++;
					} else {
						inArg = true;
						word += value[at];
						at++;
					}

					transition();
					prevInArg = inArg;
				}
			}
		} else {
			inArg = true;
			word += char;
			index++;
		}

		transition();
	}

	if (inArg) {
		words.push(word);
	}

	if (squote || dquote) {
		return fail('an unmatched quote');
	}

	return {words, unknownVariables, usedEnvironment, error: null};
}
