import type {Section, Statement} from './parse-config.js';

/** The modes a proxy can be in (`haterm`, a frontend-only HTTP mode, counts as `http`). */
export type ProxyMode = 'http' | 'tcp' | 'log' | 'spop';

/** A section's mode and the line that decided it (null: no `mode` line anywhere, HAProxy's default). */
type ModeDecision = {mode: ProxyMode; line: Statement | null; inheritedFrom: Section | null};

const modes: Record<string, ProxyMode> = {http: 'http', tcp: 'tcp', log: 'log', spop: 'spop', haterm: 'http'};

/**
 * The `defaults` sections a proxy takes its settings from, outermost first, as cfg_parse_listen()
 * picks them: `from NAME` names the last `defaults NAME` before it; without `from`, a frontend,
 * backend or listen takes the last `defaults` before it (named or not), and a `defaults` section
 * starts afresh. A `defaults … from X` carries X's settings (and X's own chain) forward.
 * Sections under a `.if` drainboard could not evaluate are not relied on.
 */
export function defaultsChain(sections: readonly Section[], section: Section): Section[] {
	const chain: Section[] = [];
	let current: Section | null = section;
	for (let depth = 0; current && depth < sections.length; depth++) {
		current = parentDefaults(sections, current);
		if (current) {
			chain.unshift(current);
		}
	}

	return chain;
}

function parentDefaults(sections: readonly Section[], section: Section): Section | null {
	const before = sections.slice(0, sections.indexOf(section)).filter((candidate) => candidate.kind === 'defaults' && !candidate.uncertain);
	if (section.from !== null) {
		return before.filter((candidate) => candidate.name === section.from).at(-1) ?? null;
	}

	return section.kind === 'defaults' ? null : (before.at(-1) ?? null);
}

/**
 * The statements with `keyword` that apply to `section`, from its defaults chain then its own,
 * in that order (the last one wins for a setting). Lines under an unevaluated `.if` are left out.
 */
export function inheritedStatements(sections: readonly Section[], section: Section, keyword: string): Statement[] {
	return [...defaultsChain(sections, section), section].flatMap((candidate) => candidate.statements.filter((statement) => statement.keyword === keyword && !statement.uncertain));
}

/**
 * The one place drainboard decides a section's mode, for every reader (routes, backend facts,
 * the runbook): the section's own `mode` line, else its defaults chain's last, else `tcp`
 * (HAProxy's default when no `mode` is written anywhere).
 */
export function sectionMode(sections: readonly Section[], section: Section): ModeDecision {
	const chain = defaultsChain(sections, section);
	for (const candidate of [section, ...[...chain].reverse()]) {
		const line = candidate.statements.filter((statement) => statement.keyword === 'mode' && !statement.uncertain && modes[statement.args[0] ?? ''] !== undefined).at(-1);
		if (line) {
			return {mode: modes[line.args[0]!]!, line, inheritedFrom: candidate === section ? null : candidate};
		}
	}

	return {mode: 'tcp', line: null, inheritedFrom: null};
}

/** The `backend`/`listen` section named `name` (not one under an unevaluated `.if`). */
export function backendSection(sections: readonly Section[], name: string): Section | undefined {
	return sections.filter((section) => (section.kind === 'backend' || section.kind === 'listen') && section.name === name && !section.uncertain).at(-1);
}
