import {copyFileSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {mapFiles} from '../../source/config/map-files.js';
import {parseConfigFiles} from '../../source/config/parse-config.js';
import {deriveRoutes, type Route} from '../../source/config/routes.js';
import {checkContract} from '../helpers/json-contract.js';
import {sendProbe} from '../helpers/route-counters.js';
import {runCli} from '../helpers/run-cli.js';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';

/**
 * Backends chosen through map files, against HAProxy itself: `req.hdr(host),lower,map(…)` with a
 * default, `path,map_beg(…)` behind a condition, `map_dom` without a default and `base,map_sub`,
 * the map files written in the bed's directory (one named relative to HAProxy's working
 * directory, the bed's). Every derived probe is sent, and HAProxy's counters say which backend
 * it reached.
 */
const backends = ['be_shop', 'be_api', 'be_hosts_default', 'be_static', 'be_api_v1', 'be_api_other', 'be_paths_default', 'be_org', 'be_after', 'be_dom_default', 'be_base'];

const hostsMap = `# Host → backend (lower-case keys: the rule lowers the Host)
shop.example.com      be_shop
   www.shop.example.com be_shop   

API.example.com       be_api
api.example.com       be_api
gone.example.com      be_nonexistent
`;

const pathsMap = `/static/   be_static
/api       be_api_other
/api/v1/   be_api_v1
`;

const domainsMap = `example.org be_org
`;

const baseMap = `docs.example.net/guide be_base
`;

describe('backends chosen through map files agree with a real HAProxy', () => {
	let bed: TestBed;
	let routes: Route[];

	beforeAll(async () => {
		bed = await startTestBed({
			demos: backends,
			spareCount: 4,
			config(context) {
				mkdirSync(path.join(context.dir, 'maps'), {recursive: true});
				writeFileSync(path.join(context.dir, 'maps', 'hosts.map'), hostsMap);
				writeFileSync(path.join(context.dir, 'paths.map'), pathsMap);
				writeFileSync(path.join(context.dir, 'maps', 'domains.map'), domainsMap);
				writeFileSync(path.join(context.dir, 'maps', 'base.map'), baseMap);
				const [hosts, paths, domains, base] = context.spare;
				return [
					context.global(),
					'defaults',
					'    mode http',
					'    timeout connect 1s',
					'    timeout client 10s',
					'    timeout server 10s',
					'',
					'frontend fe_hosts',
					`    bind 127.0.0.1:${hosts}`,
					'    use_backend %[req.hdr(host),lower,map(maps/hosts.map,be_hosts_default)]',
					'',
					'frontend fe_paths',
					`    bind 127.0.0.1:${paths}`,
					`    use_backend %[path,map_beg(${context.dir}/paths.map)] if { path_beg /static/ /api }`,
					'    default_backend be_paths_default',
					'',
					'frontend fe_domains',
					`    bind 127.0.0.1:${domains}`,
					'    use_backend %[req.hdr(host),lower,map_dom(maps/domains.map)]',
					'    use_backend be_after',
					'    default_backend be_dom_default',
					'',
					'frontend fe_base',
					`    bind 127.0.0.1:${base}`,
					'    use_backend %[base,map_sub(maps/base.map)]',
					'',
					...backends.flatMap((name) => [`backend ${name}`, `    server ${name} 127.0.0.1:${context.port(name)}`, '']),
				].join('\n');
			},
		});
		const sections = parseConfigFiles([{file: bed.configPath, text: readFileSync(bed.configPath, 'utf8')}]).sections;
		routes = deriveRoutes(sections, {interfaces: {}, maps: mapFiles(sections, {cwd: bed.dir})});
	}, 60_000);

	afterAll(async () => {
		await bed?.stop();
	});

	it('derives a probe for each backend a map or a default leads to, naming the map line', () => {
		const summary = Object.fromEntries(routes.map((route) => [route.backend, route.probe ? `${new URL(route.probe.url).pathname} ${route.probe.host ?? '(no Host of its own)'}` : `none: ${route.why}`]));
		expect(summary).toEqual({
			be_shop: '/ shop.example.com',
			// The rule lowers the Host, so line 5's key (upper case) matches no request: line 6's is the Host.
			be_api: '/ api.example.com',
			be_hosts_default: '/ (no Host of its own)',
			be_static: '/static/ (no Host of its own)',
			be_api_v1: '/api/v1/ (no Host of its own)',
			be_api_other: '/api (no Host of its own)',
			be_paths_default: '/ (no Host of its own)',
			be_org: '/ example.org',
			be_after: 'none: Frontend fe_domains sends every request drainboard can derive to be_dom_default (default_backend be_dom_default, line 26); pass --url and --host.',
			be_dom_default: '/ (no Host of its own)',
			be_base: '/guide docs.example.net',
		});
		expect(routes.find((route) => route.backend === 'be_api')?.probe?.from).toMatch(/map \S+\/maps\/hosts\.map line 6: api\.example\.com → be_api$/);
		expect(routes.find((route) => route.backend === 'be_api_v1')?.probe?.from).toMatch(/map \S+\/paths\.map line 3: \/api\/v1\/ → be_api_v1$/);
		expect(routes.find((route) => route.backend === 'be_shop')?.probe?.from).toBe(
			`frontend fe_hosts (line 13): use_backend %[req.hdr(host),lower,map(maps/hosts.map,be_hosts_default)] (line 15), map ${bed.dir}/maps/hosts.map line 2: shop.example.com → be_shop`,
		);
		expect(routes.find((route) => route.backend === 'be_hosts_default')?.probe?.from).toContain(`map ${bed.dir}/maps/hosts.map: no key matches 127.0.0.1:${bed.spare[0]!}, its default be_hosts_default`);
		expect(routes.find((route) => route.backend === 'be_base')?.probe?.url).toBe(`http://127.0.0.1:${bed.spare[3]!}/guide`);
	});

	it('every derived probe reaches its backend, and only it', async () => {
		const probed = routes.filter((route) => route.probe);
		expect(probed.length).toBe(backends.length - 1);
		for (const route of probed) {
			const result = await sendProbe(bed, route);
			expect({backend: route.backend, moved: result.moved}, route.probe!.from).toEqual({backend: route.backend, moved: {[route.backend]: 3}});
			expect(result.ok, `${route.backend}: ${route.probe!.url}`).toEqual([true, true, true]);
		}
	});

	it('a map that finds no key (and has no default) ends the use_backend rules: HAProxy takes default_backend, not the next rule', async () => {
		const unmatched: Route = {
			backend: 'be_dom_default',
			mode: 'http',
			probe: {url: `http://127.0.0.1:${bed.spare[2]!}/`, host: 'unknown.example.com', sni: null, proxyProtocol: null, local: true, from: 'a Host no key of domains.map matches'},
			why: null,
		};
		expect((await sendProbe(bed, unmatched)).moved).toEqual({be_dom_default: 3});
	});
});

/**
 * HAProxy's own regression test for maps (reg-tests/http-rules/map_redirect.vtc, kept in
 * test/fixtures/configs): its configuration with its `global` section replaced by the bed's, the
 * `fd@` bind moved to a port on 127.0.0.1, `${testdir}` to the bed's directory (with the test's two
 * map files), the servers to demo servers. Redirects by `map_str` with `ignore-empty` and a
 * `regsub` before the map, `use_backend %[…map_dom(…)]` with and without a default.
 */
describe('the map_redirect regression test of HAProxy agrees with a real HAProxy', () => {
	const fixtures = new URL('../fixtures/configs/', import.meta.url);
	const servers = ['test1_be', 'test2_be', 'test3_be', 'test4_be'];
	let bed: TestBed;
	let routes: Route[];

	beforeAll(async () => {
		const text = readFileSync(new URL('haproxy-regtest-map-redirect.cfg', fixtures), 'utf8');
		bed = await startTestBed({
			demos: servers,
			config(context) {
				for (const map of ['map_redirect.map', 'map_redirect-be.map']) {
					copyFileSync(new URL(`maps/${map}`, fixtures), path.join(context.dir, map));
				}

				const body = text
					.slice(text.indexOf('  defaults'))
					.replace('"fd@${fe1}"', `127.0.0.1:${context.spare[0]!}`)
					.replaceAll('${testdir}', context.dir)
					.replace(/\$\{s(\d)_addr\}:\$\{s\d_port\}/g, (_all, index: string) => `127.0.0.1:${context.port(`test${index}_be`)}`);
				return `${context.global()}\n${body}`;
			},
		});
		const sections = parseConfigFiles([{file: bed.configPath, text: readFileSync(bed.configPath, 'utf8')}]).sections;
		routes = deriveRoutes(sections, {interfaces: {}, maps: mapFiles(sections, {cwd: bed.dir})});
	}, 60_000);

	afterAll(async () => {
		await bed?.stop();
	});

	it('derives the Host each backend needs, from the map or its default', () => {
		expect(Object.fromEntries(routes.map((route) => [route.backend, route.probe?.host ?? `none: ${route.why}`]))).toEqual({
			test1_be: 'test1.example.com',
			test2_be: 'test2.example.com',
			test3_be: 'example.com',
			test4_be: 'example.invalid',
		});
		expect(routes[0]?.probe?.from).toMatch(/, map \S+\/map_redirect-be\.map line 2: test1\.example\.com → test1_be$/);
		expect(routes[2]?.probe?.from).toMatch(/, map \S+\/map_redirect-be\.map: no key matches example\.com, its default test3_be$/);
	});

	it('every derived probe reaches its backend, and only it', async () => {
		for (const route of routes) {
			const result = await sendProbe(bed, route);
			expect({backend: route.backend, moved: result.moved}, route.probe!.from).toEqual({backend: route.backend, moved: {[route.backend]: 3}});
			expect(result.ok, `${route.backend}: ${route.probe!.url}`).toEqual([true, true, true]);
		}
	});
});

/**
 * A map changed at run time (`del map`, `add map`: what a control plane or an operator's socat
 * does) routes by what HAProxy holds, not by the file: the probe's Host comes from `show map`.
 */
describe('a map changed at run time', () => {
	let bed: TestBed;

	beforeAll(async () => {
		bed = await startTestBed({
			demos: ['a1', 'a2', 'w1', 'w2'],
			config(context) {
				writeFileSync(path.join(context.dir, 'hosts.map'), 'old.example.com shop\n');
				return [
					context.global(),
					defaultsSection,
					'frontend fe',
					`    bind 127.0.0.1:${context.frontendPort}`,
					'    use_backend %[req.hdr(host),lower,map(hosts.map,site)]',
					'',
					...[
						['shop', 'a1', 'a2'],
						['site', 'w1', 'w2'],
					].flatMap(([name, ...servers]) => [`backend ${name!}`, '    balance roundrobin', ...servers.map((server) => `    server ${server} 127.0.0.1:${context.port(server)}`), '']),
				].join('\n');
			},
		});
		expect(await bed.send('del map hosts.map old.example.com')).toBe('\n');
		expect(await bed.send('add map hosts.map new.example.com shop')).toBe('\n');
	}, 60_000);

	afterAll(async () => {
		await bed?.stop();
	});

	it('drains with the Host HAProxy holds now, and says the map entry came from HAProxy', async () => {
		const run = await runCli(['drain', 'shop/a1', '--socket', bed.adminSocket, '--journal', path.join(bed.dir, 'j.jsonl'), '--proof', 'probe', '--yes', '--json']);
		const json = checkContract(run.stdout, run.code);
		expect(run.code, run.stderr).toBe(0);
		const listener = json.steps.flatMap((step) => step.checks).find((check) => check.id === 'listener');
		expect(listener?.evidence).toMatchObject({host: 'new.example.com'});
		expect(String(listener?.evidence?.['from'])).toMatch(/map hosts\.map as HAProxy holds it \(show map\), entry 1: new\.example\.com → shop$/);
	});
});
