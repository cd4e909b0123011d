import {execFileSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {parseConfigFiles} from '../../source/config/parse-config.js';
import {deriveRoutes, type Route} from '../../source/config/routes.js';
import {sendProbe as send} from '../helpers/route-counters.js';
import {startTestBed, type BedContext, type TestBed} from '../helpers/test-bed.js';

/**
 * The derivation against HAProxy itself: a configuration is loaded into a real HAProxy with its
 * binds moved to free ports on 127.0.0.1 (addresses kept), its certificates replaced by one made
 * here and its servers replaced by demo servers on 127.0.0.1; then every derived probe is sent
 * and HAProxy's own counters say which backend it reached.
 */
const fixtures = new URL('../fixtures/configs/', import.meta.url);

const serverNames = (text: string) => [...text.matchAll(/^\s*server\s+(\S+)/gm)].map((match) => match[1]!);
const bindPorts = (text: string) => [...new Set([...text.matchAll(/^\s*bind\s+(\S+)/gm)].flatMap((match) => [...match[1]!.matchAll(/:(\d+)(?:-\d+)?(?=,|$)/g)].map((port) => port[1]!)))];

const section = /^(?:global|defaults|frontend|backend|listen|peers|resolvers|userlist|cache|ring|program|mailers|http-errors)\b/;

/** The configuration as the bed runs it: the bed's global section instead of its own. */
function rewrite(text: string, context: BedContext, ports: ReadonlyMap<string, number>, pem: string): string {
	let inGlobal = false;
	const lines = text.split('\n').filter((line) => {
		if (section.test(line)) {
			inGlobal = line.startsWith('global');
		}

		return !inGlobal && !/^\s*(?:log|errorfile)\b/.test(line);
	});
	const rewritten = lines.map((line) => {
		const bind = /^(\s*bind\s+)(\S+)(.*)$/.exec(line);
		if (bind) {
			const addresses = bind[2]!.replace(/:(\d+)(?:-\d+)?(?=,|$)/g, (_all, port: string) => `:${ports.get(port) ?? port}`);
			const options = bind[3]!.replace(/\bcrt\s+\S+/g, `crt ${pem}`).replace(/\s(?:ca-file|crl-file)\s+\S+/g, '').replace(/\sverify\s+required/g, '');
			return `${bind[1]!}${addresses}${options}`;
		}

		const server = /^(\s*server\s+)(\S+)\s.*$/.exec(line);
		if (server) {
			return `${server[1]!}${server[2]!} 127.0.0.1:${context.port(server[2]!)}${/\sbackup\b/.test(line) ? ' backup' : ''}`;
		}

		return line;
	});
	return `${context.global()}\n${rewritten.join('\n')}`;
}

async function agree(name: string, skip: readonly string[] = []) {
	const text = readFileSync(new URL(name, fixtures), 'utf8');
	const binds = bindPorts(text);
	let pem = '';
	// The bed's spare ports: picked again, with the config, when HAProxy finds one taken.
	const bed = await startTestBed({
		demos: [...new Set(serverNames(text))],
		spareCount: binds.length,
		config(context) {
			const ports = new Map(binds.map((port, index) => [port, context.spare[index]!]));
			pem = path.join(context.dir, 'site.pem');
			execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test', '-keyout', `${pem}.key`, '-out', `${pem}.crt`], {stdio: 'ignore'});
			writeFileSync(pem, `${readFileSync(`${pem}.crt`, 'utf8')}${readFileSync(`${pem}.key`, 'utf8')}`);
			return rewrite(text, context, ports, pem);
		},
	});
	const routes = deriveRoutes(parseConfigFiles([{file: bed.configPath, text: readFileSync(bed.configPath, 'utf8')}]).sections, {interfaces: {}});
	return {bed, routes: routes.filter((route) => !skip.includes(route.backend))};
}

describe.each([
	['forms/host-sni-path.cfg', [] as string[]],
	['forms/partial-hosts.cfg', []],
	['forms/gating.cfg', []],
	['forms/modes.cfg', []],
	['rate-limiting-cors-owasp.cfg', []],
	['abbosbek-haproxy.cfg', []],
	['nextcloud.cfg', []],
	['basic-config-edge.cfg', []],
])('the routes of %s agree with a real HAProxy', (name, skip) => {
	let bed: TestBed;
	let routes: Route[];

	beforeAll(async () => {
		({bed, routes} = await agree(name, skip));
	}, 60_000);

	afterAll(async () => {
		await bed?.stop();
	});

	it('every derived probe reaches its backend, and only it', async () => {
		const probed = routes.filter((route) => route.probe?.local);
		expect(probed.length).toBeGreaterThan(0);
		for (const route of probed) {
			const result = await send(bed, route);
			if (route.probe!.url.startsWith('tls:')) {
				// TLS passthrough reaches demo servers that do not speak TLS: the handshake fails, and an
				// attempt the demo server cut short may end before HAProxy counts its session. The route is
				// proven by which backend's counters moved: this one only, by one to three sessions.
				expect(Object.keys(result.moved), route.probe!.from).toEqual([route.backend]);
				expect(result.moved[route.backend], route.probe!.from).toBeGreaterThanOrEqual(1);
				expect(result.moved[route.backend], route.probe!.from).toBeLessThanOrEqual(3);
			} else {
				expect({backend: route.backend, moved: result.moved}, `${route.probe!.from}; the answers were ${result.answers.join(', ')}`).toEqual({backend: route.backend, moved: {[route.backend]: 3}});
				expect(result.ok, `${route.backend}: ${route.probe!.url}`).toEqual([true, true, true]);
			}
		}
	});
});
