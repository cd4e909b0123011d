import {statementsOf, type Section, type Statement} from './parse-config.js';

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
};

const inherited = new Set(['mode', 'balance', 'cookie', 'load-server-state-from-file']);

/** Facts of `backend` (a `backend` or `listen` section), with what it inherits from `defaults`. */
export function backendFacts(sections: readonly Section[], backend: string): BackendFacts | undefined {
	let defaults: Statement[] = [];
	let found: {section: Section; defaults: Statement[]} | undefined;
	for (const section of sections) {
		if (section.kind === 'defaults') {
			defaults = section.statements.filter((statement) => inherited.has(statement.keyword));
		} else if ((section.kind === 'backend' || section.kind === 'listen') && section.name === backend) {
			found = {section, defaults};
		}
	}

	if (!found) {
		return undefined;
	}

	const own = found.section.statements;
	const last = (keyword: string) => [...found.defaults, ...own].filter((statement) => statement.keyword === keyword).at(-1);
	const persistence = [
		...[last('cookie')].filter((statement) => statement !== undefined).map((statement) => `cookie ${statement.args.join(' ')}`),
		...own.filter((statement) => statement.keyword === 'stick' || statement.keyword === 'stick-table').map((statement) => `${statement.keyword} ${statement.args.join(' ')}`),
		...own.filter((statement) => statement.keyword === 'use-server').map((statement) => `use-server ${statement.args.join(' ')}`),
	];
	const global = sections.find((section) => section.kind === 'global');
	const stateFile = global ? (statementsOf(global, 'server-state-file')[0]?.args[0] ?? null) : null;
	const load = last('load-server-state-from-file')?.args[0];
	return {
		name: backend,
		mode: last('mode')?.args[0] === 'tcp' ? 'tcp' : 'http',
		balance: last('balance')?.args.join(' ') ?? 'roundrobin',
		persistence,
		serverStateFile: stateFile,
		loadsServerState: stateFile !== null && (load === 'global' || load === 'local'),
	};
}

/** Balancing where the server is picked from a hash of the request: one client may never reach a given server. */
export function isHashBalancing(algorithm: string): boolean {
	return /^(?:source|uri|url_param|hdr|rdp-cookie|hash)\b/.test(algorithm);
}
