import {describe, expect, it} from 'vitest';
import {loadConfig} from '../../source/config/load-config.js';
import {parseConfig, tokenize} from '../../source/config/parse-config.js';
import {resolveSockets} from '../../source/config/resolve-sockets.js';
import {defaultStatsSocket, statsSockets} from '../../source/config/stats-socket.js';

describe('tokenize', () => {
	it('splits words, drops comments, keeps quoted and escaped text', () => {
		expect(tokenize('  server app01 10.0.0.1:80 check # main one')).toEqual(['server', 'app01', '10.0.0.1:80', 'check']);
		expect(tokenize('http-response set-header X-Served-By "%s # not a comment"')).toEqual(['http-response', 'set-header', 'X-Served-By', '%s # not a comment']);
		expect(tokenize(String.raw`errorfile 503 /etc/a\ b.http`)).toEqual(['errorfile', '503', '/etc/a b.http']);
		expect(tokenize("log-format 'a b'")).toEqual(['log-format', 'a b']);
		expect(tokenize('# only a comment')).toEqual([]);
	});
});

describe('stats socket discovery', () => {
	const config = parseConfig(`
global
    log /dev/log local0
    stats socket /run/haproxy/operator.sock mode 660 level operator
    stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners
    stats socket ipv4@*:9999 level admin
    stats socket abns@hidden level admin
    stats timeout 30s

defaults
    mode http

frontend web
    bind :80
    default_backend webapps

backend webapps
    server app01 10.0.0.1:80 check
`);

	it('reads sections and statements', () => {
		expect(config.map((section) => `${section.kind}:${section.name ?? ''}`)).toEqual(['global:', 'defaults:', 'frontend:web', 'backend:webapps']);
		expect(config[3]!.statements[0]).toMatchObject({keyword: 'server', args: ['app01', '10.0.0.1:80', 'check']});
	});

	it('lists the reachable stats sockets with their level', () => {
		expect(statsSockets(config).map((socket) => [socket.endpoint.label, socket.level])).toEqual([
			['/run/haproxy/operator.sock', 'operator'],
			['/run/haproxy/admin.sock', 'admin'],
			['127.0.0.1:9999', 'admin'],
		]);
	});

	it('prefers the first level admin socket', () => {
		expect(defaultStatsSocket(config)?.endpoint.label).toBe('/run/haproxy/admin.sock');
	});

	it('treats a stats socket without level as operator', () => {
		expect(statsSockets(parseConfig('global\n  stats socket /tmp/a.sock\n'))[0]?.level).toBe('operator');
	});

	it('uses each --socket once, in order', async () => {
		const choice = await resolveSockets(['/tmp/x.sock', '/tmp/x.sock', '10.0.0.2:9999'], undefined);
		expect(choice).toMatchObject({source: 'flag', note: null});
		expect(choice.endpoints.map((endpoint) => endpoint.label)).toEqual(['/tmp/x.sock', '10.0.0.2:9999']);
	});

	it('reports an unreadable config instead of throwing', async () => {
		const loaded = await loadConfig('/nonexistent/haproxy.cfg');
		expect(loaded).toMatchObject({sections: null, problem: '/nonexistent/haproxy.cfg does not exist'});
	});
});
