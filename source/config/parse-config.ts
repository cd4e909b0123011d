/** A section keyword of haproxy.cfg that holds proxies or global settings. */
export type SectionKind = 'global' | 'defaults' | 'frontend' | 'backend' | 'listen' | 'other';

/** One configuration statement: its keyword, its arguments and where it was written. */
export type Statement = {keyword: string; args: string[]; line: number};

/** A section of haproxy.cfg (`global`, `defaults [name]`, `frontend web`, …). */
export type Section = {kind: SectionKind; name: string | null; line: number; statements: Statement[]};

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
	'crt-store',
	'traces',
	'fcgi-app',
	'dynamic-update',
]);

/**
 * Reads haproxy.cfg into sections and statements: comments removed, quotes and backslash
 * escapes resolved as HAProxy does. Conditional blocks (`.if`) are not evaluated; their
 * directives are skipped and both branches are read.
 */
export function parseConfig(text: string): Section[] {
	const sections: Section[] = [];
	let current: Section | undefined;
	const lines = text.split(/\r?\n/);
	for (const [index, raw] of lines.entries()) {
		const words = tokenize(raw);
		const keyword = words[0];
		if (keyword === undefined || keyword.startsWith('.')) {
			continue;
		}

		const kind = proxyKinds[keyword] ?? (otherSections.has(keyword) ? 'other' : undefined);
		if (kind !== undefined) {
			current = {kind, name: words[1] ?? null, line: index + 1, statements: []};
			sections.push(current);
			continue;
		}

		current?.statements.push({keyword, args: words.slice(1), line: index + 1});
	}

	return sections;
}

/** Splits one line into words: `#` starts a comment outside quotes, `\` escapes, quotes group. */
export function tokenize(line: string): string[] {
	const words: string[] = [];
	let word = '';
	let inWord = false;
	let quote: '"' | "'" | undefined;
	for (let index = 0; index < line.length; index++) {
		const char = line[index]!;
		if (quote) {
			if (char === quote) {
				quote = undefined;
			} else if (char === '\\' && quote === '"' && index + 1 < line.length) {
				word += line[++index];
			} else {
				word += char;
			}

			continue;
		}

		if (char === '\\' && index + 1 < line.length) {
			word += line[++index];
			inWord = true;
			continue;
		}

		if (char === '"' || char === "'") {
			quote = char;
			inWord = true;
			continue;
		}

		if (char === '#') {
			break;
		}

		if (char === ' ' || char === '\t') {
			if (inWord) {
				words.push(word);
				word = '';
				inWord = false;
			}

			continue;
		}

		word += char;
		inWord = true;
	}

	if (inWord) {
		words.push(word);
	}

	return words;
}

/** The statements of a section with `keyword`, optionally followed by `second` (`stats socket`). */
export function statementsOf(section: Section, keyword: string, second?: string): Statement[] {
	return section.statements.filter((statement) => statement.keyword === keyword && (second === undefined || statement.args[0] === second));
}
