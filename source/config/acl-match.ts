import net from 'node:net';
import type {ConditionTerm, RuleCondition} from './acl-condition.js';
import type {MapLookup} from './map-files.js';
import type {Statement} from './parse-config.js';
import {probeHeaders, type ProbeRequest} from './probe-request.js';

/** True, false, or not knowable from the config alone (with the reason). */
export type Truth = boolean | {unknown: string};

/** What a rule's condition can see: the named ACLs of its section, and server counts for `nbsrv`. */
export type AclScope = {
	acls: ReadonlyMap<string, readonly Statement[]>;
	serverCount(backend: string): number | undefined;
	/** Applies the `map*` converters (reading their files); without it, a map makes the value unknown. */
	maps?: MapLookup;
};

/** The kind of request value a fetch reads, for deriving a value that matches. */
type FetchAbout = 'host' | 'sni' | 'path' | 'other';

type Sample = {kind: 'str'; value: string} | {kind: 'int'; value: number} | {kind: 'bool'; value: boolean} | {kind: 'ip'; value: string} | {kind: 'none'} | {kind: 'unknown'; why: string};

type Method = 'str' | 'beg' | 'end' | 'sub' | 'dom' | 'dir' | 'reg' | 'len' | 'found' | 'bool' | 'int' | 'ip' | 'bin';

/** A fetch as an ACL uses it: its sample for a request, and its default matching method. */
type Fetch = {about: FetchAbout; method: Method; sample: (request: ProbeRequest, scope: AclScope) => Sample; converters: string[]};

/** An ACL expression read: the fetch, `-i`, `-m`, `-f` files, and the patterns. */
type Expression = {fetch: Fetch | {unknown: string}; fetchText: string; ignoreCase: boolean; method: Method | null; files: string[]; values: string[]};

const suffixMethods: Record<string, Method> = {beg: 'beg', dom: 'dom', end: 'end', reg: 'reg', sub: 'sub', dir: 'dir', len: 'len', cnt: 'int', val: 'int', ip: 'ip'};

const defaultAcls: Record<string, string[]> = {
	TRUE: ['always_true'],
	FALSE: ['always_false'],
	LOCALHOST: ['src', '127.0.0.1/8', '::1'],
	HTTP: ['req.proto_http'],
	'HTTP_1.0': ['req.ver', '1.0'],
	'HTTP_1.1': ['req.ver', '1.1'],
	'HTTP_2.0': ['req.ver', '2.0'],
	'HTTP_3.0': ['req.ver', '3.0'],
	METH_CONNECT: ['method', 'CONNECT'],
	METH_DELETE: ['method', 'DELETE'],
	METH_GET: ['method', 'GET', 'HEAD'],
	METH_HEAD: ['method', 'HEAD'],
	METH_OPTIONS: ['method', 'OPTIONS'],
	METH_POST: ['method', 'POST'],
	METH_PUT: ['method', 'PUT'],
	METH_TRACE: ['method', 'TRACE'],
	HTTP_URL_ABS: ['url_reg', '^[^/:]*://'],
	HTTP_URL_SLASH: ['url_beg', '/'],
	HTTP_URL_STAR: ['url', '*'],
	HTTP_CONTENT: ['req.hdr_val(content-length)', 'gt', '0'],
	RDP_COOKIE: ['req.rdp_cookie_cnt', 'gt', '0'],
	REQ_CONTENT: ['req.len', 'gt', '0'],
	WAIT_END: ['wait_end'],
};

/** `hdr(host),lower` → `hdr`, [`host`], [`lower`]: a fetch, its arguments, its converters. */
function splitFetch(text: string): {name: string; args: string[]; converters: string[]} {
	const parts: string[] = [];
	let depth = 0;
	let current = '';
	for (const character of text) {
		if (character === '(') {
			depth++;
		} else if (character === ')') {
			depth--;
		}

		if (character === ',' && depth === 0) {
			parts.push(current);
			current = '';
		} else {
			current += character;
		}
	}

	parts.push(current);
	const head = /^([^(]*)(?:\((.*)\))?$/.exec(parts[0] ?? '');
	const args = head?.[2] === undefined ? [] : head[2].split(',').map((arg) => arg.trim());
	return {name: head?.[1] ?? '', args, converters: parts.slice(1)};
}

const header = (name: string | undefined): ((request: ProbeRequest) => Sample) => {
	const wanted = (name ?? '').toLowerCase();
	return (request) => {
		if (wanted === '') {
			return {kind: 'unknown', why: 'it reads every header'};
		}

		if (request.rewritten.has(`header:${wanted}`)) {
			return {kind: 'unknown', why: `an earlier rule sets header ${wanted}`};
		}

		if (!request.http || !probeHeaders.has(wanted)) {
			return {kind: 'none'};
		}

		return {kind: 'str', value: wanted === 'host' ? request.host : wanted === 'user-agent' ? 'drainboard-probe' : 'close'};
	};
};

const zeroCounter = /^(?:sc[0-9]*_|sc_|src_(?:conn|sess|http|bytes|gpc|get_gpc|glitch|kbytes|updt|inc_gpc|clr_gpc|trk|is_trk)|table_|src_gpt|trk_)/;

/** The fetches drainboard can answer for a probe it builds itself; anything else is unknown. */
function fetchOf(text: string): Fetch | {unknown: string} {
	const {name, args, converters} = splitFetch(text);
	const make = (about: FetchAbout, method: Method, sample: Fetch['sample']): Fetch => ({about, method, sample, converters});
	const headerMatch = /^(?:req\.)?f?hdr(?:_(beg|dom|end|reg|sub|dir|len|cnt|val|ip))?$/.exec(name);
	if (headerMatch) {
		const read = header(args[0]);
		const suffix = headerMatch[1];
		const about: FetchAbout = (args[0] ?? '').toLowerCase() === 'host' ? 'host' : 'other';
		if (suffix === 'cnt') {
			return make(about, 'int', (request) => {
				const value = read(request);
				return value.kind === 'unknown' ? value : {kind: 'int', value: value.kind === 'none' ? 0 : 1};
			});
		}

		if (suffix === 'val') {
			return make(about, 'int', (request) => {
				const value = read(request);
				return value.kind === 'str' ? {kind: 'unknown', why: 'it reads a header as a number'} : value;
			});
		}

		return make(about, suffix === undefined ? 'str' : suffixMethods[suffix]!, read);
	}

	const sni = /^(?:ssl_fc_sni|req\.ssl_sni|req_ssl_sni)(?:_(end|reg))?$/.exec(name);
	if (sni) {
		const terminated = name.startsWith('ssl_fc');
		return make('sni', sni[1] === undefined ? 'str' : suffixMethods[sni[1]]!, (request) =>
			request.tls && request.terminated === terminated && request.sni !== null ? {kind: 'str', value: request.sni} : {kind: 'none'},
		);
	}

	const path = /^(path|pathq|url|base|base32)(?:_(beg|dir|dom|end|len|reg|sub))?$/.exec(name);
	if (path) {
		if (path[1] === 'base32') {
			return {unknown: 'it hashes Host and path'};
		}

		const about: FetchAbout = path[1] === 'base' ? 'other' : 'path';
		return make(about, path[2] === undefined ? 'str' : suffixMethods[path[2]]!, (request) => {
			if (!request.http) {
				return {kind: 'none'};
			}

			if (request.rewritten.has('path') || (path[1] === 'base' && request.rewritten.has('header:host'))) {
				return {kind: 'unknown', why: 'an earlier rule rewrites the request'};
			}

			return {kind: 'str', value: path[1] === 'base' ? `${request.host}${request.path}` : request.path};
		});
	}

	const flag = (value: (request: ProbeRequest) => boolean) => make('other', 'bool', (request) => ({kind: 'bool', value: value(request)}));
	const simple: Record<string, () => Fetch> = {
		always_true: () => flag(() => true),
		always_false: () => flag(() => false),
		'req.proto_http': () => flag((request) => request.http),
		req_proto_http: () => flag((request) => request.http),
		ssl_fc: () => flag((request) => request.tls && request.terminated),
		ssl_fc_has_sni: () => flag((request) => request.tls && request.terminated && request.sni !== null),
		ssl_c_used: () => flag(() => false),
		wait_end: () => flag(() => true),
		srv_is_up: () => flag(() => true),
		http_auth: () => flag(() => false),
		http_auth_group: () => make('other', 'str', () => ({kind: 'none'})),
		http_auth_bearer: () => make('other', 'str', () => ({kind: 'none'})),
		http_auth_type: () => make('other', 'str', () => ({kind: 'none'})),
		http_auth_user: () => make('other', 'str', () => ({kind: 'none'})),
		'req.ver': () => make('other', 'str', (request) => (request.http ? {kind: 'str', value: '1.1'} : {kind: 'none'})),
		req_ver: () => make('other', 'str', (request) => (request.http ? {kind: 'str', value: '1.1'} : {kind: 'none'})),
		method: () => make('other', 'str', (request) => (request.http ? {kind: 'str', value: 'GET'} : {kind: 'none'})),
		'req.ssl_hello_type': () => make('other', 'int', (request) => (request.tls && !request.terminated ? {kind: 'int', value: 1} : {kind: 'none'})),
		req_ssl_hello_type: () => make('other', 'int', (request) => (request.tls && !request.terminated ? {kind: 'int', value: 1} : {kind: 'none'})),
		'req.len': () => make('other', 'int', (request) => (request.http || request.tls ? {kind: 'unknown', why: 'the request length varies'} : {kind: 'int', value: 0})),
		src: () => make('other', 'ip', (request) => ({kind: 'ip', value: request.src})),
		dst: () => make('other', 'ip', (request) => ({kind: 'ip', value: request.dst})),
		dst_port: () => make('other', 'int', (request) => ({kind: 'int', value: request.dstPort})),
		fe_name: () => make('other', 'str', (request) => ({kind: 'str', value: request.frontend})),
		nbsrv: () =>
			make('other', 'int', (_request, scope) => {
				const count = scope.serverCount(args[0] ?? '');
				return count === undefined ? {kind: 'unknown', why: `backend ${args[0] ?? '?'} is not in the configuration`} : {kind: 'int', value: count};
			}),
		int: () => make('other', 'int', () => ({kind: 'int', value: Number.parseInt(args[0] ?? '0', 10)})),
		str: () => make('other', 'str', () => ({kind: 'str', value: args[0] ?? ''})),
		bool: () => make('other', 'bool', () => ({kind: 'bool', value: (args[0] ?? '0') !== '0'})),
		query: () => make('other', 'str', () => ({kind: 'none'})),
		url_param: () => make('other', 'str', () => ({kind: 'none'})),
		urlp: () => make('other', 'str', () => ({kind: 'none'})),
		cook: () => make('other', 'str', () => ({kind: 'none'})),
		'req.cook': () => make('other', 'str', () => ({kind: 'none'})),
		cook_cnt: () => make('other', 'int', () => ({kind: 'int', value: 0})),
		'req.cook_cnt': () => make('other', 'int', () => ({kind: 'int', value: 0})),
		ssl_fc_alpn: () => make('other', 'str', () => ({kind: 'none'})),
		'req.ssl_alpn': () => make('other', 'str', () => ({kind: 'none'})),
	};
	const known = simple[name];
	if (known) {
		return known();
	}

	if (zeroCounter.test(name)) {
		return make('other', 'int', () => ({kind: 'int', value: 0}));
	}

	if (/^fc_pp_/.test(name)) {
		return make('other', 'str', () => ({kind: 'none'}));
	}

	if (name === 'var') {
		return {unknown: `it reads variable ${args[0] ?? ''}, set while the request is processed`};
	}

	return {unknown: `drainboard cannot tell what ${name || text} gives for its probe`};
}

/** Reads an ACL expression: fetch, flags (`-i`, `-m`, `-f`, `-n`, `-u`, `-M`, `--`), patterns. */
function readExpression(words: readonly string[]): Expression {
	const fetchText = words[0] ?? '';
	const expression: Expression = {fetch: fetchOf(fetchText), fetchText, ignoreCase: false, method: null, files: [], values: []};
	let index = 1;
	while (index < words.length && words[index]!.startsWith('-')) {
		const flag = words[index]!;
		if (flag === '--') {
			index++;
			break;
		}

		if (flag === '-i') {
			expression.ignoreCase = true;
		} else if (flag === '-m') {
			expression.method = (words[index + 1] as Method | undefined) ?? null;
			index++;
		} else if (flag === '-f') {
			expression.files.push(words[index + 1] ?? '');
			index++;
		} else if (flag === '-u') {
			index++;
		} else if (flag !== '-n' && flag !== '-M') {
			break;
		}

		index++;
	}

	expression.values = words.slice(index);
	return expression;
}

/** The matching method in force: `-m`, else the ACL keyword's, else the sample type's (converters drop the keyword's). */
function methodOf(expression: Expression): Method {
	if (expression.method) {
		return expression.method;
	}

	if ('unknown' in expression.fetch) {
		return 'str';
	}

	const {method, converters} = expression.fetch;
	if (converters.length > 0 && ['beg', 'end', 'sub', 'dom', 'dir', 'reg', 'len'].includes(method)) {
		return 'str';
	}

	return method;
}

const converterFunctions: Record<string, (value: string, args: string[]) => string> = {
	lower: (value) => value.toLowerCase(),
	upper: (value) => value.toUpperCase(),
	host_only: (value) => value.replace(/^\[([^\]]*)\](?::\d+)?$/, '$1').replace(/^([^:[\]]*):\d+$/, '$1'),
	field: (value, args) => fieldOf(value, args),
	word: (value, args) => value.split(new RegExp(`[${escapeClass(args[1] ?? '')}]+`)).filter(Boolean)[Number(args[0] ?? 1) - 1] ?? '',
	regsub: (value, args) => regsubOf(value, args),
};

/**
 * `regsub(<regex>,<subst>[,<flags>])`: the first match (every one with `g`; `i` ignores case)
 * replaced, `\1`…`\9` in `subst` standing for the groups. The expression is read as a JavaScript
 * one, which agrees with PCRE on the simple ones configurations use (`:\d+$`); one JavaScript
 * cannot read throws, and the value is then unknown.
 */
function regsubOf(value: string, args: string[]): string {
	const flags = args[2] ?? '';
	const pattern = new RegExp(args[0] ?? '', `${flags.includes('i') ? 'i' : ''}${flags.includes('g') ? 'g' : ''}`);
	return value.replace(pattern, (args[1] ?? '').replace(/\$/g, '$$$$').replace(/\\([0-9])/g, '$$$1'));
}

function escapeClass(text: string): string {
	return text.replace(/[\\\]^-]/g, '\\$&');
}

function fieldOf(value: string, args: string[]): string {
	const index = Number(args[0] ?? 1);
	const fields = value.split(new RegExp(`[${escapeClass(args[1] ?? '')}]`));
	return (index > 0 ? fields[index - 1] : fields.at(index)) ?? '';
}

/** Applies the converters in order; each map looked up adds its evidence (file, line, key, value) to `evidence`. */
function convert(sample: Sample, converters: readonly string[], maps: MapLookup | undefined, evidence: string[]): Sample {
	let current = sample;
	for (const text of converters) {
		if (current.kind !== 'str') {
			return current.kind === 'none' || current.kind === 'unknown' ? current : {kind: 'unknown', why: `drainboard does not apply converter ${text} to a number`};
		}

		const {name, args} = splitFetch(text);
		if (/^map/.test(name)) {
			if (!maps) {
				return {kind: 'unknown', why: `it looks the value up in a map file (${args[0] ?? '?'})`};
			}

			const found = maps(name, args, current.value);
			if (found.kind === 'unknown') {
				return found;
			}

			evidence.push(found.evidence);
			current = found.kind === 'str' ? {kind: 'str', value: found.value} : {kind: 'none'};
			continue;
		}

		const apply = converterFunctions[name];
		if (!apply) {
			return {kind: 'unknown', why: `drainboard does not apply converter ${name}`};
		}

		try {
			current = {kind: 'str', value: apply(current.value, args)};
		} catch {
			return {kind: 'unknown', why: `drainboard cannot apply converter ${text}`};
		}
	}

	return current;
}

/**
 * The string a sample expression (`req.hdr(host),lower,map(/etc/haproxy/hosts.map)`, as in a
 * log-format's `%[…]`) gives for the request: its value (an integer written in decimal), none
 * (the fetch or a converter found nothing), or why it is not known; `evidence` gets the map
 * entries it used.
 */
export function sampleText(text: string, request: ProbeRequest, scope: AclScope, evidence: string[]): {value: string} | {none: true} | {unknown: string} {
	const fetch = fetchOf(text);
	if ('unknown' in fetch) {
		return {unknown: fetch.unknown};
	}

	const sample = convert(fetch.sample(request, scope), fetch.converters, scope.maps, evidence);
	switch (sample.kind) {
		case 'str':
		case 'ip': {
			return {value: sample.value};
		}

		case 'int': {
			return {value: String(sample.value)};
		}

		case 'bool': {
			return {value: sample.value ? '1' : '0'};
		}

		case 'none': {
			return {none: true};
		}

		default: {
			return {unknown: sample.why};
		}
	}
}

/** How patterns are compared: `-i` makes the comparison ignore case. */
type Matching = {ignoreCase: boolean};

const isDelimiter = (character: string, delimiters: string) => delimiters.includes(character);

/** match_word() of pattern.c: the pattern, trimmed of delimiters, found between delimiters or the ends. */
function matchWord(sample: string, pattern: string, delimiters: string, {ignoreCase}: Matching): boolean {
	let trimmed = pattern;
	while (trimmed.length > 0 && isDelimiter(trimmed[0]!, delimiters)) {
		trimmed = trimmed.slice(1);
	}

	while (trimmed.length > 0 && isDelimiter(trimmed.at(-1)!, delimiters)) {
		trimmed = trimmed.slice(0, -1);
	}

	const haystack = ignoreCase ? sample.toLowerCase() : sample;
	const needle = ignoreCase ? trimmed.toLowerCase() : trimmed;
	for (let start = 0; start + needle.length <= haystack.length; start++) {
		const before = start === 0 || isDelimiter(haystack[start - 1]!, delimiters);
		const after = start + needle.length === haystack.length || isDelimiter(haystack[start + needle.length]!, delimiters);
		if (before && after && haystack.startsWith(needle, start)) {
			return true;
		}
	}

	return false;
}

function ipv4Number(address: string): number | undefined {
	if (!net.isIPv4(address)) {
		return undefined;
	}

	return address.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
}

function ipv6Number(address: string): bigint | undefined {
	if (!net.isIPv6(address)) {
		return undefined;
	}

	const [head = '', tail = ''] = address.split('::');
	const parts = (text: string) => (text === '' ? [] : text.split(':'));
	const groups = address.includes('::') ? [...parts(head), ...Array.from({length: 8 - parts(head).length - parts(tail).length}, () => '0'), ...parts(tail)] : parts(address);
	return groups.reduce((sum, group) => sum * 65_536n + BigInt(Number.parseInt(group, 16)), 0n);
}

function ipMatches(address: string, pattern: string): Truth {
	const [network = '', mask] = pattern.split('/');
	const v4 = ipv4Number(address);
	const v4Network = ipv4Number(network);
	if (v4 !== undefined && v4Network !== undefined) {
		const bits = mask === undefined ? 32 : mask.includes('.') ? (ipv4Number(mask) ?? 0).toString(2).replace(/0/g, '').length : Number(mask);
		const size = 2 ** (32 - bits);
		return Math.floor(v4 / size) === Math.floor(v4Network / size);
	}

	const v6 = ipv6Number(address);
	const v6Network = ipv6Number(network);
	if (v6 !== undefined && v6Network !== undefined) {
		const shift = BigInt(128 - (mask === undefined ? 128 : Number(mask)));
		return v6 >> shift === v6Network >> shift;
	}

	if (v4 === undefined && v6 === undefined) {
		return {unknown: `address ${address} is not known`};
	}

	return net.isIP(network) === 0 ? {unknown: `pattern ${pattern} is a host name`} : false;
}

function intMatches(value: number, values: readonly string[]): boolean {
	const operators: Record<string, (a: number, b: number) => boolean> = {eq: (a, b) => a === b, ge: (a, b) => a >= b, gt: (a, b) => a > b, le: (a, b) => a <= b, lt: (a, b) => a < b};
	const operator = operators[values[0] ?? ''];
	if (operator) {
		return operator(value, Number(values[1]));
	}

	return values.some((pattern) => {
		const [low, high] = pattern.includes(':') ? pattern.split(':') : [pattern, pattern];
		return (low === '' || value >= Number(low)) && (high === '' || value <= Number(high));
	});
}

function regexOf(pattern: string, {ignoreCase}: Matching): RegExp | undefined {
	try {
		return new RegExp(pattern, ignoreCase ? 'i' : '');
	} catch {
		return undefined;
	}
}

/** Whether a string sample matches one of the patterns with `method`. */
function stringMatches(value: string, method: Method, patterns: readonly string[], matching: Matching): Truth {
	const fold = (text: string) => (matching.ignoreCase ? text.toLowerCase() : text);
	for (const pattern of patterns) {
		let hit: Truth;
		switch (method) {
			case 'beg': {
				hit = fold(value).startsWith(fold(pattern));
				break;
			}

			case 'end': {
				hit = fold(value).endsWith(fold(pattern));
				break;
			}

			case 'sub': {
				hit = fold(value).includes(fold(pattern));
				break;
			}

			case 'dom': {
				hit = matchWord(value, pattern, '/?.:', matching);
				break;
			}

			case 'dir': {
				hit = matchWord(value, pattern, '/?', matching);
				break;
			}

			case 'reg': {
				const regex = regexOf(pattern, matching);
				hit = regex ? regex.test(value) : {unknown: `drainboard cannot read regular expression ${pattern}`};
				break;
			}

			case 'len': {
				hit = intMatches(value.length, [pattern]);
				break;
			}

			case 'int': {
				hit = /^-?\d+$/.test(value) ? intMatches(Number(value), [pattern]) : false;
				break;
			}

			case 'ip': {
				hit = ipMatches(value, pattern);
				break;
			}

			case 'bin': {
				hit = {unknown: 'drainboard does not compare binary patterns'};
				break;
			}

			default: {
				hit = fold(value) === fold(pattern);
			}
		}

		if (hit === true || typeof hit === 'object') {
			return hit;
		}
	}

	return false;
}

/** Evaluates one ACL expression for the request. */
function evaluateExpression(expression: Expression, request: ProbeRequest, scope: AclScope): Truth {
	if ('unknown' in expression.fetch) {
		return {unknown: `{ ${expression.fetchText} } cannot be evaluated: ${expression.fetch.unknown}`};
	}

	const sample = convert(expression.fetch.sample(request, scope), expression.fetch.converters, scope.maps, []);
	if (sample.kind === 'unknown') {
		return {unknown: `${expression.fetchText} cannot be evaluated: ${sample.why}`};
	}

	const method = methodOf(expression);
	if (method === 'found') {
		return sample.kind !== 'none';
	}

	if (sample.kind === 'none') {
		return false;
	}

	let result: Truth;
	if (sample.kind === 'bool') {
		result = expression.values.length === 0 ? sample.value : intMatches(sample.value ? 1 : 0, expression.values);
	} else if (sample.kind === 'int') {
		result = method === 'bool' && expression.values.length === 0 ? sample.value !== 0 : intMatches(sample.value, expression.values);
	} else if (sample.kind === 'ip') {
		result = false;
		for (const pattern of expression.values) {
			const hit = ipMatches(sample.value, pattern);
			if (hit !== false) {
				result = hit;
				break;
			}
		}
	} else {
		result = method === 'bool' ? sample.value !== '' : stringMatches(sample.value, method, expression.values, {ignoreCase: expression.ignoreCase});
	}

	if (result === false && expression.files.length > 0) {
		return {unknown: `${expression.fetchText} also matches the patterns in ${expression.files.join(', ')}, which drainboard does not read`};
	}

	return result;
}

function and(values: Truth[]): Truth {
	if (values.includes(false)) {
		return false;
	}

	return values.find((value) => typeof value === 'object') ?? true;
}

function or(values: Truth[]): Truth {
	if (values.includes(true)) {
		return true;
	}

	return values.find((value) => typeof value === 'object') ?? false;
}

function not(value: Truth): Truth {
	return typeof value === 'boolean' ? !value : value;
}

/** The expressions a term stands for: an inline one, the lines of a named ACL (ORed), or one of HAProxy's predefined ACLs. */
export function termExpressions(term: ConditionTerm, scope: AclScope): Expression[] | {unknown: string} {
	if ('expression' in term) {
		return [readExpression(term.expression)];
	}

	const lines = scope.acls.get(term.acl);
	if (lines && lines.length > 0) {
		return lines.map((line) => readExpression(line.args.slice(1)));
	}

	const predefined = defaultAcls[term.acl];
	return predefined ? [readExpression(predefined)] : {unknown: `ACL ${term.acl} is not defined in this section`};
}

/** Evaluates a rule's condition for the request (null condition: always). */
export function evaluateCondition(condition: RuleCondition | null, request: ProbeRequest, scope: AclScope): Truth {
	if (condition === null) {
		return true;
	}

	const value = or(
		condition.suites.map((suite) =>
			and(
				suite.map((term) => {
					const expressions = termExpressions(term, scope);
					const truth = 'unknown' in expressions ? {unknown: expressions.unknown} : or(expressions.map((expression) => evaluateExpression(expression, request, scope)));
					return term.negated ? not(truth) : truth;
				}),
			),
		),
	);
	return condition.unless ? not(value) : value;
}

/** A label of a host name: letters, digits, `-` (not first or last) and `_`, at most 63 characters. */
const hostLabel = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;

/** Whether `value` is a complete host name to send as Host or SNI: labels joined by single dots, no leading or trailing dot, no port. */
function isHostName(value: string): boolean {
	return value.length <= 253 && value.split('.').every((label) => hostLabel.test(label));
}

const partOf: Partial<Record<Method, string>> = {beg: 'the beginning', end: 'the end', dom: 'a part', sub: 'a part'};

/**
 * Values of Host, SNI or path a term's patterns would match, to try as probe requests; and what
 * cannot give one (`hint`, with the `advice` that goes with it when it is not the usual one).
 * A Host or SNI from a partial match (`hdr_beg`, `hdr_end`, `hdr_dom`, `hdr_sub`, `-m beg` …) is
 * taken only when it is a complete host name: `docs.` is the beginning of one, not a name to send
 * (`hdr_end(host) .example.com` gives `www.example.com`, which it matches).
 */
export function candidateValues(expression: Expression): {about: FetchAbout; values: string[]; hint: string | null; advice?: string} {
	if ('unknown' in expression.fetch) {
		return {about: 'other', values: [], hint: null};
	}

	const {about} = expression.fetch;
	if (about === 'other') {
		return {about, values: [], hint: null};
	}

	const method = methodOf(expression);
	const what = about === 'host' ? 'Host' : about === 'sni' ? 'SNI' : 'path';
	if (method === 'reg') {
		return {about, values: [], hint: `${expression.fetchText} matches ${what} with a regular expression, which gives no value to send`};
	}

	if (expression.values.length === 0 && expression.files.length > 0) {
		return {about, values: [], hint: `${expression.fetchText} takes its ${what} patterns from ${expression.files.join(', ')}, which drainboard does not read`};
	}

	if (about === 'path') {
		const paths = expression.values.map((value) => (value.startsWith('/') ? value : `/${value.replace(/^\/+/, '')}`));
		return {about, values: method === 'str' || method === 'beg' || method === 'dir' || method === 'sub' || method === 'end' ? paths : [], hint: null};
	}

	const part = partOf[method];
	if (method !== 'str' && part === undefined) {
		return {about, values: [], hint: null};
	}

	const names: string[] = [];
	const partial: string[] = [];
	for (const value of expression.values.filter((one) => one !== '')) {
		const name = method === 'end' && value.startsWith('.') ? `www${value}` : method === 'dom' ? value.replace(/^[./?:]+|[./?:]+$/g, '') : value;
		if (part === undefined || isHostName(name)) {
			names.push(name);
		} else {
			partial.push(value);
		}
	}

	if (names.length > 0 || partial.length === 0) {
		return {about, values: names, hint: null};
	}

	const shown = partial.slice(0, 3).join(', ') + (partial.length > 3 ? ', …' : '');
	return {
		about,
		values: [],
		hint: `${expression.fetchText} gives only ${part} of ${about === 'host' ? 'a Host' : 'an SNI'} (${shown}), not a complete host name, so no ${what} could be derived`,
		advice: 'pass --host NAME with a complete host name it matches',
	};
}
