import {statementsOf, type Section, type Statement, type Uncertainty} from './parse-config.js';

/** What the configuration says about one backend that matters for a safe drain. */
export type BackendFacts = {
	name: string;
	mode: 'http' | 'tcp';
	/** The `balance` line (own or inherited), e.g. `roundrobin`, `source`, `hdr(host)`. */
	balance: string;
	/** Persistence that keeps users on a drained server: cookie, stick tables, use-server. */
	persistence: string[];
	/** `server-state-file` of the global section, and whether this backend loads it. */
	serverStateFile: string | null;
	loadsServerState: boolean;
	/** Lines about these facts under a `.if` drainboard could not evaluate: left out above, told to the operator. */
	uncertain: Uncertainty[];
};

const inherited = new Set(['mode', 'balance', 'cookie', 'load-server-state-from-file']);
const relevant = new Set([...inherited, 'stick', 'stick-table', 'use-server', 'server-state-file']);

/** Facts of `backend` (a `backend` or `listen` section), with what it inherits from `defaults`. */
export function backendFacts(sections: readonly Section[], backend: string): BackendFacts | undefined {
	let defaults: Statement[] = [];
	let found: {section: Section; defaults: Statement[]} | undefined;
	const uncertain: Uncertainty[] = [];
	const certain = (statements: readonly Statement[]) => {
		for (const statement of statements) {
			if (statement.uncertain && relevant.has(statement.keyword) && !uncertain.includes(statement.uncertain)) {
				uncertain.push(statement.uncertain);
			}
		}

		return statements.filter((statement) => !statement.uncertain);
	};

	for (const section of sections) {
		if (section.kind === 'defaults') {
			defaults = certain(section.statements).filter((statement) => inherited.has(statement.keyword));
		} else if ((section.kind === 'backend' || section.kind === 'listen') && section.name === backend && !section.uncertain) {
			found = {section, defaults: [...defaults]};
		}
	}

	if (!found) {
		return undefined;
	}

	const own = certain(found.section.statements);
	const last = (keyword: string) => [...found.defaults, ...own].filter((statement) => statement.keyword === keyword).at(-1);
	const persistence = [
		...[last('cookie')].filter((statement) => statement !== undefined).map((statement) => `cookie ${statement.args.join(' ')}`),
		...own.filter((statement) => statement.keyword === 'stick' || statement.keyword === 'stick-table').map((statement) => `${statement.keyword} ${statement.args.join(' ')}`),
		...own.filter((statement) => statement.keyword === 'use-server').map((statement) => `use-server ${statement.args.join(' ')}`),
	];
	const globals = sections.filter((section) => section.kind === 'global' && !section.uncertain);
	const stateFile = certain(globals.flatMap((global) => statementsOf(global, 'server-state-file'))).at(-1)?.args[0] ?? null;
	const load = last('load-server-state-from-file')?.args[0];
	return {
		name: backend,
		mode: last('mode')?.args[0] === 'tcp' ? 'tcp' : 'http',
		balance: last('balance')?.args.join(' ') ?? 'roundrobin',
		persistence,
		serverStateFile: stateFile,
		loadsServerState: stateFile !== null && (load === 'global' || load === 'local'),
		uncertain,
	};
}

/** Balancing where the server is picked from a hash of the request: one client may never reach a given server. */
export function isHashBalancing(algorithm: string): boolean {
	return /^(?:source|uri|url_param|hdr|rdp-cookie|hash)\b/.test(algorithm);
}
