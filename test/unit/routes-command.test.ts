import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {UsageError} from '../../source/errors.js';
import {routesJson, routesJsonSchema} from '../../source/headless/routes-json.js';
import {routesTable} from '../../source/headless/routes-table.js';
import {routesCommand} from '../../source/headless/run-routes.js';
import type {HostInterfaces} from '../../source/local-address.js';
import {parseOptions} from '../../source/options.js';
import {FakeProc} from '../helpers/fake-proc.js';

const hostRouted = `defaults
    mode http
    timeout connect 5s

frontend fe_http
    bind :80
    http-request redirect scheme https unless { ssl_fc }

frontend fe_https
    bind :443 ssl crt /etc/haproxy/site.pem
    use_backend a_backend_with_a_name_longer_than_twenty_characters if { hdr(host) -i long.example.com }
    use_backend shop if { hdr(host) -i shop.example.com }
    use_backend %[req.hdr(host),lower,map(maps/hosts.map)]

backend shop
    server s1 10.0.0.1:80
backend a_backend_with_a_name_longer_than_twenty_characters
    server l1 10.0.0.2:80
backend legacy
    server old1 10.0.0.3:80
backend empty
`;

let fake: FakeProc;

beforeEach(() => {
	fake = new FakeProc();
});

afterEach(() => {
	fake.remove();
});

async function run(flags: Record<string, unknown>, running: 'none' | 'one' | 'two' = 'none', interfaces: HostInterfaces = {}) {
	const config = fake.write('etc/haproxy.cfg', hostRouted);
	const other = fake.write('etc/other.cfg', 'listen other\n    bind :81\n    server o1 10.0.0.9:80\n');
	// Relative: read from the configuration's directory when no running HAProxy says its own, else from that.
	fake.write('etc/maps/hosts.map', '# Host → backend\nlegacy.example.com legacy\n');
	fake.write('maps/hosts.map', 'old.example.com legacy\n');
	if (running !== 'none') {
		fake.add({pid: 41, argv: ['/usr/sbin/haproxy', '-Ws', '-f', config], cwd: fake.dir});
	}

	if (running === 'two') {
		fake.add({pid: 42, argv: ['/usr/sbin/haproxy', '-Ws', '-f', other], cwd: fake.dir});
	}

	const written: string[] = [];
	const notes: string[] = [];
	const code = await routesCommand(parseOptions(flags), {
		reader: fake.reader,
		proc: fake.proc,
		buildInfo: async () => null,
		interfaces,
		environment: {},
		width: 80,
		write: (text) => written.push(text),
		note: (text) => notes.push(text),
	});
	return {code, out: written.join(''), notes, config};
}

describe('drainboard routes', () => {
	it('prints a table no wider than 80 columns: the URL, Host and SNI, where it comes from, or why there is none', async () => {
		const {code, out, config} = await run({config: `${fake.dir}/etc/haproxy.cfg`});
		expect(code).toBe(0);
		const lines = out.trimEnd().split('\n');
		expect(lines.every((line) => line.length <= 80)).toBe(true);
		const table = lines.findIndex((line) => line.startsWith('BACKEND'));
		expect(lines.slice(0, table - 1).join(' ')).toBe(`Routes in ${config}, derived from the configuration alone:`);
		expect(lines.slice(table, table + 3)).toEqual(['BACKEND               MODE  PROBE', 'shop                  http  https://127.0.0.1:443/', '                            Host and SNI shop.example.com']);
		expect(out).toContain('a_backend_with_a_name_longer_than_twenty_characters\n                      http  https://127.0.0.1:443/\n');
		expect(out).toContain(`legacy                http  https://127.0.0.1:443/\n                            Host and SNI legacy.example.com\n`);
		expect(out.replace(/\s+/g, ' ')).toContain(`use_backend %[req.hdr(host),lower,map(maps/hosts.map)] (line 13), map ${fake.dir}/etc/maps/hosts.map line 2: legacy.example.com → legacy`);
		expect(lines.at(-1)).toBe('3 of 3 backends have a probe; 0 have none.');
		expect(out).not.toContain('empty');
	});

	it('--json prints the contract, one object', async () => {
		const {out, config} = await run({config: `${fake.dir}/etc/haproxy.cfg`, json: true, backend: 'shop'});
		expect(out.endsWith('\n')).toBe(true);
		expect(JSON.parse(out)).toEqual({
			config,
			routes: [
				{
					backend: 'shop',
					mode: 'http',
					probe: {url: 'https://127.0.0.1:443/', host: 'shop.example.com', sni: 'shop.example.com', proxyProtocol: null, local: true, from: 'frontend fe_https (line 9): use_backend shop if { hdr(host) -i shop.example.com } (line 12)'},
					why: null,
				},
			],
		});
	});

	it('gives no probe to a backend reached only through an address not on this host, saying why (table and --json)', async () => {
		const file = fake.write('etc/elsewhere.cfg', 'defaults\n    mode http\n\nfrontend web\n    bind 10.99.0.5:80\n    default_backend app\n\nbackend app\n    server a1 10.0.0.1:80\n');
		const why = 'Frontend web binds 10.99.0.5:80 (line 5), which is not an address of this host, and drainboard never sends a probe off this host; use --proof live, or pass --url with an address of this host.';
		const table = await run({config: file});
		expect(table.code).toBe(0);
		expect(table.out).toContain('app      http  none\n');
		expect(table.out.replace(/\n {15}/g, ' ')).toContain(why);
		expect(table.out.trimEnd().split('\n').at(-1)).toBe('0 of 1 backend has a probe; 1 has none.');
		const json = await run({config: file, json: true});
		expect(JSON.parse(json.out)).toEqual({config: file, routes: [{backend: 'app', mode: 'http', probe: null, why}]});
		// Once the address is up on this host (a VIP), it is the probe.
		const here = await run({config: file, json: true}, 'none', {eth0: [{address: '10.99.0.5', family: 'IPv4'}]});
		expect(JSON.parse(here.out)).toMatchObject({routes: [{backend: 'app', probe: {url: 'http://10.99.0.5:80/', local: true}, why: null}]});
	});

	it('reads the files the running HAProxy loaded when --config is not given', async () => {
		const {out, notes, config} = await run({json: true}, 'one');
		expect(notes).toEqual([]);
		expect((JSON.parse(out) as {config: string}).config).toBe(config);
		// A relative map file is read where that HAProxy reads it: from its working directory.
		expect((JSON.parse(out) as {routes: Array<{backend: string; probe: {host: string} | null}>}).routes.find((route) => route.backend === 'legacy')?.probe?.host).toBe('old.example.com');
	});

	it('says when no HAProxy runs and reads /etc/haproxy/haproxy.cfg instead', async () => {
		fake.served.set('/etc/haproxy/haproxy.cfg', 'listen db\n    mode tcp\n    bind :5432\n    server d1 10.0.0.5:5432\n');
		const {out, notes} = await run({json: true}, 'none');
		expect(notes).toEqual(['No running HAProxy was found in /proc, so drainboard reads /etc/haproxy/haproxy.cfg (the default); pass --config to read another file.']);
		expect(JSON.parse(out)).toMatchObject({config: '/etc/haproxy/haproxy.cfg', routes: [{backend: 'db', probe: {url: 'tcp://127.0.0.1:5432'}}]});
	});

	it('is exit 2, one sentence, when the configuration cannot be read', async () => {
		fake.denied.add('/etc/haproxy/haproxy.cfg');
		const error = await run({json: true}, 'none').catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(UsageError);
		expect((error as Error).message).toBe('/etc/haproxy/haproxy.cfg is not readable by this user; pass --config with the file HAProxy runs.');
	});

	it.each([
		['a README', '# drainboard\n\nTakes one HAProxy backend server out of rotation.\n\n    drainboard routes --config haproxy.cfg\n'],
		['/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n'],
		['a global section alone', 'global\n    stats socket /run/haproxy/admin.sock level admin\n'],
	])('is exit 2, one sentence, for a --config with no frontend, listen or backend section (%s), with --json too', async (_name, text) => {
		const file = fake.write('etc/not-haproxy.txt', text);
		for (const json of [false, true]) {
			const error = await run({config: file, json}).catch((caught: unknown) => caught);
			expect(error).toBeInstanceOf(UsageError);
			expect((error as Error).message).toBe(`${file} has no frontend, listen or backend section; pass --config with the HAProxy configuration that defines the backends.`);
		}
	});

	it('takes a configuration whose only proxy is under a .if it cannot evaluate', async () => {
		const file = fake.write('etc/conditional.cfg', '.if feature(QUIC)\nlisten db\n    bind :5432\n    server d1 10.0.0.5:5432\n.endif\n');
		const {code} = await run({config: file});
		expect(code).toBe(0);
	});

	it('refuses to guess between two running HAProxy processes with different files', async () => {
		await expect(run({json: true}, 'two')).rejects.toThrow(/^Several HAProxy processes run here with different configurations \(pid 41: .*; pid 42: .*\); pass --config or --socket to choose one\.$/);
	});

	it('--backend with a name the configuration does not have is exit 2, naming what it has', async () => {
		const error = await run({config: `${fake.dir}/etc/haproxy.cfg`, backend: 'shops'}).catch((caught: unknown) => caught);
		expect(error).toBeInstanceOf(UsageError);
		expect((error as Error).message).toBe(`${fake.dir}/etc/haproxy.cfg has no backend or listen section shops; it has shop, a_backend_with_a_name_longer_than_twenty_characters, legacy, empty: pass one of them with --backend.`);
	});
});

describe('the routes JSON schema', () => {
	it('refuses what the contract does not allow: a route with both a probe and a reason, an extra key, an unknown PROXY version', () => {
		const probe = {url: 'http://127.0.0.1:80/', host: null, sni: null, proxyProtocol: null, local: true, from: 'x'};
		expect(routesJsonSchema.safeParse({config: 'c', routes: [{backend: 'b', mode: 'http', probe, why: null}]}).success).toBe(true);
		expect(routesJsonSchema.safeParse({config: 'c', routes: [{backend: 'b', mode: 'http', probe, why: 'both'}]}).success).toBe(false);
		expect(routesJsonSchema.safeParse({config: 'c', routes: [{backend: 'b', mode: 'http', probe: null, why: null}]}).success).toBe(false);
		expect(routesJsonSchema.safeParse({config: 'c', routes: [{backend: 'b', mode: 'http', probe: {...probe, extra: 1}, why: null}]}).success).toBe(false);
		expect(routesJsonSchema.safeParse({config: 'c', routes: [{backend: 'b', mode: 'http', probe: {...probe, proxyProtocol: 'v3'}, why: null}]}).success).toBe(false);
		expect(() => routesJson('c', [{backend: 'b', mode: 'http', probe, why: 'both'}])).toThrow();
	});

	it('writes control characters from the configuration as escapes, in JSON and in the table', () => {
		const route = {backend: 'evil\u001b]0;x\u0007', mode: 'tcp' as const, probe: null, why: 'why\u202e'};
		expect(routesJson('c', [route])).not.toMatch(/[\u001b\u0007\u202e]/);
		expect(JSON.parse(routesJson('c', [route]))).toEqual({config: 'c', routes: [route]});
		expect(routesTable([route], 80)).not.toMatch(/[\u001b\u0007\u202e]/);
		expect(routesTable([route], 80)).toContain('evil\\x1b]0;x\\x07');
	});
});

describe('the probe flags', () => {
	it('take a host name (with a port) and a path, and --verify-tls as a switch', () => {
		expect(parseOptions({host: 'shop.example.com', path: '/cart?x=1', verifyTls: true})).toMatchObject({host: 'shop.example.com', path: '/cart?x=1', verifyTls: true});
		expect(parseOptions({host: 'shop.example.com:8443'}).host).toBe('shop.example.com:8443');
		expect(parseOptions({host: '[::1]'}).host).toBe('[::1]');
		expect(parseOptions({}).verifyTls).toBe(false);
	});

	it.each([
		[{host: 'shop example.com'}, '--host needs a host name, such as shop.example.com; see drainboard --help.'],
		[{host: 'shop.example.com\r\nX-Evil: 1'}, '--host needs a host name, such as shop.example.com; see drainboard --help.'],
		[{path: 'cart'}, '--path needs a path starting with /, such as /health; see drainboard --help.'],
		[{path: '/a b'}, '--path needs a path starting with /, such as /health; see drainboard --help.'],
		[{path: '/a\nb'}, '--path needs a path starting with /, such as /health; see drainboard --help.'],
	])('refuse %j in one sentence (exit 2)', (flags, message) => {
		expect(() => parseOptions(flags)).toThrow(UsageError);
		expect(() => parseOptions(flags)).toThrow(message);
	});
});
