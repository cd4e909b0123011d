import {hostInterfaces, type HostInterfaces} from '../local-address.js';
import {terminalControl, visible} from '../visible-text.js';
import {splitRule, type RuleCondition} from './acl-condition.js';
import {candidateValues, evaluateCondition, termExpressions, type AclScope, type Truth} from './acl-match.js';
import {hostPort, readBind, type Bind} from './bind-address.js';
import {dynamicName, mapCandidates, mapProblem} from './dynamic-backend.js';
import {mapFiles, mapLookup, type MapFiles} from './map-files.js';
import type {Section, Statement} from './parse-config.js';
import type {ProbeRequest} from './probe-request.js';
import {backendSection, defaultsChain, inheritedStatements, sectionMode, type ProxyMode} from './section-mode.js';

/** The probe that proves traffic through the load balancer reaches a backend (the `routes --json` contract). */
type ProbeRoute = {
	/** `<scheme>://<address>:<port><path>`: http/https for mode http, tcp/tls for mode tcp. */
	url: string;
	/** The Host header to send (null: the address itself). */
	host: string | null;
	/** The TLS server name to send (null: none, or not TLS). */
	sni: string | null;
	proxyProtocol: 'v1' | 'v2' | null;
	/**
	 * Whether the address is on this host. A route's probe always is: a backend reached only
	 * through listeners elsewhere has no probe (a probe is never sent off this host).
	 */
	local: boolean;
	/** The section and rule that route the probe, as `frontend web (line 3): use_backend shop if is_shop (line 9)`. */
	from: string;
};

/** One backend (or listen section) and its probe, or why there is none. */
export type Route = {backend: string; mode: ProxyMode; probe: ProbeRoute | null; why: string | null};

/** What the operator gave (`--url`, `--host`, `--path`): the derivation keeps to it. */
type GivenProbe = {host?: string; path?: string; address?: string; port?: number};

/**
 * `maps`: how the map files of `use_backend %[…map(…)]` are read (default: from the file system,
 * relative names from the configuration file's directory; pass {@link mapFiles} with the running
 * HAProxy's working directory when it is known).
 */
type RouteOptions = {interfaces?: HostInterfaces; given?: GivenProbe; maps?: MapFiles};

type Rule = {statement: Statement; owner: Section; action: string[]; condition: RuleCondition | null; scope: AclScope; error: string | null};

type Outcome =
	| {kind: 'reaches'; via: Statement | null; detail?: string}
	| {kind: 'elsewhere'; backend: string; via: Statement | null; detail?: string}
	| {kind: 'blocked'; why: string}
	| {kind: 'unknown'; why: string};

/** A request that reaches the backend, how good a probe it makes, and its bind as written (`Frontend web binds 10.0.0.5:80 (line 4)`). */
type Found = {probe: ProbeRoute; rank: number[]; bind: string};

/** Why a section does not reach the backend, ranked (lower explains better); `final`: says what to do itself, no --url/--host advice after it. */
type Problem = {rank: number; why: string; final?: true};

/** Terminal `http-request` actions: the request never reaches a backend's server. */
const answers: Record<string, string> = {
	deny: 'refuses',
	reject: 'refuses',
	tarpit: 'refuses',
	'silent-drop': 'drops',
	auth: 'asks for credentials on',
	redirect: 'redirects',
	return: 'answers',
	'use-service': 'answers',
};

const rewrites: Record<string, (args: string[]) => string[]> = {
	'set-header': (args) => [`header:${(args[0] ?? '').toLowerCase()}`],
	'add-header': (args) => [`header:${(args[0] ?? '').toLowerCase()}`],
	'replace-header': (args) => [`header:${(args[0] ?? '').toLowerCase()}`],
	'replace-value': (args) => [`header:${(args[0] ?? '').toLowerCase()}`],
	'del-header': (args) => [`header:${(args[0] ?? '').toLowerCase()}`],
	'set-path': () => ['path'],
	'set-pathq': () => ['path'],
	'replace-path': () => ['path'],
	'replace-pathq': () => ['path'],
	'set-uri': () => ['path', 'header:host'],
	'replace-uri': () => ['path', 'header:host'],
};

/** `line 12`, or `conf.d/web.cfg line 12` when the configuration has several files. */
function placer(sections: readonly Section[]): (item: {file: string; line: number}) => string {
	const files = new Set(sections.map((section) => section.file));
	return (item) => (files.size > 1 ? `${item.file} line ${item.line}` : `line ${item.line}`);
}

function label(section: Section): string {
	return `${section.kind} ${section.name ?? ''}`.trim();
}

function ruleText(statement: Statement): string {
	return [statement.keyword, ...statement.args].join(' ');
}

function scopeOf(sections: readonly Section[], section: Section): AclScope {
	const acls = new Map<string, Statement[]>();
	for (const statement of section.statements) {
		if (statement.keyword === 'acl' && !statement.uncertain && statement.args[0]) {
			acls.set(statement.args[0], [...(acls.get(statement.args[0]) ?? []), statement]);
		}
	}

	return {
		acls,
		serverCount(name) {
			const found = backendSection(sections, name);
			return found ? serverCount(found) : undefined;
		},
	};
}

function serverCount(section: Section): number {
	return section.statements
		.filter((statement) => !statement.uncertain)
		.reduce((sum, statement) => {
			if (statement.keyword === 'server') {
				return sum + 1;
			}

			if (statement.keyword === 'server-template') {
				const count = /^(\d+)(?:-(\d+))?$/.exec(statement.args[1] ?? '');
				return sum + (count ? (count[2] ? Number(count[2]) - Number(count[1]) + 1 : Number(count[1])) : 0);
			}

			return sum;
		}, 0);
}

/** Whether a section has servers of its own (`server` or `server-template` lines). */
function hasServers(section: Section): boolean {
	return section.statements.some((statement) => !statement.uncertain && (statement.keyword === 'server' || statement.keyword === 'server-template'));
}

/** The rules of `keyword` (`tcp-request connection`, `http-request`, …) of a section, its named defaults' first. */
function rulesOf(sections: readonly Section[], section: Section, keyword: string, second?: string): Rule[] {
	const owners = [...defaultsChain(sections, section).filter((candidate) => candidate.name !== null), section];
	return owners.flatMap((owner) => {
		const scope = scopeOf(sections, owner);
		return owner.statements
			.filter((statement) => statement.keyword === keyword && !statement.uncertain && (second === undefined || statement.args[0] === second))
			.map((statement): Rule => {
				const split = splitRule(second === undefined ? statement.args : statement.args.slice(1));
				return {statement, owner, action: split.action, condition: split.condition, scope, error: split.error};
			});
	});
}

/** A rule's scope with its section's map files (relative names are read from that section's file). */
function withMaps(rule: Rule, maps: MapFiles): AclScope {
	return {...rule.scope, maps: mapLookup(maps, rule.owner.file)};
}

function truthOf(rule: Rule, request: ProbeRequest, maps: MapFiles): Truth {
	return rule.error === null ? evaluateCondition(rule.condition, request, withMaps(rule, maps)) : {unknown: rule.error};
}

/**
 * Walks a request through a frontend (or listen) the way HAProxy does: tcp-request connection,
 * session and content rules, then in mode http the `http-request` rules, `redirect` lines,
 * `monitor-uri` and the stats page, then the `use_backend` rules in order, `default_backend`, or a
 * listen section's own servers; then the chosen backend's own refusing rules.
 */
function walk(sections: readonly Section[], section: Section, backend: Section, request: ProbeRequest, place: (item: {file: string; line: number}) => string, maps: MapFiles): Outcome {
	const blockedBy = (rule: Rule, verb: string): Outcome => ({kind: 'blocked', why: `In ${label(rule.owner)}, ${ruleText(rule.statement)} (${place(rule.statement)}) ${verb} ${everyRequest}`});
	const unknownBy = (rule: Rule, truth: {unknown: string}): Outcome => ({kind: 'unknown', why: `In ${label(rule.owner)}, whether ${ruleText(rule.statement)} (${place(rule.statement)}) applies is not known from the configuration: ${truth.unknown}`});
	const stage = (rules: Rule[]): Outcome | undefined => {
		for (const rule of rules) {
			const action = rule.action[0] ?? '';
			const http = rule.statement.keyword === 'http-request';
			const ends = rule.statement.keyword === 'redirect' ? 'redirects' : http ? answers[action] : action === 'reject' || action === 'silent-drop' ? 'refuses' : action === 'use-service' ? 'answers' : undefined;
			const stops = action === 'accept' || (http && action === 'allow');
			const rewrite = http ? rewrites[action] : undefined;
			if (ends === undefined && !stops && rewrite === undefined) {
				continue;
			}

			const truth = truthOf(rule, request, maps);
			if (rewrite && truth !== false) {
				for (const what of rewrite(rule.action.slice(1))) {
					request.rewritten.add(what);
				}

				continue;
			}

			if (typeof truth === 'object') {
				return unknownBy(rule, truth);
			}

			if (truth && ends && action === 'redirect' && rule.action.includes('ignore-empty')) {
				// `ignore-empty`: no redirect when the location (or prefix, scheme) built for the request is empty.
				const at = rule.action.findIndex((word) => word === 'location' || word === 'prefix' || word === 'scheme');
				const built = at === -1 ? {unknown: 'it names no location'} : dynamicName(rule.action[at + 1] ?? '', request, withMaps(rule, maps));
				if ('unknown' in built) {
					return unknownBy(rule, {unknown: `it redirects unless the location it builds from the request comes out empty, and ${built.unknown}`});
				}

				if (built.name === '') {
					continue;
				}
			}

			if (truth && ends) {
				return blockedBy(rule, ends);
			}

			if (truth && stops) {
				return undefined;
			}
		}

		return undefined;
	};

	const front = sectionMode(sections, section).mode === 'http';
	for (const [keyword, second] of [
		['tcp-request', 'connection'],
		['tcp-request', 'session'],
		['tcp-request', 'content'],
	] as const) {
		const outcome = stage(rulesOf(sections, section, keyword, second));
		if (outcome) {
			return outcome;
		}
	}

	if (front && request.http) {
		const outcome = stage(rulesOf(sections, section, 'http-request')) ?? stage(rulesOf(sections, section, 'redirect')) ?? intercepted(section, request, place);
		if (outcome) {
			return outcome;
		}
	}

	let chosen: Outcome | undefined;
	for (const rule of rulesOf(sections, section, 'use_backend')) {
		const truth = truthOf(rule, request, maps);
		if (truth === false) {
			continue;
		}

		if (typeof truth === 'object') {
			return unknownBy(rule, truth);
		}

		const name = rule.action[0] ?? '';
		if (name.includes('%')) {
			// A log-format name: built for the request (src/stream.c process_switching_rules()); a name
			// that is no backend (an empty one too) ends the rules, and default_backend applies.
			const built = dynamicName(name, request, withMaps(rule, maps));
			if ('unknown' in built) {
				return {kind: 'unknown', why: `In ${label(section)}, ${ruleText(rule.statement)} (${place(rule.statement)}) picks the backend from the request, and ${built.unknown}`};
			}

			const detail = built.evidence.join(', ') || undefined;
			if (backendSection(sections, built.name)) {
				chosen = built.name === backend.name ? {kind: 'reaches', via: rule.statement, detail} : {kind: 'elsewhere', backend: built.name, via: rule.statement, detail};
			}

			break;
		}

		chosen = name === backend.name ? {kind: 'reaches', via: rule.statement} : {kind: 'elsewhere', backend: name, via: rule.statement};
		break;
	}

	if (!chosen) {
		const fallback = inheritedStatements(sections, section, 'default_backend').at(-1);
		if (fallback) {
			chosen = fallback.args[0] === backend.name ? {kind: 'reaches', via: fallback} : {kind: 'elsewhere', backend: fallback.args[0] ?? '', via: fallback};
		} else if (section.kind === 'listen') {
			chosen = section === backend ? {kind: 'reaches', via: null} : {kind: 'elsewhere', backend: section.name ?? '', via: null};
		} else {
			const refusal = sectionMode(sections, section).mode === 'tcp' ? 'HAProxy closes the connection' : 'HAProxy answers 503';
			return {kind: 'blocked', why: `${capitalize(label(section))} has no backend for the requests drainboard can derive (${refusal})`};
		}
	}

	if (chosen.kind !== 'reaches' || section === backend) {
		return chosen;
	}

	const backendRules = stage(rulesOf(sections, backend, 'tcp-request', 'content'));
	if (backendRules) {
		return backendRules;
	}

	if (request.http && sectionMode(sections, backend).mode === 'http') {
		const refused = stage(rulesOf(sections, backend, 'http-request')) ?? stage(rulesOf(sections, backend, 'redirect'));
		if (refused) {
			return refused;
		}
	}

	return chosen;
}

/** Requests HAProxy answers itself in a section: its `monitor-uri`, its stats page. */
function intercepted(section: Section, request: ProbeRequest, place: (item: {file: string; line: number}) => string): Outcome | undefined {
	const monitor = section.statements.find((statement) => statement.keyword === 'monitor-uri' && !statement.uncertain);
	if (monitor && monitor.args[0] === request.path) {
		return {kind: 'blocked', why: `In ${label(section)}, monitor-uri ${monitor.args[0]} (${place(monitor)}) answers the request itself`};
	}

	const stats = section.statements.filter((statement) => statement.keyword === 'stats' && !statement.uncertain);
	const enabled = stats.some((statement) => statement.args[0] === 'enable' || statement.args[0] === 'uri');
	const uri = stats.filter((statement) => statement.args[0] === 'uri').at(-1);
	if (enabled && request.path.startsWith(uri?.args[1] ?? '/haproxy?stats')) {
		return {kind: 'blocked', why: `In ${label(section)}, the stats page (${place(uri ?? section)}) answers the request itself`};
	}

	return undefined;
}

/** Why a rule that routes to the backend gives no value to send, and what to pass instead (null: the usual advice). */
type Hint = {text: string; advice: string | null};

/** What a reason says when every request tried met it; a reason met by some only says how many instead. */
const everyRequest = 'every request drainboard can derive';

/** The rank (lower explains better) of "sends every request drainboard can derive to another backend". */
const elsewhereRank = 4;

/**
 * `others`: why a rule that routes to the backend may never match the probe (it tests something
 * else than the Host, SNI or path), for when the section sends every request to another backend.
 */
type Candidates = {names: Array<string | null>; sniNames: string[]; paths: string[]; hints: Hint[]; others: string[]};

/**
 * What keeps a Host, SNI or path from a condition out of a request, as words (`a control
 * character`), or null when it can be sent as written: a request line and a Host header carry
 * printable ASCII only (a client would escape the rest, and HAProxy would compare the escapes).
 */
function unsendable(value: string): string | null {
	if (!/[^\x21-\x7e]/.test(value)) {
		return null;
	}

	return terminalControl.test(value) ? 'a control character' : /\s/.test(value) ? 'a space' : 'a character outside printable ASCII';
}

/** The path tried when `/` and the paths of the conditions do not reach the backend; it says in an access log what sent it. */
const neutralPath = '/drainboard-probe';

/**
 * Host names, SNI names and paths worth trying in a section: those in the conditions of the rules
 * that route to the backend first, then those of the rules that gate every request, then those of
 * the rules that route to other backends.
 */
function candidatesOf(sections: readonly Section[], section: Section, backend: Section, given: GivenProbe, place: (item: {file: string; line: number}) => string, maps: MapFiles): Candidates {
	const dynamic = rulesOf(sections, section, 'use_backend').filter((rule) => (rule.action[0] ?? '').includes('%['));
	const routing = [...rulesOf(sections, section, 'use_backend').filter((rule) => rule.action[0] === backend.name), ...dynamic];
	const gating = [
		...rulesOf(sections, section, 'tcp-request', 'connection'),
		...rulesOf(sections, section, 'tcp-request', 'content'),
		...rulesOf(sections, section, 'http-request'),
		...rulesOf(sections, section, 'redirect'),
		...(section === backend ? [] : rulesOf(sections, backend, 'http-request')),
	];
	// The rules that send requests to other backends last: a request their condition leaves out (`if !{ path_beg /api }`
	// lets /api through) goes on to the later rules and default_backend.
	const elsewhere = rulesOf(sections, section, 'use_backend').filter((rule) => !routing.includes(rule));
	const names: string[] = [];
	const sniNames: string[] = [];
	const paths: string[] = [];
	const hints: Hint[] = [];
	const others: string[] = [];
	for (const rule of dynamic) {
		// A few keys of each map: they lead to the backend by themselves, and leave room for the values of the conditions.
		const fromMap = mapCandidates(rule.action[0] ?? '', backend.name ?? '', maps, rule.owner.file);
		names.push(...fromMap.names.filter((name) => unsendable(name) === null).slice(0, 4));
		paths.push(...fromMap.paths.filter((name) => unsendable(name) === null).slice(0, 4));
		sniNames.push(...fromMap.sniNames.filter((name) => unsendable(name) === null).slice(0, 4));
	}

	for (const rule of [...routing, ...gating, ...elsewhere]) {
		for (const term of (rule.condition?.suites ?? []).flat()) {
			const expressions = termExpressions(term, rule.scope);
			if ('unknown' in expressions) {
				continue;
			}

			for (const expression of expressions) {
				const found = candidateValues(expression);
				if (found.hint && routing.includes(rule) && !term.negated) {
					hints.push({text: `${capitalize(label(section))} routes to it with ${ruleText(rule.statement)} (${place(rule.statement)}), where ${found.hint}`, advice: found.advice ?? null});
				} else if (found.about === 'other' && !('unknown' in expression.fetch) && routing.includes(rule) && !term.negated) {
					others.push(
						`${capitalize(label(section))} routes to it only with ${ruleText(rule.statement)} (${place(rule.statement)}), where ${expression.fetchText} is not something the probe varies (only the Host, SNI and path of its GET requests): use --proof live, where real clients are the proof`,
					);
				}

				const values = found.values.filter((value) => unsendable(value) === null);
				const held = found.values.find((value) => unsendable(value) !== null);
				if (held !== undefined && routing.includes(rule) && !term.negated) {
					others.push(
						`${capitalize(label(section))} routes to it with ${ruleText(rule.statement)} (${place(rule.statement)}), where ${expression.fetchText} is "${visible(held)}", which has ${unsendable(held)}: no request can carry it as written, so drainboard derives no probe from it; use --proof live, where real clients are the proof`,
					);
				}

				if (found.about === 'path') {
					paths.push(...values);
				} else if (found.about === 'host') {
					names.push(...values);
				} else if (found.about === 'sni') {
					names.push(...values);
					if (/^(?:req\.|req_)ssl_sni/.test(expression.fetchText)) {
						sniNames.push(...values);
					}
				}
			}
		}
	}

	const unique = <T>(values: T[]) => [...new Set(values)].slice(0, 16);
	return {
		names: given.host === undefined ? unique<string | null>([null, ...names]) : [given.host],
		sniNames: given.host === undefined ? unique(sniNames) : [given.host],
		// A path no rule names comes last: past rules that answer or redirect only the paths they name (`if { path / }`).
		paths: given.path === undefined ? [...new Set([...unique(['/', ...paths]).slice(0, 15), neutralPath])] : [given.path],
		hints,
		others,
	};
}

function reachesAtAll(sections: readonly Section[], section: Section, backend: Section): boolean {
	if (section === backend) {
		return true;
	}

	const names = [...rulesOf(sections, section, 'use_backend').map((rule) => rule.action[0] ?? ''), ...inheritedStatements(sections, section, 'default_backend').map((statement) => statement.args[0] ?? '')];
	return names.some((name) => name === backend.name || name.includes('%['));
}

/** Whether a section routes to the backend by name (a use_backend or default_backend naming it, or its own servers). */
function namesStatically(sections: readonly Section[], section: Section, backend: Section): boolean {
	return (
		section === backend ||
		rulesOf(sections, section, 'use_backend').some((rule) => rule.action[0] === backend.name) ||
		inheritedStatements(sections, section, 'default_backend').some((statement) => statement.args[0] === backend.name)
	);
}

function isAddress(name: string): boolean {
	return /^[\d.]+$/.test(name) || name.includes(':');
}

/**
 * The probe for one backend (or listen section) from the configuration alone: every frontend and
 * listen section that can route to it, each bind address (local ones first, those without
 * `accept-proxy` first, plain before TLS), each Host/SNI/path drawn from the conditions that route
 * there or gate the frontend, walked through the rules as HAProxy applies them. The first request
 * that reaches the backend is the probe; when none does, `why` says what stood in the way.
 */
export function deriveRoute(sections: readonly Section[], backendName: string, options: RouteOptions = {}): Route {
	return derive(sections, backendName, options).route;
}

/**
 * Every listener on this host through which a request reaches the backend, best first (as
 * {@link deriveRoute} ranks them; its probe is the first): the others an operator may choose
 * when the first does not answer (a bind firewalled, a frontend that is not the one in use).
 * One per URL, Host and SNI.
 */
export function routeCandidates(sections: readonly Section[], backendName: string, options: RouteOptions = {}): ProbeRoute[] {
	return routeWithCandidates(sections, backendName, options).candidates;
}

/** {@link deriveRoute} and {@link routeCandidates} from one derivation. */
export function routeWithCandidates(sections: readonly Section[], backendName: string, options: RouteOptions = {}): {route: Route; candidates: ProbeRoute[]} {
	const {route, found} = derive(sections, backendName, options);
	const seen = new Set<string>();
	const candidates = found
		.map((one) => one.probe)
		.filter((probe) => {
			const key = `${probe.url} ${probe.host ?? ''} ${probe.sni ?? ''}`;
			if (!probe.local || seen.has(key)) {
				return false;
			}

			seen.add(key);
			return true;
		});
	return {route, candidates};
}

function derive(sections: readonly Section[], backendName: string, options: RouteOptions): {route: Route; found: Found[]} {
	const interfaces = options.interfaces ?? hostInterfaces();
	const given = options.given ?? {};
	const maps = options.maps ?? mapFiles(sections, {cwd: null});
	const place = placer(sections);
	const backend = backendSection(sections, backendName);
	if (!backend) {
		return {route: {backend: backendName, mode: 'tcp', probe: null, why: `The configuration has no backend ${backendName}.`}, found: []};
	}

	const mode = sectionMode(sections, backend).mode;
	if (mode === 'log' || mode === 'spop') {
		return {route: {backend: backendName, mode, probe: null, why: `It is a mode ${mode} backend, which drainboard has no probe for.`}, found: []};
	}

	const http = mode === 'http';
	const found: Found[] = [];
	const problems: Problem[] = [];
	const hints: Hint[] = [];
	let order = 0;
	const entries = sections.filter((section) => (section.kind === 'frontend' || section.kind === 'listen') && !section.uncertain && reachesAtAll(sections, section, backend));
	for (const section of entries) {
		const before = problems.length;
		// Whether requests were walked through this section (not only binds that cannot be probed).
		let walked = false;
		if (section.statements.some((statement) => statement.keyword === 'disabled' && !statement.uncertain)) {
			problems.push({rank: namesStatically(sections, section, backend) ? -5 : 5, why: `${capitalize(label(section))} (${place(section)}) is disabled`});
			continue;
		}

		const candidates = candidatesOf(sections, section, backend, given, place, maps);
		hints.push(...candidates.hints);
		const binds = section.statements.filter((statement) => statement.keyword === 'bind' && !statement.uncertain).map((statement) => readBind(statement, interfaces));
		const expectsProxy = rulesOf(sections, section, 'tcp-request', 'connection').some((rule) => rule.action[0] === 'expect-proxy' && rule.condition === null);
		const proxyVersion = section.statements.some((statement) => statement.args.some((arg) => arg.includes('fc_pp_'))) ? 'v2' : 'v1';
		for (const bind of binds) {
			for (const target of bind.targets) {
				order++;
				if ('why' in target) {
					problems.push({rank: 6, why: `${capitalize(label(section))} binds ${target.spec} (${place(bind.statement)}), and ${target.why}`});
					continue;
				}

				if ((given.port !== undefined && given.port !== target.port) || (given.address !== undefined && given.address !== target.address && !(target.local && isWildcard(target.spec)))) {
					continue;
				}

				const outcome = tryBind(sections, section, backend, bind, target, candidates, {http, place, given, maps});
				if (outcome.kind === 'found') {
					const proxyProtocol = bind.acceptProxy || expectsProxy ? proxyVersion : null;
					const tls = outcome.request.tls;
					const scheme = tls ? (http ? 'https' : 'tls') : http ? 'http' : 'tcp';
					const address = given.address !== undefined && target.local && isWildcard(target.spec) ? given.address : target.address;
					const rule = outcome.via ? `${ruleText(outcome.via)} (${place(outcome.via)})${outcome.detail ? `, ${outcome.detail}` : ''}` : 'its own servers';
					found.push({
						probe: {
							url: `${scheme}://${hostPort(address, target.port)}${http ? outcome.request.path : ''}`,
							host: http ? outcome.name : null,
							sni: tls ? (outcome.request.sni ?? null) : null,
							proxyProtocol,
							local: target.local,
							from: `${label(section)} (${place(section)}): ${rule}`,
						},
						rank: [target.local ? 0 : 1, proxyProtocol ? 1 : 0, tls ? 1 : 0, order],
						bind: `${capitalize(label(section))} binds ${target.spec} (${place(bind.statement)})`,
					});
				} else {
					walked ||= outcome.problems.length > 0;
					problems.push(...outcome.problems);
				}
			}
		}

		// No request reached it, and the rule that routes to the backend tests what the probe does not
		// vary (a method, a header): that says why, whatever later rules did with the probe, and
		// --url or --host cannot help.
		const other = candidates.others[0];
		if (other !== undefined && walked) {
			problems.push({rank: 0, why: other, final: true});
		}

		if (namesStatically(sections, section, backend)) {
			for (const problem of problems.slice(before)) {
				problem.rank -= 10;
			}
		}
	}

	found.sort((one, other) => compareRanks(one.rank, other.rank));
	const best = found[0];
	if (best?.probe.local) {
		return {route: {backend: backendName, mode, probe: best.probe, why: null}, found};
	}

	// Local listeners rank first: the best being elsewhere means every one that reaches the backend is.
	if (best) {
		const why = `${best.bind}, which is not an address of this host, and drainboard never sends a probe off this host; use --proof live, or pass --url with an address of this host.`;
		return {route: {backend: backendName, mode, probe: null, why}, found};
	}

	return {route: {backend: backendName, mode, probe: null, why: whyNone(sections, backend, entries, problems, hints, given, place, maps)}, found};
}

function isWildcard(spec: string): boolean {
	return /^(?:[a-z0-9]+@)?(?:\*|0\.0\.0\.0|::|\[::\])?:\d/.test(spec);
}

function compareRanks(one: number[], other: number[]): number {
	for (const [index, value] of one.entries()) {
		const difference = value - (other[index] ?? 0);
		if (difference !== 0) {
			return difference;
		}
	}

	return 0;
}

type Tried = {kind: 'found'; request: ProbeRequest; name: string | null; via: Statement | null; detail?: string} | {kind: 'none'; problems: Problem[]};

function tryBind(
	sections: readonly Section[],
	section: Section,
	backend: Section,
	bind: Bind,
	target: {address: string; port: number},
	candidates: Candidates,
	context: {http: boolean; place: (item: {file: string; line: number}) => string; given: GivenProbe; maps: MapFiles},
): Tried {
	const problems: Problem[] = [];
	// What each request derived met, summed up at the end.
	const outcomes: Problem[] = [];
	const src = target.address.startsWith('127.') ? '127.0.0.1' : target.address;
	const variants: Array<{tls: boolean; names: Array<string | null>}> = bind.ssl
		? [{tls: true, names: candidates.names}]
		: [{tls: false, names: context.http ? candidates.names : [null]}, ...(candidates.sniNames.length > 0 ? [{tls: true, names: candidates.sniNames}] : [])];
	for (const variant of variants) {
		// strict-sni: no certificate is chosen for a connection without a name, or with an address.
		const names = bind.strictSni ? variant.names.filter((name) => name !== null && !isAddress(name)) : variant.names;
		if (names.length === 0) {
			problems.push({
				rank: 2,
				why: `${capitalize(label(section))} binds ${hostPort(target.address, target.port)} with strict-sni (${context.place(bind.statement)}), which refuses a TLS connection that does not name a server its certificates hold, and the configuration names none that leads to ${backend.name ?? ''}`,
			});
			continue;
		}

		for (const name of names) {
			for (const path of context.http ? candidates.paths : ['/']) {
				const request: ProbeRequest = {
					http: context.http,
					tls: variant.tls,
					terminated: bind.ssl,
					sni: variant.tls && name !== null && !isAddress(name) ? name : null,
					host: name ?? hostPort(target.address, target.port),
					path,
					src,
					dst: target.address,
					dstPort: target.port,
					rewritten: new Set(),
					frontend: section.name ?? '',
				};
				const outcome = walk(sections, section, backend, request, context.place, context.maps);
				if (outcome.kind === 'reaches') {
					return {kind: 'found', request, name, via: outcome.via, detail: outcome.detail};
				}

				if (outcome.kind === 'blocked') {
					outcomes.push({rank: 2, why: outcome.why});
				} else if (outcome.kind === 'unknown') {
					outcomes.push({rank: 1, why: outcome.why});
				} else {
					outcomes.push({rank: elsewhereRank, why: `${capitalize(label(section))} sends ${everyRequest} to ${outcome.backend}${outcome.via ? ` (${ruleText(outcome.via)}, ${context.place(outcome.via)}${outcome.detail ? `, ${outcome.detail}` : ''})` : ''}`});
				}
			}
		}
	}

	return {kind: 'none', problems: [...problems, ...tallied(outcomes)]};
}

/**
 * The requests' outcomes at one bind as problems: one reason when every request met it; when they
 * met several (a deny refuses /admin, a use_backend takes the rest), one problem that says how many
 * met each of the two that explain best, rather than "every request" of either.
 */
function tallied(outcomes: readonly Problem[]): Problem[] {
	const tally = new Map<string, {rank: number; count: number}>();
	for (const {rank, why} of outcomes) {
		tally.set(why, {rank, count: (tally.get(why)?.count ?? 0) + 1});
	}

	const ranked = [...tally].sort(([, one], [, other]) => one.rank - other.rank || other.count - one.count);
	// One reason, or a best reason that does not speak for every request (a condition not known): as they are.
	if (ranked.length < 2 || !ranked[0]![0].includes(everyRequest)) {
		return ranked.map(([why, {rank}]) => ({rank, why}));
	}

	const parts = ranked.slice(0, 2).map(([why, {count}], index) => {
		const part = why.replace(everyRequest, `${count} of the ${outcomes.length} requests drainboard can derive`);
		return index === 0 ? part : `${part.charAt(0).toLowerCase()}${part.slice(1)}`;
	});
	const more = ranked.length - parts.length;
	return [{rank: ranked[0]![1].rank, why: `${parts.join('; ')}${more > 0 ? `; ${more} other reason${more === 1 ? '' : 's'} for the rest` : ''}`}];
}

function whyNone(
	sections: readonly Section[],
	backend: Section,
	entries: readonly Section[],
	problems: ReadonlyArray<Problem>,
	hints: readonly Hint[],
	given: GivenProbe,
	place: (item: {file: string; line: number}) => string,
	maps: MapFiles,
): string {
	const advice = given.host === undefined ? 'pass --url and --host' : 'pass --url, --host and --path that reach it';
	const statics = entries.filter((section) => namesStatically(sections, section, backend));
	if (statics.length === 0) {
		const unsure = sections
			.filter((section) => section.kind === 'frontend' || section.kind === 'listen')
			.flatMap((section) => section.statements)
			.find((statement) => statement.uncertain && (statement.keyword === 'use_backend' || statement.keyword === 'default_backend') && statement.args[0] === backend.name);
		if (unsure?.uncertain) {
			return `The line ${ruleText(unsure)} (${place(unsure)}) is under ${unsure.uncertain.text} (${place(unsure.uncertain)}), which cannot be evaluated here (${unsure.uncertain.why}); ${advice}.`;
		}

		const dynamic = entries
			.flatMap((section) => rulesOf(sections, section, 'use_backend'))
			.map((rule) => ({statement: rule.statement, prefix: (rule.action[0] ?? '').split('%[')[0]!}))
			.filter((rule) => rule.statement.args[0]?.includes('%[') && (backend.name ?? '').startsWith(rule.prefix))
			.sort((one, other) => other.prefix.length - one.prefix.length);
		// The rule whose map has a key (or a default) leading to the backend explains best; else the first, with why its map does not.
		const explained = dynamic.map((rule) => {
			const name = rule.statement.args[0] ?? '';
			return {statement: rule.statement, name, problem: /map/.test(name) ? mapProblem(name, backend.name ?? '', maps, rule.statement.file) : null};
		});
		const chosen = explained.find((one) => /map/.test(one.name) && one.problem === null) ?? explained[0];
		if (chosen) {
			const {statement, name, problem} = chosen;
			if (problem !== null) {
				return `Only a map file (${place(statement)}) routes to it, and ${problem}; ${advice}.`;
			}

			const worst = [...problems].sort((one, other) => one.rank - other.rank)[0];
			if (/map/.test(name) && worst) {
				return `${worst.why}; ${advice}.`;
			}

			return /map/.test(name) ? `Only a map file (${place(statement)}) routes to it; ${advice}.` : `Only use_backend ${name} (${place(statement)}) can route to it, by a name taken from the request; ${advice}.`;
		}

		return `No frontend or listen section routes to it (no use_backend or default_backend names it); ${advice}.`;
	}

	const hint = hints[0];
	if (hint !== undefined && given.host === undefined) {
		return `${hint.text}; ${hint.advice ?? advice}.`;
	}

	const worst = [...problems].sort((one, other) => one.rank - other.rank)[0];
	if (worst) {
		return worst.final ? `${worst.why}.` : `${worst.why}; ${advice}.`;
	}

	return `No bind of ${statics.map((section) => label(section)).join(', ')} can be probed; ${advice}.`;
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Every backend and listen section with servers, in the order of the configuration, with its probe. */
export function deriveRoutes(sections: readonly Section[], options: RouteOptions = {}): Route[] {
	const names = sections.filter((section) => (section.kind === 'backend' || section.kind === 'listen') && !section.uncertain && hasServers(section)).map((section) => section.name ?? '');
	const shared = {...options, maps: options.maps ?? mapFiles(sections, {cwd: null})};
	return [...new Set(names)].map((name) => deriveRoute(sections, name, shared));
}
