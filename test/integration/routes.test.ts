import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {HeadlessResult} from '../../source/headless/report.js';
import type {RoutesJson} from '../../source/headless/routes-json.js';
import {isLocalAddress} from '../../source/local-address.js';
import {adminStates, rawStat} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {defaultsSection, startTestBed, type BedContext, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';

/** A backend of two demo servers, balanced round robin (3.3+ balances at random by default), checked fast. */
const backend = (context: BedContext, name: string, servers: string[], extra: string[] = []) =>
	[`backend ${name}`, '    balance roundrobin', ...extra.map((line) => `    ${line}`), '    default-server check inter 200 fall 2 rise 2', ...servers.map((server) => `    server ${server} 127.0.0.1:${context.port(server)}`), ''].join('\n');

async function allUp(bed: TestBed, backends: string[]): Promise<void> {
	await waitFor(`every server of ${backends.join(', ')} UP`, async () => {
		const rows = rawStat(await bed.send('show stat -1 4 -1')).filter((row) => backends.includes(row['pxname'] ?? ''));
		return rows.length > 0 && rows.every((row) => row['status'] === 'UP') ? true : undefined;
	});
}

/** These tests are about probes: `--proof probe` (auto would first look at the backend's traffic). */
const common = (bed: TestBed, journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', path.join(bed.dir, journal), '--yes', '--json', '--proof', 'probe'];

/** `frontend web (line 12): use_backend … (line 15)`, with the lines where the bed's config has them. */
function via(bed: TestBed, section: string, rule: string): string {
	const lines = readFileSync(bed.configPath, 'utf8').split('\n').map((line) => line.trim());
	return `${section} (line ${lines.indexOf(section) + 1}): ${rule} (line ${lines.indexOf(rule) + 1})`;
}

const listenerEvidence = (result: HeadlessResult) => result.steps.find((step) => step.id === 'baseline')?.checks.find((check) => check.id === 'listener')?.evidence;

/** Drains and restores `target` headless with no --url; returns the drain's JSON after checking both passed and HAProxy shows the states. */
async function cycle(bed: TestBed, target: string, extra: string[] = []): Promise<HeadlessResult> {
	const journal = `${target.replace('/', '-')}.jsonl`;
	const drain = await runCli(['drain', target, ...common(bed, journal), ...extra]);
	expect(drain.code, drain.stderr).toBe(0);
	const drained = JSON.parse(drain.stdout) as HeadlessResult;
	expect(drained.steps.map((step) => [step.id, step.ok])).toEqual([
		['validate', true],
		['baseline', true],
		['drain', true],
		['confirm', true],
	]);
	expect(drained.steps[1]!.checks.find((check) => check.id === 'baseline-traffic')!.evidence).toMatchObject({failed: 0});
	expect(drained.steps[1]!.checks.find((check) => check.id === 'baseline-traffic')!.evidence?.['targetDelta']).toBeGreaterThan(0);
	expect(drained.steps[3]!.checks.find((check) => check.id === 'traffic-moved')!.evidence).toMatchObject({targetDelta: 0, failed: 0});
	expect((adminStates(await bed.send('show servers state')))[target]).toBe('8');

	const restore = await runCli(['restore', target, ...common(bed, journal), ...extra]);
	expect(restore.code, restore.stderr).toBe(0);
	const restored = JSON.parse(restore.stdout) as HeadlessResult;
	expect(restored.steps.find((step) => step.id === 'restore')!.checks.find((check) => check.id === 'traffic-returns')!.evidence?.['targetDelta']).toBeGreaterThan(0);
	expect((adminStates(await bed.send('show servers state')))[target]).toBe('0');
	return drained;
}

describe('(a) a frontend that routes only by Host header, to two backends, with no default', () => {
	let bed: TestBed;
	const hostRouted = (context: BedContext) => `${context.global()}
${defaultsSection}
frontend web
    bind 127.0.0.1:${context.frontendPort}
    acl is_blog hdr_dom(host) -i blog.example.com
    use_backend shop if { req.hdr(host) -i shop.example.com www.shop.example.com }
    use_backend blog if is_blog

${backend(context, 'shop', ['shop1', 'shop2'])}
${backend(context, 'blog', ['blog1', 'blog2'])}`;

	beforeAll(async () => {
		bed = await startTestBed({demos: ['shop1', 'shop2', 'blog1', 'blog2'], config: hostRouted});
		await allUp(bed, ['shop', 'blog']);
	});

	afterAll(async () => {
		await bed?.stop();
	});

	it('HAProxy answers 503 to a request without one of those Host names (the probe must send it)', async () => {
		const status = await new Promise<number>((resolve, reject) => {
			http.get(`http://127.0.0.1:${bed.frontendPort}/`, (response) => {
				response.resume();
				resolve(response.statusCode ?? 0);
			}).on('error', reject);
		});
		expect(status).toBe(503);
	});

	it('drains and restores a server of shop without --url: the probe sends Host shop.example.com to the listener', async () => {
		const drained = await cycle(bed, 'shop/shop1');
		expect(listenerEvidence(drained)).toEqual({
			url: `http://127.0.0.1:${bed.frontendPort}/`,
			host: 'shop.example.com',
			sni: null,
			tls: 'none',
			proxyProtocol: null,
			from: via(bed, 'frontend web', 'use_backend shop if { req.hdr(host) -i shop.example.com www.shop.example.com }'),
		});
	});

	it('drains and restores a server of blog (a named hdr_dom ACL) without --url', async () => {
		const drained = await cycle(bed, 'blog/blog2');
		expect(listenerEvidence(drained)).toMatchObject({host: 'blog.example.com', from: via(bed, 'frontend web', 'use_backend blog if is_blog')});
	});

	it('routes --json prints the contract for this config, without HAProxy', async () => {
		const result = await runCli(['routes', '--config', bed.configPath, '--json']);
		expect(result.code, result.stderr).toBe(0);
		expect(JSON.parse(result.stdout) as RoutesJson).toEqual({
			config: bed.configPath,
			routes: [
				{
					backend: 'shop',
					mode: 'http',
					probe: {
						url: `http://127.0.0.1:${bed.frontendPort}/`,
						host: 'shop.example.com',
						sni: null,
						proxyProtocol: null,
						local: true,
						from: via(bed, 'frontend web', 'use_backend shop if { req.hdr(host) -i shop.example.com www.shop.example.com }'),
					},
					why: null,
				},
				{
					backend: 'blog',
					mode: 'http',
					probe: {url: `http://127.0.0.1:${bed.frontendPort}/`, host: 'blog.example.com', sni: null, proxyProtocol: null, local: true, from: via(bed, 'frontend web', 'use_backend blog if is_blog')},
					why: null,
				},
			],
		});
	});
});

describe('(b) port 80 redirecting to an "ssl crt" bind with a self-signed certificate', () => {
	let bed: TestBed;
	let plainPort = 0;
	let securePort = 0;
	let tcpPort = 0;
	let h2Port = 0;
	let passPort = 0;
	const tlsConfig = (context: BedContext) => {
		const pem = path.join(context.dir, 'site.pem');
		execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=secure.example.com', '-keyout', `${pem}.key`, '-out', `${pem}.crt`], {stdio: 'ignore'});
		writeFileSync(pem, `${readFileSync(`${pem}.crt`, 'utf8')}${readFileSync(`${pem}.key`, 'utf8')}`);
		[plainPort, securePort, tcpPort, h2Port, passPort] = [context.frontendPort, context.spare[0]!, context.spare[1]!, context.spare[2]!, context.spare[3]!];
		writeFileSync(path.join(context.dir, 'sni.map'), 'other.example.com termb\npass.example.com passb\n');
		return `${context.global()}
${defaultsSection}
frontend web
    bind 127.0.0.1:${plainPort}
    bind 127.0.0.1:${securePort} ssl crt ${pem}
    http-request redirect scheme https unless { ssl_fc }
    use_backend secure if { ssl_fc_sni -i secure.example.com }

frontend tls-db
    mode tcp
    bind 127.0.0.1:${tcpPort} ssl crt ${pem}
    use_backend db if { ssl_fc_sni -i db.example.com }

frontend h2-only
    bind 127.0.0.1:${h2Port} ssl crt ${pem} alpn h2 proto h2
    default_backend h2b

frontend strict
    bind 127.0.0.1:${context.spare[5]!} ssl crt ${pem} strict-sni
    default_backend strictb

frontend sni-pass
    mode tcp
    bind 127.0.0.1:${passPort}
    tcp-request inspect-delay 2s
    tcp-request content accept if { req_ssl_hello_type 1 }
    use_backend %[req.ssl_sni,lower,map(${context.dir}/sni.map)]

backend passb
    mode tcp
    default-server check inter 200 fall 2 rise 2
    server p1 127.0.0.1:${context.spare[4]!}
    server p2 127.0.0.1:${context.spare[4]!}

frontend tls-end
    mode tcp
    bind 127.0.0.1:${context.spare[4]!} ssl crt ${pem}
    default_backend termb

${backend(context, 'secure', ['web1', 'web2'])}
${backend(context, 'db', ['db1', 'db2'], ['mode tcp'])}
${backend(context, 'h2b', ['h2a', 'h2c'])}
${backend(context, 'termb', ['tb1'], ['mode tcp'])}
${backend(context, 'strictb', ['st1', 'st2'])}`;
	};

	beforeAll(async () => {
		bed = await startTestBed({demos: ['web1', 'web2', 'db1', 'db2', 'h2a', 'h2c', 'tb1', 'st1', 'st2'], config: tlsConfig, spareCount: 6});
		await allUp(bed, ['secure', 'db', 'h2b', 'passb', 'termb', 'strictb']);
	});

	afterAll(async () => {
		await bed?.stop();
	});

	it('the plain port really redirects to https', async () => {
		const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
			http.get(`http://127.0.0.1:${plainPort}/`, {headers: {host: 'secure.example.com'}}, resolve).on('error', reject);
		});
		response.resume();
		expect(response.statusCode).toBe(302);
		expect(response.headers.location).toBe('https://secure.example.com/');
	});

	it('drain and restore prove traffic over TLS to the ssl bind, with the SNI, certificate not verified', async () => {
		const drained = await cycle(bed, 'secure/web1');
		expect(listenerEvidence(drained)).toEqual({
			url: `https://127.0.0.1:${securePort}/`,
			host: 'secure.example.com',
			sni: 'secure.example.com',
			tls: 'certificate not verified',
			proxyProtocol: null,
			from: via(bed, 'frontend web', 'use_backend secure if { ssl_fc_sni -i secure.example.com }'),
		});
	});

	it('a mode tcp frontend that ends TLS and routes by SNI is proven with tls:// connections (stot)', async () => {
		const drained = await cycle(bed, 'db/db2');
		expect(listenerEvidence(drained)).toMatchObject({url: `tls://127.0.0.1:${tcpPort}`, host: null, sni: 'db.example.com', tls: 'certificate not verified'});
		expect(drained.steps[1]!.checks.find((check) => check.id === 'baseline-traffic')!.evidence).toMatchObject({counter: 'stot'});
	});

	it('a mode tcp frontend that passes TLS through and picks the backend from the ClientHello\'s SNI by a map is proven with tls:// connections carrying that SNI', async () => {
		const drained = await cycle(bed, 'passb/p2');
		expect(listenerEvidence(drained)).toMatchObject({url: `tls://127.0.0.1:${passPort}`, host: null, sni: 'pass.example.com'});
		expect(String(listenerEvidence(drained)?.['from'])).toMatch(/sni\.map as HAProxy holds it \(show map\), entry 2: pass\.example\.com → passb$/);
	});

	it('a strict-sni bind gets no probe without a name (HAProxy would refuse the handshake), and is proven with the --host its certificate holds', async () => {
		const routes = await runCli(['routes', '--config', bed.configPath, '--backend', 'strictb', '--json']);
		expect(routes.code, routes.stderr).toBe(0);
		const [route] = (JSON.parse(routes.stdout) as {routes: Array<{probe: unknown; why: string | null}>}).routes;
		expect(route?.probe).toBe(null);
		expect(route?.why).toMatch(/^Frontend strict binds 127\.0\.0\.1:\d+ with strict-sni \(line \d+\), which refuses a TLS connection that does not name a server its certificates hold/);
		const drained = await cycle(bed, 'strictb/st2', ['--host', 'secure.example.com']);
		expect(listenerEvidence(drained)).toMatchObject({url: `https://127.0.0.1:${bed.spare[5]!}/`, sni: 'secure.example.com'});
	});

	it('a bind that speaks only HTTP/2 ("alpn h2 proto h2") is proven over HTTP/2', async () => {
		const drained = await cycle(bed, 'h2b/h2c');
		expect(listenerEvidence(drained)).toMatchObject({url: `https://127.0.0.1:${h2Port}/`, tls: 'certificate not verified'});
		expect(drained.steps[3]!.checks.find((check) => check.id === 'traffic-moved')!.evidence).toMatchObject({targetDelta: 0, othersDelta: 10, failed: 0});
	});

	it('with --verify-tls the self-signed certificate fails the baseline: exit 1, nothing changed', async () => {
		const before = adminStates(await bed.send('show servers state'));
		const drain = await runCli(['drain', 'secure/web2', ...common(bed, 'verify.jsonl'), '--verify-tls']);
		expect(drain.code).toBe(1);
		const result = JSON.parse(drain.stdout) as HeadlessResult;
		expect(result.steps.at(-1)).toMatchObject({id: 'baseline', ok: false});
		expect(result.steps.at(-1)!.detail).toContain('failed (first: TLS: self-signed certificate)');
		// The listener line says what each request will insist on, not that a certificate was seen verified.
		expect(drain.stderr).toMatch(/✓ baseline · Listener known: Traffic goes through https:\/\/\S+ with .*the certificate to be verified \(--verify-tls\)/);
		expect(drain.stderr).toContain("Do: The listener's certificate did not verify: fix it, or leave out --verify-tls");
		expect(adminStates(await bed.send('show servers state'))).toEqual(before);
	});
});

describe('(c) an accept-proxy bind', () => {
	let bed: TestBed;
	const proxied = (context: BedContext) => `${context.global()}
${defaultsSection}
frontend behind-lb
    bind 127.0.0.1:${context.frontendPort} accept-proxy
    default_backend app

${backend(context, 'app', ['app1', 'app2'])}`;

	beforeAll(async () => {
		bed = await startTestBed({demos: ['app1', 'app2'], config: proxied});
		await allUp(bed, ['app']);
	});

	afterAll(async () => {
		await bed?.stop();
	});

	it('drains and restores without --url: each request starts with a PROXY v1 header', async () => {
		const drained = await cycle(bed, 'app/app1');
		expect(listenerEvidence(drained)).toEqual({
			url: `http://127.0.0.1:${bed.frontendPort}/`,
			host: null,
			sni: null,
			tls: 'none',
			proxyProtocol: 'v1',
			from: via(bed, 'frontend behind-lb', 'default_backend app'),
		});
	});

	it('keeps the PROXY header when --url names that bind', async () => {
		const drained = await cycle(bed, 'app/app2', ['--url', `http://127.0.0.1:${bed.frontendPort}/`]);
		expect(listenerEvidence(drained)).toMatchObject({proxyProtocol: 'v1', from: `--url, through ${via(bed, 'frontend behind-lb', 'default_backend app')}`});
	});
});

describe('(d) a frontend bound on loopback aliases standing for VIPs (127.0.0.2, 127.0.0.3)', () => {
	let bed: TestBed;
	const vips = (context: BedContext) => `${context.global()}
${defaultsSection}
frontend vips
    bind 127.0.0.2:${context.frontendPort}
    bind 127.0.0.3:${context.frontendPort}
    use_backend app if { dst 127.0.0.2 }
    use_backend api if { dst 127.0.0.3 }

${backend(context, 'app', ['app1', 'app2'])}
${backend(context, 'api', ['api1', 'api2'])}`;

	beforeAll(async () => {
		bed = await startTestBed({demos: ['app1', 'app2', 'api1', 'api2'], config: vips});
		await allUp(bed, ['app', 'api']);
	});

	afterAll(async () => {
		await bed?.stop();
	});

	it('drains and restores a server behind each VIP, probing each at its own address', async () => {
		expect(listenerEvidence(await cycle(bed, 'app/app2'))).toMatchObject({url: `http://127.0.0.2:${bed.frontendPort}/`, from: via(bed, 'frontend vips', 'use_backend app if { dst 127.0.0.2 }')});
		expect(listenerEvidence(await cycle(bed, 'api/api1'))).toMatchObject({url: `http://127.0.0.3:${bed.frontendPort}/`, from: via(bed, 'frontend vips', 'use_backend api if { dst 127.0.0.3 }')});
	});

	it('routes and drain give the same reason for a backend reached only through an address not on this host, and send nothing', async () => {
		// The configuration as it would be with app's VIP on another machine (198.51.100.20, TEST-NET-2).
		const elsewhere = path.join(bed.dir, 'elsewhere.cfg');
		writeFileSync(elsewhere, readFileSync(bed.configPath, 'utf8').replaceAll('127.0.0.2', '198.51.100.20'));
		expect(isLocalAddress('198.51.100.20')).toBe(false);
		const why = `Frontend vips binds 198.51.100.20:${bed.frontendPort} (line ${readFileSync(elsewhere, 'utf8').split('\n').findIndex((line) => line.includes('bind 198.51.100.20')) + 1}), which is not an address of this host, and drainboard never sends a probe off this host; use --proof live, or pass --url with an address of this host.`;

		const routes = await runCli(['routes', '--config', elsewhere, '--json']);
		expect(routes.code, routes.stderr).toBe(0);
		expect((JSON.parse(routes.stdout) as RoutesJson).routes).toEqual([
			{backend: 'app', mode: 'http', probe: null, why},
			{backend: 'api', mode: 'http', probe: expect.objectContaining({url: `http://127.0.0.3:${bed.frontendPort}/`, local: true}) as unknown, why: null},
		]);
		const table = await runCli(['routes', '--config', elsewhere]);
		expect(table.stdout.trimEnd().split('\n').at(-1)).toBe('1 of 2 backends have a probe; 1 has none.');

		const before = adminStates(await bed.send('show servers state'));
		const drain = await runCli(['drain', 'app/app1', '--socket', bed.adminSocket, '--config', elsewhere, '--journal', path.join(bed.dir, 'elsewhere.jsonl'), '--yes', '--json', '--proof', 'probe']);
		expect(drain.code, drain.stderr).toBe(1);
		const result = JSON.parse(drain.stdout) as HeadlessResult;
		expect(result).toMatchObject({ok: false, changed: false});
		expect(result.steps.find((step) => step.id === 'baseline')?.checks.map((check) => check.observed)).toContain(`No listener URL for backend app: ${why.replace(/\.$/, '')}.`);
		expect(adminStates(await bed.send('show servers state'))).toEqual(before);
	});

	it('refuses --url to an address not on this host: exit 2, one sentence, nothing sent', async () => {
		const before = adminStates(await bed.send('show servers state'));
		const drain = await runCli(['drain', 'app/app1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', path.join(bed.dir, 'away.jsonl'), '--yes', '--url', 'http://203.0.113.77:80/']);
		expect(drain.code).toBe(2);
		expect(drain.stderr.trim()).toBe('The probe goes only to addresses of this host, and 203.0.113.77 is not one; give --url an address of this host (127.0.0.1 for a wildcard bind) and the name with --host.');
		expect(adminStates(await bed.send('show servers state'))).toEqual(before);
	});
});

describe('a backend chosen through a map file, named relative to HAProxy\'s working directory', () => {
	let bed: TestBed;

	beforeAll(async () => {
		// The configuration is in conf.d/, HAProxy runs in the bed's directory: maps/hosts.map is
		// there, not next to the configuration, so only HAProxy's own working directory finds it.
		bed = await startTestBed({
			demos: ['shop1', 'shop2', 'blog1', 'blog2'],
			config: () => '',
			files: {
				pass: 'each',
				texts(context) {
					mkdirSync(path.join(context.dir, 'maps'), {recursive: true});
					writeFileSync(path.join(context.dir, 'maps', 'hosts.map'), '# Host → backend\nshop.example.com shop\nblog.example.com blog\n');
					const text = `${context.global()}
${defaultsSection}
frontend web
    bind 127.0.0.1:${context.frontendPort}
    use_backend %[req.hdr(host),lower,map(maps/hosts.map)]

${backend(context, 'shop', ['shop1', 'shop2'])}
${backend(context, 'blog', ['blog1', 'blog2'])}`;
					return [{name: 'haproxy.cfg', text}];
				},
			},
		});
		await allUp(bed, ['shop', 'blog']);
	});

	afterAll(async () => {
		await bed?.stop();
	});

	it('drains and restores a server of shop without --url: the probe sends the Host of the map line that leads to shop, and says so', async () => {
		const drained = await cycle(bed, 'shop/shop1');
		expect(listenerEvidence(drained)).toMatchObject({
			url: `http://127.0.0.1:${bed.frontendPort}/`,
			host: 'shop.example.com',
			// A maintenance reads the map as HAProxy holds it (show map), by the name the configuration writes.
			from: 'frontend web (line 14): use_backend %[req.hdr(host),lower,map(maps/hosts.map)] (line 16), map maps/hosts.map as HAProxy holds it (show map), entry 1: shop.example.com → shop',
		});
		// routes reads the file, relative to the working directory of the HAProxy that loaded the configuration.
		const routes = await runCli(['routes', '--config', path.join(bed.configPath, 'haproxy.cfg'), '--backend', 'shop', '--json']);
		expect(routes.code, routes.stderr).toBe(0);
		expect((JSON.parse(routes.stdout) as RoutesJson).routes[0]?.probe?.from).toBe(
			`frontend web (line 14): use_backend %[req.hdr(host),lower,map(maps/hosts.map)] (line 16), map ${bed.dir}/maps/hosts.map line 2: shop.example.com → shop`,
		);
	});
});
