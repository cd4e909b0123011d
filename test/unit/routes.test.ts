import {readFileSync, readdirSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {splitRule} from '../../source/config/acl-condition.js';
import {backendFacts, stateFilePath} from '../../source/config/backend-facts.js';
import {readBind} from '../../source/config/bind-address.js';
import {conditionFacts, configEnvironment} from '../../source/config/condition-facts.js';
import {parseMapText, type MapRead} from '../../source/config/map-file.js';
import {mapFiles} from '../../source/config/map-files.js';
import {parseConfig, parseConfigFiles, type Section} from '../../source/config/parse-config.js';
import {planProbe} from '../../source/config/probe-plan.js';
import {deriveRoute, deriveRoutes, routeCandidates, type Route} from '../../source/config/routes.js';
import {backendSection, defaultsChain, sectionMode} from '../../source/config/section-mode.js';
import {isLocalAddress} from '../../source/local-address.js';

/** Interfaces of an imagined load balancer: loopback, eth1 with 10.1.1.5, a VIP 192.0.2.10 on "vip". */
const interfaces = {lo: [{address: '127.0.0.1', family: 'IPv4'}], eth1: [{address: '10.1.1.5', family: 'IPv4'}], vip: [{address: '192.0.2.10', family: 'IPv4'}]};

/** HAProxy 3.0.11 built without QUIC, an empty environment. */
const facts = conditionFacts({environment: configEnvironment(new Map()), version: '3.0.11', build: {version: '3.0.11', features: '+EPOLL -QUIC +OPENSSL'}, args: null});

const sectionsOf = (name: string): Section[] => {
	const file = `/etc/haproxy/${name}`;
	return parseConfigFiles([{file, text: readFileSync(new URL(`../fixtures/configs/forms/${name}`, import.meta.url), 'utf8')}], facts).sections;
};

/** One route in a line: `url Host … SNI … PROXY … (not local) | from`, or `none: why`. */
function summary(route: Route): string {
	if (!route.probe) {
		return `none: ${route.why ?? ''}`;
	}

	const {url, host, sni, proxyProtocol, local, from} = route.probe;
	return [url, host && `Host ${host}`, sni && `SNI ${sni}`, proxyProtocol && `PROXY ${proxyProtocol}`, local ? null : '(not local)', `| ${from}`].filter(Boolean).join(' ');
}

/** Map files as the tests give them (by absolute path); any other is missing. */
const mapsOf = (sections: readonly Section[], texts: Record<string, string> = {}) =>
	mapFiles(sections, {cwd: '/', readFile: (file): MapRead => (texts[file] === undefined ? {file, problem: `${file} cannot be read (no such file)`, missing: true} : {file, entries: parseMapText(texts[file])})});

const routesOf = (name: string, maps: Record<string, string> = {}) => {
	const sections = sectionsOf(name);
	return Object.fromEntries(deriveRoutes(sections, {interfaces, maps: mapsOf(sections, maps)}).map((route) => [route.backend, summary(route)]));
};

describe('routes by Host, SNI and path (forms/host-sni-path.cfg)', () => {
	const routes = routesOf('host-sni-path.cfg');

	it('sends the first Host of a named ACL with -i and several values, with the path of an inline condition, over TLS (port 80 redirects)', () => {
		expect(routes['shop']).toBe('https://127.0.0.1:443/cart Host shop.example.com SNI shop.example.com | frontend fe_https (line 16): use_backend shop if is_shop { path_beg /cart } (line 24)');
		expect(routes['shop_home']).toBe('https://127.0.0.1:443/ Host shop.example.com SNI shop.example.com | frontend fe_https (line 16): use_backend shop_home if is_shop (line 25)');
	});

	it('takes a path_beg ACL before any Host rule, and path and path_dir values', () => {
		expect(routes['api']).toBe('https://127.0.0.1:443/api/ | frontend fe_https (line 16): use_backend api if is_api (line 23)');
		expect(routes['static']).toBe('https://127.0.0.1:443/favicon.ico | frontend fe_https (line 16): use_backend static if { path /favicon.ico } || { path_end .css } (line 32)');
		expect(routes['wiki']).toBe(
			'https://127.0.0.1:443/pages Host wiki.example.com SNI wiki.example.com | frontend fe_https (line 16): use_backend wiki if { hdr_dom(host) -i wiki.example.com } { path_dir /pages } (line 29)',
		);
	});

	it('reads req.hdr(host) with converters, hdr_beg (no Host from a prefix), hdr_end and ssl_fc_sni', () => {
		expect(routes['blog']).toBe('https://127.0.0.1:443/ Host blog.example.com SNI blog.example.com | frontend fe_https (line 16): use_backend blog if is_blog (line 26)');
		expect(routes['docs']).toBe(
			'none: Frontend fe_https routes to it with use_backend docs if is_docs (line 27), where hdr_beg(host) gives only the beginning of a Host (docs.), not a complete host name, so no Host could be derived; pass --host NAME with a complete host name it matches.',
		);
		expect(routes['cdn']).toBe('https://127.0.0.1:443/ Host www.cdn.example.com SNI www.cdn.example.com | frontend fe_https (line 16): use_backend cdn if is_cdn (line 28)');
		expect(routes['intranet']).toBe('https://127.0.0.1:443/ Host intra.example.com SNI intra.example.com | frontend fe_https (line 16): use_backend intranet if { ssl_fc_sni -i intra.example.com } (line 30)');
	});

	it('says why a Host regular expression gives no probe, and sends the rest to the default backend', () => {
		expect(routes['legacy']).toBe(
			'none: Frontend fe_https routes to it with use_backend legacy if { hdr_reg(host) -i ^old[0-9]+\\. } (line 31), where hdr_reg(host) matches Host with a regular expression, which gives no value to send; pass --url and --host.',
		);
		expect(routes['www']).toBe('https://127.0.0.1:443/ | frontend fe_https (line 16): default_backend www (line 33)');
	});

	it('with --host, checks the regular expression and routes there', () => {
		expect(summary(deriveRoute(sectionsOf('host-sni-path.cfg'), 'legacy', {interfaces, given: {host: 'old7.example.com'}}))).toBe(
			'https://127.0.0.1:443/ Host old7.example.com SNI old7.example.com | frontend fe_https (line 16): use_backend legacy if { hdr_reg(host) -i ^old[0-9]+\\. } (line 31)',
		);
	});

	it('proves TLS passthrough (req.ssl_sni, req_ssl_sni -m end) with tls:// and the SNI', () => {
		expect(routes['mail_tls']).toBe('tls://127.0.0.1:8443 SNI mail.example.com | frontend fe_sni_passthrough (line 35): use_backend mail_tls if { req.ssl_sni -i mail.example.com } (line 40)');
		expect(routes['chat_tls']).toBe('tls://127.0.0.1:8443 SNI www.chat.example.com | frontend fe_sni_passthrough (line 35): use_backend chat_tls if { req_ssl_sni -m end .chat.example.com } (line 41)');
	});

	it('says when nothing routes to a backend', () => {
		expect(routes['unused']).toBe('none: No frontend or listen section routes to it (no use_backend or default_backend names it); pass --url and --host.');
	});
});

describe('Host and SNI from partial matches (forms/partial-hosts.cfg)', () => {
	const routes = routesOf('partial-hosts.cfg');
	const noHost = (rule: string, line: number, fetch: string, part: string, value: string, what = 'Host') =>
		`none: Frontend ${what === 'Host' ? 'fe_http' : 'fe_sni_passthrough'} routes to it with ${rule} (line ${line}), where ${fetch} gives only ${part} of ${what === 'Host' ? 'a Host' : 'an SNI'} (${value}), not a complete host name, so no ${what} could be derived; pass --host NAME with a complete host name it matches.`;

	it('never sends a piece of a host name (a prefix, a suffix, a part, a port) as Host or SNI, and says --host NAME is needed', () => {
		expect(routes['docs']).toBe(noHost('use_backend docs if { hdr_beg(host) -i docs. }', 14, 'hdr_beg(host)', 'the beginning', 'docs.'));
		expect(routes['trailing']).toBe(noHost('use_backend trailing if { hdr_end(host) -i example. }', 17, 'hdr_end(host)', 'the end', 'example.'));
		expect(routes['api']).toBe(noHost('use_backend api if { hdr(host) -m beg api. }', 19, 'hdr(host)', 'the beginning', 'api.'));
		expect(routes['shop']).toBe(noHost('use_backend shop if { hdr_sub(host) .shop. }', 20, 'hdr_sub(host)', 'a part', '.shop.'));
		expect(routes['ported']).toBe(noHost('use_backend ported if { hdr_end(host) :8443 }', 21, 'hdr_end(host)', 'the end', ':8443'));
		expect(routes['mail_tls']).toBe(noHost('use_backend mail_tls if { req.ssl_sni -m beg mail. }', 29, 'req.ssl_sni', 'the beginning', 'mail.', 'SNI'));
	});

	it('takes the complete host names a partial match gives: a full value, a suffix under www, a domain without its dots', () => {
		expect(routes['help']).toBe('http://127.0.0.1:8080/ Host help.example.com | frontend fe_http (line 12): use_backend help if { hdr_beg(host) -i help. help.example.com } (line 15)');
		expect(routes['cdn']).toBe('http://127.0.0.1:8080/ Host www.cdn.example.com | frontend fe_http (line 12): use_backend cdn if { hdr_end(host) -i .cdn.example.com } (line 16)');
		expect(routes['wiki']).toBe('http://127.0.0.1:8080/ Host wiki.example.com | frontend fe_http (line 12): use_backend wiki if { hdr_dom(host) -i .wiki.example.com. } (line 18)');
		expect(routes['chat_tls']).toBe('tls://127.0.0.1:8443 SNI www.chat.example.com | frontend fe_sni_passthrough (line 24): use_backend chat_tls if { req_ssl_sni -m end .chat.example.com } (line 30)');
		expect(routes['www']).toBe('http://127.0.0.1:8080/ | frontend fe_http (line 12): default_backend www (line 22)');
	});

	it('with --host NAME, checks the partial match and routes there', () => {
		expect(summary(deriveRoute(sectionsOf('partial-hosts.cfg'), 'docs', {interfaces, given: {host: 'docs.example.com'}}))).toBe(
			'http://127.0.0.1:8080/ Host docs.example.com | frontend fe_http (line 12): use_backend docs if { hdr_beg(host) -i docs. } (line 14)',
		);
		expect(planProbe(sectionsOf('partial-hosts.cfg'), 'mail_tls', {host: 'mail.example.com', verifyTls: false}, {interfaces}).target).toMatchObject({scheme: 'tls', sni: 'mail.example.com'});
	});

	it('gives no derived Host or SNI in any fixture that is not a complete host name', () => {
		const forms = readdirSync(new URL('../fixtures/configs/forms/', import.meta.url)).filter((name) => name.endsWith('.cfg'));
		const names = forms.flatMap((name) => deriveRoutes(sectionsOf(name), {interfaces}).flatMap((route) => [route.probe?.host, route.probe?.sni]));
		const hostName = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)(?:\.(?!-)[A-Za-z0-9_-]{1,63}(?<!-))*$/;
		expect(names.filter((name): name is string => typeof name === 'string' && !hostName.test(name))).toEqual([]);
	});
});

describe('bind forms (forms/binds.cfg)', () => {
	const routes = routesOf('binds.cfg');

	it('probes wildcard binds at 127.0.0.1 (IPv6 ones too, unless v6only: then ::1), comma lists and family prefixes', () => {
		expect(routes['ipv6_wildcard']).toBe('tcp://127.0.0.1:3306 | listen ipv6_wildcard (line 9): its own servers');
		expect(routes['ipv6_brackets_v6only']).toBe('tcp://[::1]:3307 | listen ipv6_brackets_v6only (line 13): its own servers');
		expect(routes['comma_list']).toBe('tcp://127.0.0.1:5432 | listen comma_list (line 17): its own servers');
		expect(routes['family_prefix']).toBe('tcp://127.0.0.1:6379 | listen family_prefix (line 21): its own servers');
		expect(routes['ipv6_loopback']).toBe('tcp://[::1]:11211 | listen ipv6_loopback (line 25): its own servers');
	});

	it('reads localhost as 127.0.0.1 (as HAProxy binds it) and a port range as its first port', () => {
		expect(routes['on_localhost']).toBe('tcp://127.0.0.1:9200 | listen on_localhost (line 29): its own servers');
		expect(routes['port_range']).toBe('tcp://127.0.0.1:7000 | listen port_range (line 33): its own servers');
	});

	it('connects to the address of the interface a bind is tied to, and says when the host has no such interface', () => {
		expect(routes['on_interface']).toBe('tcp://10.1.1.5:8500 | listen on_interface (line 37): its own servers');
		expect(routes['on_missing_interface']).toBe(
			'none: Listen on_missing_interface binds :8600 (line 42), and it listens on interface bond7, which this host does not have (or which has no address); pass --url and --host.',
		);
	});

	it('takes a VIP this host carries as local, and gives no probe to an address of another host, saying why', () => {
		expect(routes['on_vip']).toBe('tcp://192.0.2.10:25 | listen on_vip (line 45): its own servers');
		expect(routes['on_other_host']).toBe(
			'none: Listen on_other_host binds 198.51.100.20:110 (line 50), which is not an address of this host, and drainboard never sends a probe off this host; use --proof live, or pass --url with an address of this host.',
		);
	});

	it('says why UNIX sockets give no probe (the QUIC bind is under a false .if feature(QUIC))', () => {
		expect(routes['on_unix_only']).toBe('none: Listen on_unix_only binds unix@/run/haproxy/local.sock (line 54), and it is a UNIX socket, which a TCP probe cannot reach; pass --url and --host.');
		expect(routes['quic_only']).toBe('none: Listen quic_only binds unix@/run/haproxy/h3-test.sock (line 62), and it is a UNIX socket, which a TCP probe cannot reach; pass --url and --host.');
	});

	it('sends a PROXY header to an accept-proxy bind (v2 when the config reads PROXY v2 TLVs), or prefers a bind without it', () => {
		expect(routes['proxied_only']).toBe('tcp://127.0.0.1:2525 PROXY v1 | listen proxied_only (line 65): its own servers');
		expect(routes['proxied_or_not']).toBe('tcp://127.0.0.1:2627 | listen proxied_or_not (line 69): its own servers');
		expect(routes['proxied_v2']).toBe('http://127.0.0.1:8081/ PROXY v2 | listen proxied_v2 (line 74): its own servers');
		expect(routes['expects_proxy_by_rule']).toBe('tcp://127.0.0.1:2727 PROXY v1 | listen expects_proxy_by_rule (line 80): its own servers');
	});

	it('reads each bind the way str2sa_range() does', () => {
		const bind = (line: string) => readBind(parseConfig(`frontend f\n    bind ${line}\n`)[0]!.statements[0]!, interfaces).targets;
		expect(bind('abstract@haproxy-local')).toEqual([{spec: 'abstract@haproxy-local', why: 'it is an abstract UNIX socket, which a TCP probe cannot reach'}]);
		expect(bind('quic4@:443 ssl crt x.pem')).toEqual([{spec: 'quic4@:443', why: 'it is QUIC over UDP, which a TCP probe cannot reach'}]);
		expect(bind('fd@3')).toEqual([{spec: 'fd@3', why: 'it is a file descriptor HAProxy inherited, which a TCP probe cannot reach'}]);
		expect(bind('/run/haproxy.sock')).toEqual([{spec: '/run/haproxy.sock', why: 'it is a UNIX socket, which a TCP probe cannot reach'}]);
		expect(bind(':8082 namespace blue')).toEqual([{spec: ':8082', why: 'it is in network namespace blue, which a probe from here does not enter'}]);
		expect(bind('lb.example.com:80')).toEqual([{spec: 'lb.example.com:80', why: 'it names host lb.example.com, which HAProxy resolved when it started; give its address with --url'}]);
		expect(bind('*:80,[::]:81,10.1.1.5:82')).toEqual([
			{address: '127.0.0.1', port: 80, local: true, spec: '*:80'},
			{address: '127.0.0.1', port: 81, local: true, spec: '[::]:81'},
			{address: '10.1.1.5', port: 82, local: true, spec: '10.1.1.5:82'},
		]);
		expect(bind('ipv6@:::8443 v6only interface eth1')).toEqual([{spec: 'ipv6@:::8443', why: 'it listens on interface eth1, which this host does not have (or which has no address)'}]);
	});
});

describe('mode: one decision for every reader (forms/modes.cfg)', () => {
	const sections = sectionsOf('modes.cfg');
	const mode = (name: string) => {
		const decision = sectionMode(sections, sections.find((section) => section.name === name && section.kind !== 'defaults')!);
		return [decision.mode, decision.line?.line ?? null, decision.inheritedFrom?.name ?? (decision.inheritedFrom ? '(unnamed defaults)' : null)];
	};

	it('is tcp when no mode is written anywhere (HAProxy default)', () => {
		expect(mode('no_mode_anywhere')).toEqual(['tcp', null, null]);
	});

	it('follows the last defaults before a proxy, and "from" to a named one, through a defaults "from" chain', () => {
		expect(mode('inherits_unnamed_from_web')).toEqual(['http', 13, 'web']);
		expect(mode('takes_named_tcp')).toEqual(['tcp', 17, 'tcp_profile']);
		expect(defaultsChain(sections, sections.find((section) => section.name === 'takes_named_tcp')!).map((section) => section.name)).toEqual(['web', 'tcp_profile']);
	});

	it('lets a section own mode line override its defaults', () => {
		expect(mode('takes_web_own_tcp')).toEqual(['tcp', 31, null]);
		expect(mode('be_http_own')).toEqual(['http', 44, null]);
		expect(mode('be_tcp_inherited')).toEqual(['tcp', 36, '(unnamed defaults)']);
	});

	it('is the mode the routes, the backend facts and the runbook use', () => {
		const routes = Object.fromEntries(deriveRoutes(sections, {interfaces}).map((route) => [route.backend, route.mode]));
		expect(routes).toEqual({
			no_mode_anywhere: 'tcp',
			inherits_unnamed_from_web: 'http',
			takes_named_tcp: 'tcp',
			takes_web_own_tcp: 'tcp',
			be_http_own: 'http',
			be_tcp_inherited: 'tcp',
		});
		expect(Object.keys(routes).map((name) => backendFacts(sections, name)?.mode)).toEqual(Object.values(routes));
		expect(routesOf('modes.cfg')['inherits_unnamed_from_web']).toBe('http://127.0.0.1:9002/ | listen inherits_unnamed_from_web (line 22): its own servers');
		expect(routesOf('modes.cfg')['be_tcp_inherited']).toBe('tcp://127.0.0.1:9006 | frontend fe_tcp_inherited (line 50): default_backend be_tcp_inherited (line 52)');
	});
});

describe('rules that gate every request (forms/gating.cfg)', () => {
	const routes = routesOf('gating.cfg');

	it('derives the Host that "http-request deny unless" lets through, and the path that "deny if !… !…" does', () => {
		expect(routes['app']).toBe('http://127.0.0.1:8001/ Host app.example.com | frontend fe_deny_unless (line 9): default_backend app (line 13)');
		expect(routes['shop']).toBe('http://127.0.0.1:8002/shop/ | frontend fe_deny_if_not (line 15): default_backend shop (line 18)');
	});

	it('follows "allow if LOCALHOST" before a deny, and the rules of a named defaults section', () => {
		expect(routes['admin']).toBe('http://127.0.0.1:8004/ | frontend fe_localhost_allowed (line 25): default_backend admin (line 29)');
		expect(routes['strict_app']).toBe('http://127.0.0.1:8009/ Host strict.example.com | frontend fe_strict (line 77): default_backend strict_app (line 79)');
	});

	it('says why no probe can pass: a source-address gate, a variable, a rewritten Host, monitor-uri, a backend that refuses', () => {
		expect(routes['internal']).toBe(
			'none: In frontend fe_only_inside, http-request deny unless { src 10.0.0.0/8 192.168.0.0/16 } (line 22) refuses every request drainboard can derive; pass --url and --host.',
		);
		expect(routes['tenant']).toBe(
			'none: In frontend fe_variable, whether use_backend tenant if { var(txn.tenant) -m found } (line 34) applies is not known from the configuration: { var(txn.tenant) } cannot be evaluated: it reads variable txn.tenant, set while the request is processed; pass --url and --host.',
		);
		expect(routes['rewritten']).toBe(
			'none: In frontend fe_rewrites_host, whether use_backend rewritten if { hdr(host) internal.example.com } (line 39) applies is not known from the configuration: hdr(host) cannot be evaluated: an earlier rule sets header host; pass --url and --host.',
		);
		// monitor-uri answers its own path only: another path goes on to the backend.
		expect(routes['monitored']).toBe('http://127.0.0.1:8007/drainboard-probe | frontend fe_monitor (line 41): default_backend monitored (line 44)');
		expect(routes['rooted']).toBe('http://127.0.0.1:8010/drainboard-probe | frontend fe_root_redirect (line 82): default_backend rooted (line 86)');
		expect(routes['refuses_at_backend']).toBe('none: In backend refuses_at_backend, http-request deny if { path_beg / } (line 62) refuses every request drainboard can derive; pass --url and --host.');
	});

	it('reaches the default backend with the path a negated use_backend leaves to it, and says how many requests met each reason when none passes', () => {
		expect(routes['api_fallthrough']).toBe('http://127.0.0.1:8011/api | frontend fe_not_api (line 93): default_backend api_fallthrough (line 97)');
		// The deny refuses /admin only: it is not said to refuse every request, and where the others went is said too.
		expect(routes['canary']).toBe(
			'none: In frontend fe_not_canary, http-request deny if { path_beg /admin } (line 105) refuses 1 of the 3 requests drainboard can derive; frontend fe_not_canary sends 2 of the 3 requests drainboard can derive to rooted (use_backend rooted if !{ req.hdr(x-canary) -m found }, line 106); pass --url and --host.',
		);
	});
});

describe('a backend chosen by what the probe does not vary', () => {
	it('names the rule and what it tests (a method, a header, a query parameter) instead of "every request goes to web"', () => {
		const sections = parseConfigFiles([
			{
				file: '/etc/haproxy/haproxy.cfg',
				text: ['defaults', '    mode http', 'frontend fe', '    bind 127.0.0.1:80', '    use_backend postb if METH_POST', '    use_backend tenant if { req.hdr(x-tenant) -m found }', '    default_backend web', 'backend postb', '    server p 10.0.0.1:80', 'backend tenant', '    server t 10.0.0.2:80', 'backend web', '    server w 10.0.0.3:80'].join('\n'),
			},
		]).sections;
		const why = (backend: string) => deriveRoute(sections, backend, {interfaces}).why;
		expect(why('postb')).toBe(
			'Frontend fe routes to it only with use_backend postb if METH_POST (line 5), where method is not something the probe varies (only the Host, SNI and path of its GET requests): use --proof live, where real clients are the proof.',
		);
		expect(why('tenant')).toMatch(/^Frontend fe routes to it only with use_backend tenant if \{ req\.hdr\(x-tenant\) -m found \} \(line 6\), where req\.hdr\(x-tenant\) is not something the probe varies/);
		expect(deriveRoute(sections, 'web', {interfaces}).probe?.url).toBe('http://127.0.0.1:80/');
	});

	it('says so even when a later rule, which cannot decide its routing, is unknown or no backend is left (503)', () => {
		const sections = parseConfigFiles([
			{
				file: '/etc/haproxy/haproxy.cfg',
				text: [
					'defaults',
					'    mode http',
					'frontend f2',
					'    bind 127.0.0.1:80',
					'    acl is_shop hdr(host) shop1.example.com',
					'    use_backend be_shopx if is_shop METH_POST',
					'    use_backend be_ws if { hdr(upgrade) -i websocket }',
					'    use_backend be_file if { hdr(host) -i -f /nonexistent/hosts.lst }',
					'backend be_shopx',
					'    server p 10.0.0.1:80',
					'backend be_ws',
					'    server w 10.0.0.2:80',
					'backend be_file',
					'    server f 10.0.0.3:80',
				].join('\n'),
			},
		]).sections;
		const why = (backend: string) => deriveRoute(sections, backend, {interfaces}).why;
		expect(why('be_shopx')).toBe(
			'Frontend f2 routes to it only with use_backend be_shopx if is_shop METH_POST (line 6), where method is not something the probe varies (only the Host, SNI and path of its GET requests): use --proof live, where real clients are the proof.',
		);
		expect(why('be_ws')).toMatch(/^Frontend f2 routes to it only with use_backend be_ws if \{ hdr\(upgrade\) -i websocket \} \(line 7\), where hdr\(upgrade\) is not something the probe varies .*\.$/);
		expect(why('be_ws')).not.toContain('line 8');
	});
});

describe('.if blocks, map files, dynamic names, listen sections (forms/conditions-and-files.cfg)', () => {
	const routes = routesOf('conditions-and-files.cfg');

	it('uses the rule of the .if branch HAProxy takes, and routes through a listen section to another backend', () => {
		expect(routes['newer']).toBe('http://127.0.0.1:8080/new | frontend fe_main (line 13): use_backend newer if { path_beg /new } (line 19)');
		expect(routes['lst_front']).toBe('http://127.0.0.1:8090/ | listen lst_front (line 30): its own servers');
		expect(routes['api']).toBe('http://127.0.0.1:8090/api | listen lst_front (line 30): use_backend api if { path_beg /api } (line 32)');
	});

	it('names the .if it cannot evaluate when only lines under it route to a backend', () => {
		const unknownVersion = parseConfigFiles([{file: 'haproxy.cfg', text: readFileSync(new URL('../fixtures/configs/forms/conditions-and-files.cfg', import.meta.url), 'utf8')}]).sections;
		expect(deriveRoute(unknownVersion, 'newer', {interfaces}).why).toBe(
			'The line use_backend newer if { path_beg /new } (line 19) is under .if version_atleast(2.4) (line 18), which cannot be evaluated here (the version of the running HAProxy is not known); pass --url and --host.',
		);
	});

	it('gives no probe where a map file that cannot be read or a %[...] name decides, and says which', () => {
		expect(routes['main']).toBe(
			'none: In frontend fe_main, use_backend %[req.hdr(host),lower,map(/etc/haproxy/hosts.map)] (line 23) picks the backend from the request, and map file /etc/haproxy/hosts.map cannot be read (no such file); pass --url and --host.',
		);
		expect(routes['mapped_only']).toBe('none: Only a map file (line 23) routes to it, and map file /etc/haproxy/hosts.map cannot be read (no such file); pass --url and --host.');
		expect(routes['be_billing']).toBe('none: Only use_backend be_%[req.hdr(x-app)] (line 28) can route to it, by a name taken from the request; pass --url and --host.');
	});

	it('reads the map: a key leading to the backend gives the Host, with the map line as evidence; no key and no default ends the rules (default_backend)', () => {
		const mapped = routesOf('conditions-and-files.cfg', {'/etc/haproxy/hosts.map': '# hosts\nNEW.example.com newer\n  mapped.example.com   mapped_only  \nmain.example.com main\n'});
		expect(mapped['mapped_only']).toBe(
			'http://127.0.0.1:8080/ Host mapped.example.com | frontend fe_main (line 13): use_backend %[req.hdr(host),lower,map(/etc/haproxy/hosts.map)] (line 23), map /etc/haproxy/hosts.map line 3: mapped.example.com → mapped_only',
		);
		expect(mapped['main']).toBe('http://127.0.0.1:8080/ | frontend fe_main (line 13): default_backend main (line 24)');
		expect(mapped['be_billing']).toBe(routes['be_billing']);
	});

	it('leaves a map matched by regular expressions, or a virtual one, unknown, and says why', () => {
		const text = (converter: string) =>
			`defaults\n    mode http\nfrontend fe\n    bind 127.0.0.1:80\n    use_backend %[req.hdr(host),${converter}]\n    default_backend be_default\nbackend be_default\n    server s 10.0.0.1:80\nbackend be_x\n    server s 10.0.0.2:80\n`;
		const routeOf = (converter: string, backend: string) => {
			const sections = parseConfigFiles([{file: '/etc/haproxy/haproxy.cfg', text: text(converter)}]).sections;
			return deriveRoute(sections, backend, {interfaces, maps: mapsOf(sections, {'/etc/haproxy/x.map': '^x\\. be_x\nx.example.com be_x\n'})}).why;
		};

		expect(routeOf('map_reg(/etc/haproxy/x.map)', 'be_default')).toBe(
			'In frontend fe, use_backend %[req.hdr(host),map_reg(/etc/haproxy/x.map)] (line 5) picks the backend from the request, and converter map_reg matches keys in a way drainboard does not evaluate (regular expressions, numbers or addresses); pass --url and --host.',
		);
		expect(routeOf('map_reg(/etc/haproxy/x.map)', 'be_x')).toBe('Only a map file (line 5) routes to it, and it looks the name up with map_reg, which drainboard does not evaluate; pass --url and --host.');
		expect(routeOf('map(virt@hosts)', 'be_x')).toBe('Only a map file (line 5) routes to it, and map virt@hosts is a virtual one, filled at run time, not from a file; pass --url and --host.');
		expect(routeOf('map(/etc/haproxy/x.map)', 'be_x')).toBe(null);
		// opt@: a missing file is an empty map, so its default applies; without opt@ the route is unknown.
		expect(routeOf('map(opt@/etc/haproxy/none.map,be_x)', 'be_x')).toBe(null);
		expect(routeOf('map(/etc/haproxy/none.map,be_x)', 'be_x')).toBe('Only a map file (line 5) routes to it, and map file /etc/haproxy/none.map cannot be read (no such file); pass --url and --host.');
		expect(routeOf('map(/etc/haproxy/none.map,be_x)', 'be_default')).toBe(
			'In frontend fe, use_backend %[req.hdr(host),map(/etc/haproxy/none.map,be_x)] (line 5) picks the backend from the request, and map file /etc/haproxy/none.map cannot be read (no such file); pass --url and --host.',
		);
		expect(routeOf('map(/etc/haproxy/x.map,be_x)', 'be_default')).toBe('Frontend fe sends every request drainboard can derive to be_x (use_backend %[req.hdr(host),map(/etc/haproxy/x.map,be_x)], line 5, map /etc/haproxy/x.map: no key matches 127.0.0.1:80, its default be_x); pass --url and --host.');
	});

	it('names the map keys no request can match (a control character; upper case looked up after lower) rather than blaming the frontend', () => {
		const text = (fallback: string) =>
			`defaults\n    mode http\nfrontend fe\n    bind 127.0.0.1:80\n    use_backend %[req.hdr(host),lower,map(/etc/haproxy/x.map)]\n${fallback}backend be_default\n    server s 10.0.0.1:80\nbackend be_x\n    server s 10.0.0.2:80\n`;
		const routeOf = (fallback: string, map: string) => {
			const sections = parseConfigFiles([{file: '/etc/haproxy/haproxy.cfg', text: text(fallback)}]).sections;
			return deriveRoute(sections, 'be_x', {interfaces, maps: mapsOf(sections, {'/etc/haproxy/x.map': map})});
		};

		const unmatchable = 'x\u0001.example.com be_x\nUPPER.example.com be_x\n';
		const why =
			'Only a map file (line 5) routes to it, and the keys of map /etc/haproxy/x.map that lead to be_x are ones no request matches (x\\x01.example.com: it holds a space or a control character; UPPER.example.com: it has upper-case letters, and the name is looked up after lower); pass --url and --host.';
		expect(routeOf('', unmatchable).why).toBe(why);
		expect(routeOf('    default_backend be_default\n', unmatchable).why).toBe(why);
		// One key a request can carry is enough: it is the probe's Host.
		const reachable = routeOf('', `${unmatchable}shop.example.com be_x\n`);
		expect(reachable.why).toBe(null);
		expect(reachable.probe?.host).toBe('shop.example.com');
	});

	it('takes the SNI a mode tcp frontend maps to a backend (req.ssl_sni) from the map\'s keys; with none for a backend, says HAProxy closes the connection, not 503', () => {
		const text = `defaults\n    mode tcp\nfrontend sn\n    bind 127.0.0.1:443\n    tcp-request inspect-delay 3s\n    tcp-request content accept if { req_ssl_hello_type 1 }\n    use_backend %[req.ssl_sni,lower,map(/etc/haproxy/sni.map)]\nbackend sb_a\n    server s 10.0.0.1:443\nbackend sb_b\n    server s 10.0.0.2:443\nbackend sb_c\n    server s 10.0.0.3:443\nfrontend other\n    bind 127.0.0.1:444\n    use_backend %[req.ssl_sni,lower,map(/etc/haproxy/sni.map)] if { req.ssl_sni -m found }\n`;
		const sections = parseConfigFiles([{file: '/etc/haproxy/haproxy.cfg', text}]).sections;
		const routes = deriveRoutes(sections, {interfaces, maps: mapsOf(sections, {'/etc/haproxy/sni.map': 'a.example.com sb_a\nb.example.com sb_b\n'})});
		const byName = Object.fromEntries(routes.map((route) => [route.backend, route.probe ? `${route.probe.url} SNI ${route.probe.sni ?? '-'}` : route.why]));
		expect(byName['sb_a']).toBe('tls://127.0.0.1:443 SNI a.example.com');
		expect(byName['sb_b']).toBe('tls://127.0.0.1:443 SNI b.example.com');
		expect(byName['sb_c']).toBe('Only a map file (line 7) routes to it, and no key of map /etc/haproxy/sni.map (nor its default) leads to sb_c; pass --url and --host.');
		expect(routes.find((route) => route.backend === 'sb_a')?.probe?.from).toBe('frontend sn (line 3): use_backend %[req.ssl_sni,lower,map(/etc/haproxy/sni.map)] (line 7), map /etc/haproxy/sni.map line 1: a.example.com → sb_a');
		const blocked = parseConfigFiles([{file: '/etc/haproxy/haproxy.cfg', text: 'frontend sn\n    mode tcp\n    bind 127.0.0.1:443\n    use_backend be_x if { req.ssl_sni -i x.example.com }\nbackend be_x\n    mode tcp\n    server s 10.0.0.1:443\nbackend be_y\n    mode tcp\n    server s 10.0.0.1:443\n'}]).sections;
		expect(deriveRoute(blocked, 'be_x', {interfaces}).why).toBe(null);
	});

	it('a strict-sni bind: no probe without a server name (it would refuse the handshake), one with the name a condition or --host gives', () => {
		const text = (rule: string) => `defaults\n    mode http\nfrontend fe\n    bind 127.0.0.1:443 ssl crt /etc/haproxy/site.pem strict-sni\n    ${rule}\nbackend be\n    server s 10.0.0.1:80\nbackend be_other\n    server s 10.0.0.2:80\n`;
		const route = (rule: string, given?: {host: string}) => deriveRoute(parseConfigFiles([{file: '/etc/haproxy/haproxy.cfg', text: text(rule)}]).sections, 'be', {interfaces, given});
		expect(route('default_backend be').why).toBe(
			'Frontend fe binds 127.0.0.1:443 with strict-sni (line 4), which refuses a TLS connection that does not name a server its certificates hold, and the configuration names none that leads to be; pass --url and --host.',
		);
		expect(route('default_backend be', {host: 'shop.example.com'}).probe).toMatchObject({url: 'https://127.0.0.1:443/', sni: 'shop.example.com'});
		expect(route('use_backend be if { ssl_fc_sni -i api.example.com }').probe).toMatchObject({url: 'https://127.0.0.1:443/', sni: 'api.example.com'});
	});

	it('follows a redirect with ignore-empty through its map: an empty location does not redirect; regsub before a map is applied', () => {
		const text = [
			'defaults',
			'    mode http',
			'frontend fe',
			'    bind 127.0.0.1:80',
			'    http-request redirect code 301 location %[path,map_str(/etc/haproxy/r.map)] ignore-empty',
			'    http-request redirect prefix https://x code 301 if { hdr(host),lower,regsub(:\\d+$,,),map_str(/etc/haproxy/h.map) -m found }',
			'    default_backend be',
			'backend be',
			'    server s 10.0.0.1:80',
			'',
		].join('\n');
		const sections = parseConfigFiles([{file: '/etc/haproxy/haproxy.cfg', text}]).sections;
		const why = (maps: Record<string, string>) => deriveRoute(sections, 'be', {interfaces, maps: mapsOf(sections, maps)}).why;
		expect(why({'/etc/haproxy/r.map': '/old /new\n', '/etc/haproxy/h.map': 'other.example.com x\n'})).toBe(null);
		// The map redirects / only: a path no rule names goes on to the backend.
		expect(why({'/etc/haproxy/r.map': '/ /new\n', '/etc/haproxy/h.map': ''})).toBe(null);
		expect(deriveRoute(sections, 'be', {interfaces, maps: mapsOf(sections, {'/etc/haproxy/r.map': '/ /new\n', '/etc/haproxy/h.map': ''})}).probe?.url).toBe('http://127.0.0.1:80/drainboard-probe');
		// The probe's Host is 127.0.0.1:80: regsub drops the port, and the map has the address.
		expect(why({'/etc/haproxy/r.map': '', '/etc/haproxy/h.map': '127.0.0.1 x\n'})).toMatch(/^In frontend fe, http-request redirect prefix https:\/\/x .* \(line 6\) redirects every request drainboard can derive/);
	});

	it('tries a few keys of a large map, not all of them, and keeps the values of the conditions', () => {
		const text = [
			'defaults',
			'    mode http',
			'frontend fe',
			'    bind 127.0.0.1:80',
			'    http-request deny if { path_beg /k }',
			'    use_backend %[req.hdr(host),lower,map_dom(/etc/haproxy/hosts.map)] if { path_beg /only-here }',
			'    use_backend %[path,map_beg(/etc/haproxy/paths.map)]',
			'backend be_a',
			'    server s 10.0.0.1:80',
			'backend be_b',
			'    server s 10.0.0.2:80',
			'',
		].join('\n');
		const hosts = Array.from({length: 5000}, (_, index) => `host${index}.example.com be_${index % 2 === 0 ? 'a' : 'b'}`).join('\n');
		// Every path of this map is refused: were its keys all tried first, /only-here would never be.
		const paths = Array.from({length: 5000}, (_, index) => `/k${index} be_b`).join('\n');
		const sections = parseConfigFiles([{file: '/etc/haproxy/haproxy.cfg', text}]).sections;
		const found = deriveRoutes(sections, {interfaces, maps: mapsOf(sections, {'/etc/haproxy/hosts.map': hosts, '/etc/haproxy/paths.map': paths})}).map(summary);
		expect(found).toEqual([
			'http://127.0.0.1:80/only-here Host host0.example.com | frontend fe (line 3): use_backend %[req.hdr(host),lower,map_dom(/etc/haproxy/hosts.map)] if { path_beg /only-here } (line 6), map /etc/haproxy/hosts.map line 1: host0.example.com → be_a',
			'http://127.0.0.1:80/only-here Host host1.example.com | frontend fe (line 3): use_backend %[req.hdr(host),lower,map_dom(/etc/haproxy/hosts.map)] if { path_beg /only-here } (line 6), map /etc/haproxy/hosts.map line 2: host1.example.com → be_b',
		]);
	});

	it('says a disabled frontend is disabled', () => {
		expect(routes['offline']).toBe('none: Frontend fe_off (line 35) is disabled; pass --url and --host.');
	});

	it('a stick-table only for rate limits is not persistence; stick on is', () => {
		const sections = sectionsOf('conditions-and-files.cfg');
		expect(backendFacts(sections, 'main')?.persistence).toEqual([]);
		expect(backendFacts(sections, 'sticky')?.persistence).toEqual(['stick on src']);
	});

	it('resolves the server-state file against server-state-base, and a local one from server-state-file-name', () => {
		const sections = sectionsOf('conditions-and-files.cfg');
		expect(backendFacts(sections, 'main')).toMatchObject({serverStateFile: '/var/lib/haproxy/global.state', loadsServerState: true});
		expect(backendFacts(sections, 'api')).toMatchObject({serverStateFile: '/var/lib/haproxy/api.state', loadsServerState: true});
		expect([stateFilePath('/abs/state', '/base'), stateFilePath('rel', '/base'), stateFilePath('rel', '/base/'), stateFilePath('rel', undefined)]).toEqual(['/abs/state', '/base/rel', '/base/rel', 'rel']);
	});
});

describe('conditions as parse_acl_cond() reads them', () => {
	it('splits at if/unless, with ! alone or attached, or and ||, and inline braces', () => {
		expect(splitRule(['shop', 'if', '!', 'is_a', '{', 'path_beg', '/x', '}', 'or', '!!is_b', '||', 'is_c'])).toEqual({
			action: ['shop'],
			condition: {
				unless: false,
				suites: [[{negated: true, acl: 'is_a'}, {negated: false, expression: ['path_beg', '/x']}], [{negated: false, acl: 'is_b'}], [{negated: false, acl: 'is_c'}]],
			},
			error: null,
		});
		expect(splitRule(['deny', 'unless', '{', 'ssl_fc'])).toMatchObject({condition: null, error: "missing closing '}' in condition"});
	});
});

describe('the probe plan: --url, --host and --path over the derivation', () => {
	const sections = sectionsOf('host-sni-path.cfg');

	it('derives everything when nothing is given', () => {
		expect(planProbe(sections, 'shop', {verifyTls: false}, {interfaces})).toEqual({
			target: {scheme: 'https', address: '127.0.0.1', port: 443, path: '/cart', host: 'shop.example.com', sni: 'shop.example.com', proxyProtocol: null, verifyTls: false, from: 'frontend fe_https (line 16): use_backend shop if is_shop { path_beg /cart } (line 24)'},
			source: 'derived from frontend fe_https (line 16): use_backend shop if is_shop { path_beg /cart } (line 24)',
		});
	});

	it('--host and --path replace what was derived, and the route is found for them', () => {
		const plan = planProbe(sections, 'shop_home', {host: 'www.shop.example.com', path: '/account', verifyTls: true}, {interfaces});
		expect(plan.target).toMatchObject({scheme: 'https', port: 443, path: '/account', host: 'www.shop.example.com', sni: 'www.shop.example.com', verifyTls: true});
	});

	it('--url sets the listener; what it leaves out (Host, path) comes from the derivation for that listener', () => {
		expect(planProbe(sections, 'shop', {url: 'https://127.0.0.1:443', verifyTls: false}, {interfaces}).target).toMatchObject({path: '/cart', host: 'shop.example.com', from: expect.stringMatching(/^--url, through frontend fe_https/) as string});
		// A path written in --url is sent: the Host comes from the rule that routes it there, and a path that no rule routes there is named as --url's alone.
		expect(planProbe(sections, 'shop', {url: 'https://127.0.0.1:443/cart/checkout', verifyTls: false}, {interfaces}).target).toMatchObject({path: '/cart/checkout', host: 'shop.example.com', from: expect.stringMatching(/^--url, through frontend fe_https/) as string});
		expect(planProbe(sections, 'shop', {url: 'https://127.0.0.1:443/other', verifyTls: false}, {interfaces})).toMatchObject({target: {path: '/other', host: null, from: '--url'}, source: 'from --url'});
		expect(planProbe(sections, 'legacy', {url: 'https://127.0.0.1:443/', verifyTls: false}, {interfaces})).toMatchObject({target: {host: null, from: '--url'}, source: 'from --url'});
	});

	it('gives no probe for a derived address that is not on this host, and says so', () => {
		expect(planProbe(sectionsOf('binds.cfg'), 'on_other_host', {verifyTls: false}, {interfaces})).toEqual({
			target: null,
			why: 'Listen on_other_host binds 198.51.100.20:110 (line 50), which is not an address of this host, and drainboard never sends a probe off this host; use --proof live, or pass --url with an address of this host',
		});
	});

	it('decides as deriveRoute does, for every backend of every fixture: a probe for the same ones, the same reason for the others', () => {
		const forms = readdirSync(new URL('../fixtures/configs/forms/', import.meta.url)).filter((name) => name.endsWith('.cfg'));
		let compared = 0;
		for (const name of forms) {
			const fixture = sectionsOf(name);
			for (const route of deriveRoutes(fixture, {interfaces})) {
				const plan = planProbe(fixture, route.backend, {verifyTls: false}, {interfaces});
				expect({backend: route.backend, why: plan.target === null ? plan.why : null}, name).toEqual({backend: route.backend, why: route.why?.replace(/\.$/, '') ?? null});
				compared++;
			}
		}

		expect(compared).toBeGreaterThan(50);
	});
});

describe('local addresses', () => {
	it('are all of 127.0.0.0/8, ::1 (also written long or IPv4-mapped) and the addresses of this host, nothing else', () => {
		expect(['127.0.0.1', '127.0.0.2', '127.255.0.9', '::1', '0:0:0:0:0:0:0:1', '[::1]', '::ffff:127.0.0.2', '10.1.1.5', '192.0.2.10'].map((address) => isLocalAddress(address, interfaces))).toEqual(Array.from({length: 9}, () => true));
		expect(['10.1.1.6', '192.0.2.11', '8.8.8.8', '::2', 'fe80::1', 'localhost', ''].map((address) => isLocalAddress(address, interfaces))).toEqual(Array.from({length: 7}, () => false));
	});

	it('backendSection finds a listen section too', () => {
		expect(backendSection(sectionsOf('binds.cfg'), 'on_vip')?.kind).toBe('listen');
	});
});

describe("every listener that routes to a backend (the wizard's l)", () => {
	const sections = parseConfigFiles(
		[
			{
				file: '/etc/haproxy/haproxy.cfg',
				text: 'defaults\n    mode http\nfrontend public\n    bind 192.0.2.99:80\n    default_backend web\nfrontend main\n    bind :80\n    bind :8080\n    default_backend web\nfrontend secure\n    bind :443 ssl crt /etc/ssl/site.pem\n    default_backend web\nbackend web\n    server w1 10.0.0.1:80\n',
			},
		],
		facts,
	).sections;

	it('lists the listeners on this host, best first (the derived probe first), each once, none off this host', () => {
		const candidates = routeCandidates(sections, 'web', {interfaces});
		expect(candidates.map((candidate) => `${candidate.url} | ${candidate.from}`)).toEqual([
			'http://127.0.0.1:80/ | frontend main (line 6): default_backend web (line 9)',
			'http://127.0.0.1:8080/ | frontend main (line 6): default_backend web (line 9)',
			'https://127.0.0.1:443/ | frontend secure (line 10): default_backend web (line 12)',
		]);
		expect(candidates[0]).toEqual(deriveRoute(sections, 'web', {interfaces}).probe);
	});

	it('planProbe offers the others as alternatives to the derived one', () => {
		const plan = planProbe(sections, 'web', {verifyTls: false}, {interfaces});
		expect(plan.target && 'alternatives' in plan ? plan.alternatives?.map((one) => `${one.target.scheme}://${one.target.address}:${one.target.port}`) : undefined).toEqual(['http://127.0.0.1:8080', 'https://127.0.0.1:443']);
	});
});
