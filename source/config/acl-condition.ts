/** One term of a condition: a named ACL or an inline `{ fetch … }` expression, maybe negated with `!`. */
export type ConditionTerm = {negated: boolean} & ({acl: string} | {expression: string[]});

/**
 * A rule's `if`/`unless` condition as parse_acl_cond() reads it: suites joined by `or`/`||`, each
 * suite a list of terms that must all hold. `unless` inverts the whole.
 */
export type RuleCondition = {unless: boolean; suites: ConditionTerm[][]};

/** A rule line split into what it does and when: `use_backend shop if is_shop` → action `shop`, condition `if is_shop`. */
type SplitRule = {action: string[]; condition: RuleCondition | null; error: string | null};

/**
 * Splits a rule's words at its first `if`/`unless` and reads the condition: `!` prefixes (any
 * number, alone or attached), `or`/`||`, `{ … }` inline expressions.
 */
export function splitRule(words: readonly string[]): SplitRule {
	const at = words.findIndex((word) => word === 'if' || word === 'unless');
	if (at === -1) {
		return {action: [...words], condition: null, error: null};
	}

	const suites: ConditionTerm[][] = [];
	let suite: ConditionTerm[] | null = null;
	let negated = false;
	const rest = words.slice(at + 1);
	for (let index = 0; index < rest.length; index++) {
		let word = rest[index]!;
		while (word.startsWith('!')) {
			negated = !negated;
			word = word.slice(1);
		}

		if (word === '') {
			continue;
		}

		if (word.toLowerCase() === 'or' || word === '||') {
			suite = null;
			negated = false;
			continue;
		}

		let term: ConditionTerm;
		if (word === '{') {
			const end = rest.indexOf('}', index + 1);
			if (end === -1) {
				return {action: words.slice(0, at), condition: null, error: `missing closing '}' in condition`};
			}

			term = {negated, expression: rest.slice(index + 1, end)};
			index = end;
		} else {
			term = {negated, acl: word};
		}

		if (suite === null) {
			suite = [];
			suites.push(suite);
		}

		suite.push(term);
		negated = false;
	}

	return {action: words.slice(0, at), condition: {unless: words[at] === 'unless', suites}, error: null};
}
