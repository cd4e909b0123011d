import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {backendFacts} from '../../source/config/backend-facts.js';
import {conditionFacts, configEnvironment} from '../../source/config/condition-facts.js';
import {parseConfigFiles, type ParsedConfig} from '../../source/config/parse-config.js';
import {deriveRoute} from '../../source/config/routes.js';
import {statsSockets} from '../../source/config/stats-socket.js';
import {findTargetInConfig} from '../../source/config/target-in-config.js';
import {parseTarget} from '../../source/runtime/names.js';

const fixture = (name: string) => ({file: `/etc/haproxy/${name}`, text: readFileSync(new URL(`../fixtures/configs/${name}`, import.meta.url), 'utf8')});

const facts = (options: {version?: string | null; features?: string | null; env?: Record<string, string>} = {}) =>
	conditionFacts({
		environment: configEnvironment(new Map(Object.entries(options.env ?? {}))),
		version: options.version === undefined ? '3.0.11' : options.version,
		build: options.features === null ? null : {version: options.version ?? '3.0.11', features: options.features ?? '+EPOLL -QUIC +THREAD +OPENSSL'},
		args: null,
	});

const keywords = (config: ParsedConfig, kind: string, name?: string) =>
	config.sections.filter((section) => section.kind === kind && (name === undefined || section.name === name)).flatMap((section) => section.statements.map((statement) => `${statement.uncertain ? '? ' : ''}${statement.keyword} ${statement.args.join(' ')}`.trim()));

describe('HAProxy example basic-config-edge.cfg (.if feature(QUIC))', () => {
	const edge = fixture('basic-config-edge.cfg');

	it('leaves the QUIC bind out when HAProxy was built without QUIC, and says which .if did', () => {
		const config = parseConfigFiles([edge], facts({features: '+EPOLL -QUIC +OPENSSL'}));
		expect(keywords(config, 'frontend', 'pub1').filter((line) => line.startsWith('bind'))).toEqual(['bind :80 name clear', 'bind :443 name secure ssl crt pub1.pem']);
		expect(config.dropped.map((line) => [line.keyword, line.line, line.because.text, line.because.outcome])).toEqual([
			['bind', 75, '.if feature(QUIC)', 'false'],
			['http-response', 76, '.if feature(QUIC)', 'false'],
		]);
		expect(config.uncertainties).toEqual([]);
	});

	it('reads it when HAProxy was built with QUIC', () => {
		const config = parseConfigFiles([edge], facts({features: '+EPOLL +QUIC +OPENSSL'}));
		expect(keywords(config, 'frontend', 'pub1')).toContain('bind quic4@:443 name quic ssl crt pub1.pem allow-0rtt');
		expect(config.dropped).toEqual([]);
	});

	it('neither takes nor drops it when the features are not known, and names the condition', () => {
		const config = parseConfigFiles([edge], facts({features: null}));
		expect(keywords(config, 'frontend', 'pub1')).toContain('? bind quic4@:443 name quic ssl crt pub1.pem allow-0rtt');
		expect(config.uncertainties).toEqual([{file: '/etc/haproxy/basic-config-edge.cfg', line: 73, text: '.if feature(QUIC)', why: 'no haproxy binary could say which features it was built with'}]);
	});

	it('still gives the admin socket, the TLS listener (port 80 redirects to https), cookie persistence and the servers', () => {
		const config = parseConfigFiles([edge], facts());
		expect(statsSockets(config.sections).map((socket) => [socket.endpoint.label, socket.level])).toEqual([['/var/run/haproxy-svc1.sock', 'admin']]);
		expect(deriveRoute(config.sections, 'app1', {interfaces: {}}).probe).toEqual({
			url: 'https://127.0.0.1:443/',
			host: null,
			sni: null,
			proxyProtocol: null,
			local: true,
			from: 'frontend pub1 (line 68): default_backend app1 (line 99)',
		});
		expect(backendFacts(config.sections, 'app1')).toMatchObject({balance: 'random', persistence: ['cookie app1 insert indirect nocache'], uncertain: []});
		expect(findTargetInConfig(config, parseTarget('app1/srv3'), [edge.file])).toEqual({found: true, where: '/etc/haproxy/basic-config-edge.cfg line 130'});
	});
});

describe('HAProxy example traces.cfg (.if version_atleast(3.1-dev8))', () => {
	const traces = fixture('traces.cfg');
	const hasTraces = (version: string | null) => parseConfigFiles([traces], facts({version, features: null})).sections.some((section) => section.name === null && section.statements.some((statement) => statement.keyword === 'trace'));

	it('has the traces section from 3.1-dev8 on, not before', () => {
		expect([hasTraces('3.0.11'), hasTraces('3.1-dev7'), hasTraces('3.1-dev8'), hasTraces('3.4.0-64a335366')]).toEqual([false, false, true, true]);
	});

	it('marks it uncertain when the version is not known', () => {
		const config = parseConfigFiles([traces], facts({version: null, features: null}));
		expect(config.sections[0]).toMatchObject({uncertain: {line: 5, text: '.if version_atleast(3.1-dev8)', why: 'the version of the running HAProxy is not known'}});
	});
});

describe('HAProxy regression-test config set_ssl_cert (streq("$VTC_SOCK_TYPE",quic), "${tmpdir}", ssllib_name_startswith)', () => {
	const ssl = fixture('set-ssl-cert.cfg');

	it('takes the branches the environment decides, expands "${tmpdir}" and "${X-default}", keeps unquoted ${testdir}', () => {
		const quic = parseConfigFiles([ssl], facts({env: {VTC_SOCK_TYPE: 'quic', tmpdir: '/tmp/vt'}}));
		expect(keywords(quic, 'global')).toEqual([
			'expose-experimental-directives',
			'thread-groups 1',
			'? tune.ssl.default-dh-param 2048',
			'tune.ssl.capture-buffer-size 1',
			'stats socket /tmp/vt/h1/stats level admin',
			'crt-base ${testdir}/certs',
		]);
		expect(keywords(quic, 'defaults')).toContain('timeout connect 5s');
		expect(statsSockets(quic.sections).map((socket) => socket.endpoint.label)).toEqual(['/tmp/vt/h1/stats']);

		const tcp = parseConfigFiles([ssl], facts({env: {tmpdir: '/tmp/vt', HAPROXY_TEST_TIMEOUT: '1s'}}));
		expect(keywords(tcp, 'global')[0]).toBe('thread-groups 1');
		expect(tcp.dropped[0]).toMatchObject({keyword: 'expose-experimental-directives', because: {line: 2, text: '.if streq("$VTC_SOCK_TYPE",quic)', outcome: 'false'}});
		expect(keywords(tcp, 'defaults')).toContain('timeout connect 1s');
	});

	it('names the condition it cannot evaluate, once, with file and line', () => {
		const config = parseConfigFiles([ssl], facts({env: {tmpdir: '/tmp/vt'}}));
		expect(config.uncertainties).toEqual([
			{
				file: '/etc/haproxy/set-ssl-cert.cfg',
				line: 10,
				text: '.if !ssllib_name_startswith(AWS-LC)',
				why: 'ssllib_name_startswith() depends on the SSL library HAProxy runs with, which drainboard does not read',
			},
		]);
	});
});

describe('nested and chained blocks', () => {
	const text = `global
.if defined(HAPROXY_MWORKER)
    stats socket /run/a.sock level admin
.elif defined(ROLE)
    stats socket /run/b.sock level admin
.else
    stats socket /run/c.sock level admin
.endif
.if 0
  .if defined(HAPROXY_CFGFILES)
    stats socket /run/d.sock level admin
  .endif
.elif 1
    stats socket /run/e.sock level admin
.endif
    .diag "read by HAProxy, not a statement"
    .notice "neither"
    .warning "nor"
[scope]
    stats socket /run/f.sock level admin
`;

	it('follows .if/.elif/.else/.endif with unknowns: a branch after an unknown one is itself unknown', () => {
		const config = parseConfigFiles([{file: 'h.cfg', text}], facts({env: {ROLE: 'x'}}));
		expect(keywords(config, 'global')).toEqual(['? stats socket /run/a.sock level admin', '? stats socket /run/b.sock level admin', 'stats socket /run/e.sock level admin', 'stats socket /run/f.sock level admin']);
		expect(config.dropped.map((line) => [line.args[1], line.because.line, line.because.outcome])).toEqual([
			['/run/c.sock', 6, 'earlier-branch'],
			['/run/d.sock', 9, 'false'],
		]);
		expect(config.uncertainties.map((uncertainty) => uncertainty.line)).toEqual([2]);
		expect(statsSockets(config.sections).map((socket) => socket.endpoint.label)).toEqual(['/run/e.sock', '/run/f.sock']);
	});

	it('does not evaluate a condition on a variable HAProxy sets itself', () => {
		const config = parseConfigFiles([{file: 'h.cfg', text: 'global\n.if streq("$HAPROXY_MWORKER",1)\n    stats socket /run/w.sock level admin\n.endif\n'}], facts());
		expect(keywords(config, 'global')).toEqual(['? stats socket /run/w.sock level admin']);
		expect(config.uncertainties).toEqual([{file: 'h.cfg', line: 2, text: '.if streq("$HAPROXY_MWORKER",1)', why: 'HAProxy sets HAPROXY_MWORKER itself, so its value is not known here'}]);
	});

	it('ends a section with its file', () => {
		const config = parseConfigFiles(
			[
				{file: 'a.cfg', text: 'backend web\n    server s1 10.0.0.1:80\n'},
				{file: 'b.cfg', text: '    server s2 10.0.0.2:80\nbackend api\n    server a1 10.0.0.3:80\n'},
			],
			facts(),
		);
		expect(config.sections.map((section) => [section.file, section.name, section.statements.map((statement) => statement.args[0])])).toEqual([
			['a.cfg', 'web', ['s1']],
			['b.cfg', 'api', ['a1']],
		]);
	});
});

describe('finding the target in the configuration', () => {
	const text = `backend web
    server s1 10.0.0.1:80
    server-template node 2-4 10.0.0.10:80
.if defined(UNDEFINED_VAR)
    server s2 10.0.0.2:80
.endif
.if defined(HAPROXY_MWORKER)
    server s3 10.0.0.3:80
backend hidden
    server h1 10.0.0.4:80
.endif
.if 0
backend gone
    server g1 10.0.0.5:80
.endif
`;
	const config = parseConfigFiles([{file: '/etc/haproxy/haproxy.cfg', text}], facts());
	const find = (target: string) => findTargetInConfig(config, parseTarget(target), ['/etc/haproxy/haproxy.cfg']);

	it.each([
		['web/s1', {found: true, where: '/etc/haproxy/haproxy.cfg line 2'}],
		['web/node3', {found: true, where: '/etc/haproxy/haproxy.cfg line 3'}],
		['web/node1', {found: false, why: 'backend web (/etc/haproxy/haproxy.cfg line 1) has no server node1'}],
		['web/node03', {found: false, why: 'backend web (/etc/haproxy/haproxy.cfg line 1) has no server node03'}],
		['web/s2', {found: false, why: 'server s2 of backend web is only inside `.if defined(UNDEFINED_VAR)` (/etc/haproxy/haproxy.cfg line 4), which is false'}],
		[
			'web/s3',
			{found: false, why: 'server s3 of backend web is only under `.if defined(HAPROXY_MWORKER)` (/etc/haproxy/haproxy.cfg line 7), which drainboard cannot evaluate: HAProxy sets HAPROXY_MWORKER itself, so its value is not known here'},
		],
		['hidden/h1', {found: false, why: expect.stringMatching(/^backend hidden is only under `\.if defined\(HAPROXY_MWORKER\)`/) as unknown}],
		['gone/g1', {found: false, why: 'backend gone is only inside `.if 0` (/etc/haproxy/haproxy.cfg line 12), which is false'}],
		['nowhere/x', {found: false, why: '/etc/haproxy/haproxy.cfg has no backend nowhere'}],
	])('%s', (target, expected) => {
		expect(find(target)).toEqual(expected);
	});
});
