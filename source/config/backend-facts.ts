import {statementsOf, type Section, type Uncertainty} from './parse-config.js';
import {backendSection, defaultsChain, inheritedStatements, sectionMode} from './section-mode.js';

/** What the configuration says about one backend that matters for a safe drain. */
export type BackendFacts = {
	name: string;
	/** From {@link sectionMode}; `log` and `spop` backends count as tcp (their traffic is sessions, not HTTP requests). */
	mode: 'http' | 'tcp';
	/**
	 * The `balance` line (own or inherited), e.g. `roundrobin`, `source`, `hdr(host)`; null without
	 * one, when HAProxy's default applies (roundrobin up to 3.2, random from 3.3).
	 */
	balance: string | null;
	/** Persistence that keeps users on a drained server: cookie, stick rules, use-server. */
	persistence: string[];
	/**
	 * The server-state file this backend loads (`server-state-file`, or with `load-server-state-from-file
	 * local` its `server-state-file-name`), resolved against `server-state-base`; else the global one.
	 */
	serverStateFile: string | null;
	loadsServerState: boolean;
	/** Lines about these facts under a `.if` drainboard could not evaluate: left out above, told to the operator. */
	uncertain: Uncertainty[];
};

const relevant = new Set(['mode', 'balance', 'cookie', 'load-server-state-from-file', 'stick', 'use-server', 'server-state-file', 'server-state-base', 'server-state-file-name']);

/** `stick on|match|store-request|store-response` keep a client on its server; a stick-table used only to count (rate limits) does not. */
const stickRules = new Set(['on', 'match', 'store-request', 'store-response']);

/** Facts of `backend` (a `backend` or `listen` section), with what it inherits from its defaults. */
export function backendFacts(sections: readonly Section[], backend: string): BackendFacts | undefined {
	const section = backendSection(sections, backend);
	if (!section) {
		return undefined;
	}

	const globals = sections.filter((candidate) => candidate.kind === 'global' && !candidate.uncertain);
	const uncertain: Uncertainty[] = [];
	for (const statement of [...defaultsChain(sections, section), section, ...globals].flatMap((candidate) => candidate.statements)) {
		if (statement.uncertain && relevant.has(statement.keyword) && !uncertain.includes(statement.uncertain)) {
			uncertain.push(statement.uncertain);
		}
	}

	const own = section.statements.filter((statement) => !statement.uncertain);
	const last = (keyword: string) => inheritedStatements(sections, section, keyword).at(-1);
	const cookie = last('cookie');
	const persistence = [
		...(cookie ? [`cookie ${cookie.args.join(' ')}`] : []),
		...own.filter((statement) => statement.keyword === 'stick' && stickRules.has(statement.args[0] ?? '')).map((statement) => `stick ${statement.args.join(' ')}`),
		...own.filter((statement) => statement.keyword === 'use-server').map((statement) => `use-server ${statement.args.join(' ')}`),
	];
	const globalSetting = (keyword: string) => globals.flatMap((global) => statementsOf(global, keyword)).filter((statement) => !statement.uncertain).at(-1)?.args[0];
	const base = globalSetting('server-state-base');
	const globalFile = globalSetting('server-state-file');
	const load = last('load-server-state-from-file')?.args[0];
	const localName = own.filter((statement) => statement.keyword === 'server-state-file-name').at(-1)?.args[0];
	const localFile = localName === undefined || localName === 'use-backend-name' ? backend : localName;
	const mode = sectionMode(sections, section).mode;
	return {
		name: backend,
		mode: mode === 'http' ? 'http' : 'tcp',
		balance: last('balance')?.args.join(' ') ?? null,
		persistence,
		serverStateFile: load === 'local' ? stateFilePath(localFile, base) : globalFile === undefined ? null : stateFilePath(globalFile, base),
		loadsServerState: load === 'local' || (load === 'global' && globalFile !== undefined),
		uncertain,
	};
}

/** srv_state_get_filepath(): a name not starting with `/` is joined to `server-state-base` when one is set. */
export function stateFilePath(file: string, base: string | undefined): string {
	if (file.startsWith('/') || base === undefined || base === '') {
		return file;
	}

	return `${base}${base.endsWith('/') ? '' : '/'}${file}`;
}

/** Balancing where the server is picked from a hash of the request: one client may never reach a given server. */
/**
 * The persistence rule that keeps one client address on one server (`stick on src`, `stick
 * match src`, with converters such as `src,ipmask(24)`), or null. Every request of a probe comes
 * from one address: such a rule holds all of it on whichever server it first reached.
 */
export function sourcePersistence(persistence: readonly string[]): string | null {
	return persistence.find((rule) => /^stick (?:on|match) src(?:[,\s]|$)/.test(rule)) ?? null;
}

export function isHashBalancing(algorithm: string): boolean {
	return /^(?:source|uri|url_param|hdr|rdp-cookie|hash)\b/.test(algorithm);
}

/** `balance first`: every request to the first server (by id) with a free connection slot; a later one gets traffic only when those before it are full. */
export function isFirstBalancing(algorithm: string): boolean {
	return /^first\b/.test(algorithm);
}
