import {existsSync, readFileSync, readdirSync, statSync} from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {conditionFacts, configEnvironment} from '../../source/config/condition-facts.js';
import {parseMapText, type MapRead} from '../../source/config/map-file.js';
import {mapFiles} from '../../source/config/map-files.js';
import {parseConfigFiles} from '../../source/config/parse-config.js';
import {deriveRoutes, type Route} from '../../source/config/routes.js';

/**
 * Routes over configurations from public projects (test/fixtures/configs/README.md names each
 * source). They were picked from a run of the derivation over 51 configurations (79 backends with
 * servers) from HAProxy's examples and regression tests, Kubernetes/OKD/OpenShift control planes,
 * OpenStack, Patroni, Galera/MySQL, Nextcloud, RabbitMQ, Ceph and others; each backend's probe was
 * checked by reading the configuration it came from. No interface but loopback: a VIP is not local.
 */
const facts = conditionFacts({environment: configEnvironment(new Map()), version: '3.0.11', build: {version: '3.0.11', features: '+EPOLL -QUIC +OPENSSL +THREAD'}, args: null});

const fixtures = new URL('../fixtures/configs/', import.meta.url);

/** A fixture (one file, or a directory of files read in name order) as routes in one line each. */
function routesOf(name: string): Record<string, string> {
	const location = new URL(name, fixtures);
	const files = statSync(location).isDirectory() ? readdirSync(location).sort().map((file) => new URL(`${name}/${file}`, fixtures)) : [location];
	const texts = files.map((file) => ({file: file.pathname.replace(fixtures.pathname, '/etc/haproxy/'), text: readFileSync(file, 'utf8')}));
	const sections = parseConfigFiles(texts, facts).sections;
	return Object.fromEntries(deriveRoutes(sections, {interfaces: {}, maps: mapFiles(sections, {cwd: '/etc/haproxy', readFile: fixtureMap})}).map((route) => [route.backend, summary(route)]));
}

/** A map file, wherever the configuration puts it, is the fixture of its name in maps/ (the configurations' own directories do not exist here). */
function fixtureMap(file: string): MapRead {
	const fixture = new URL(`maps/${path.basename(file)}`, fixtures);
	return existsSync(fixture) ? {file, entries: parseMapText(readFileSync(fixture, 'latin1'))} : {file, problem: `${file} cannot be read (no such file)`};
}

function summary(route: Route): string {
	if (!route.probe) {
		return `none: ${route.why ?? ''}`;
	}

	const {url, host, sni, proxyProtocol, local, from} = route.probe;
	return [url, host && `Host ${host}`, sni && `SNI ${sni}`, proxyProtocol && `PROXY ${proxyProtocol}`, local ? null : '(not local)', `| ${from}`].filter(Boolean).join(' ');
}

describe('routes over configurations from public projects', () => {
	it('haproxy-example-content-sw-sample.cfg: its only listener is a VIP not on this host: no probe, with why', () => {
		expect(routesOf('haproxy-example-content-sw-sample.cfg')).toEqual({
		"static": "none: Frontend public binds 192.168.1.10:80 (line 21), which is not an address of this host, and drainboard never sends a probe off this host; use --proof live, or pass --url with an address of this host.",
		"dynamic": "none: Frontend public binds 192.168.1.10:80 (line 21), which is not an address of this host, and drainboard never sends a probe off this host; use --proof live, or pass --url with an address of this host.",
		});
	});

	it('haproxy-example-option-http_proxy.cfg: only one client address passes its gate: no probe from this host can', () => {
		expect(routesOf('haproxy-example-option-http_proxy.cfg')).toEqual({
		"test-proxy-srv": "none: In frontend test-proxy, http-request deny if !allow_host (line 25) refuses every request drainboard can derive; pass --url and --host.",
		});
	});

	it('haproxy-example-mptcp.cfg: an MPTCP bind on [::] is reached at 127.0.0.1', () => {
		expect(routesOf('haproxy-example-mptcp.cfg')).toEqual({
		"mptcp_backend": "http://127.0.0.1:5000/ | frontend main (line 16): default_backend mptcp_backend (line 18)",
		});
	});

	it('haproxy-regtest-map-redirect.cfg: its map (maps/map_redirect-be.map) is read, and the fd@ binds are what leaves every backend without a probe', () => {
		const why = 'none: Frontend fe1 binds fd@ (line 14), and it is a file descriptor HAProxy inherited, which a TCP probe cannot reach; pass --url and --host.';
		expect(routesOf('haproxy-regtest-map-redirect.cfg')).toEqual({test1_be: why, test2_be: why, test3_be: why, test4_be: why});
	});

	it('kubeadm-ha-considerations.cfg: the Kubernetes API through a mode tcp frontend', () => {
		expect(routesOf('kubeadm-ha-considerations.cfg')).toEqual({
		"apiserverbackend": "tcp://127.0.0.1:8443 | frontend apiserver (line 33): default_backend apiserverbackend (line 37)",
		});
	});

	it('okd-4.14-install.cfg: listen sections in mode tcp over an http defaults', () => {
		expect(routesOf('okd-4.14-install.cfg')).toEqual({
		"api-server-6443": "tcp://127.0.0.1:6443 | listen api-server-6443 (line 33): its own servers",
		"machine-config-server-22623": "tcp://127.0.0.1:22623 | listen machine-config-server-22623 (line 40): its own servers",
		"ingress-router-443": "tcp://127.0.0.1:443 | listen ingress-router-443 (line 47): its own servers",
		"ingress-router-80": "tcp://127.0.0.1:80 | listen ingress-router-80 (line 55): its own servers",
		});
	});

	it('patroni.cfg: a Patroni listen section', () => {
		expect(routesOf('patroni.cfg')).toEqual({
		"batman": "tcp://127.0.0.1:5000 | listen batman (line 19): its own servers",
		});
	});

	it('nextcloud.cfg: port 80 only redirects: the TLS bind is probed; PgBouncer over tcp', () => {
		expect(routesOf('nextcloud.cfg')).toEqual({
		"app-backend": "https://127.0.0.1:443/ | frontend https-in (line 26): default_backend app-backend (line 31)",
		"pgsql": "tcp://127.0.0.1:5433 | listen pgsql (line 41): its own servers",
		});
	});

	it('openstack-haproxy.cfg: a path prefix reaches static, everything else www', () => {
		expect(routesOf('openstack-haproxy.cfg')).toEqual({
		"static": "http://127.0.0.1:80/static | frontend http (line 31): use_backend static if url_static (line 41)",
		"www": "http://127.0.0.1:80/ | frontend http (line 31): default_backend www (line 43)",
		});
	});

	it('rate-limiting-cors-owasp.cfg: the Host its deny rule lets through', () => {
		expect(routesOf('rate-limiting-cors-owasp.cfg')).toEqual({
		"web_backend": "http://127.0.0.1:80/ Host example.com | frontend https_front (line 39): default_backend web_backend (line 44)",
		});
	});

	it('abbosbek-haproxy.cfg: Host routing over TLS with the name as SNI', () => {
		expect(routesOf('abbosbek-haproxy.cfg')).toEqual({
		"mockint_uz_main_site": "https://127.0.0.1:443/ Host mockint.uz SNI mockint.uz | frontend https_front (line 28): use_backend mockint_uz_main_site if mockint_uz (line 39)",
		"dashboard_mockint_uz_main_site": "https://127.0.0.1:443/ Host dashboard.mockint.uz SNI dashboard.mockint.uz | frontend https_front (line 28): use_backend dashboard_mockint_uz_main_site if dashboard_mockint_uz (line 40)",
		});
	});

	it('acdoyle-haproxy.cfg: a bind that requires a client certificate, and backends nothing routes to', () => {
		expect(routesOf('acdoyle-haproxy.cfg')).toEqual({
		"LB": "none: Frontend https-frontend binds 192.168.1.140:443 (line 109), and it requires a client certificate (verify required), which the probe does not send; pass --url and --host.",
		"LB2": "none: No frontend or listen section routes to it (no use_backend or default_backend names it); pass --url and --host.",
		"LB3": "none: No frontend or listen section routes to it (no use_backend or default_backend names it); pass --url and --host.",
		});
	});

	it('harisekhon-elasticsearch-acl: HTTP authentication on every request', () => {
		expect(routesOf('harisekhon-elasticsearch-acl')).toEqual({
		"elasticsearch-acl": "none: In backend elasticsearch-acl, http-request auth realm Elasticsearch unless auth_ok (/etc/haproxy/harisekhon-elasticsearch-acl/elasticsearch-acl.cfg line 35) asks for credentials on every request drainboard can derive; pass --url and --host.",
		});
	});

	it('harisekhon-redis-master: a source-address gate 127.0.0.1 passes, over two files', () => {
		expect(routesOf('harisekhon-redis-master')).toEqual({
		"redis-master": "tcp://127.0.0.1:6379 | frontend redis-master (/etc/haproxy/harisekhon-redis-master/redis-master.cfg line 19): default_backend redis-master (/etc/haproxy/harisekhon-redis-master/redis-master.cfg line 24)",
		});
	});

	it('htx-expect-header.cfg: a frontend bound on an abstract socket', () => {
		expect(routesOf('htx-expect-header.cfg')).toEqual({
		"ssl_offload": "http://127.0.0.1:8080/ | listen ssl_offload (line 14): its own servers",
		"app": "none: Frontend http-in binds abns@http-in (line 22), and it is an abstract UNIX socket, which a TCP probe cannot reach; pass --url and --host.",
		});
	});

	it('ocp-upi-baremetal.cfg: path ACLs with several values; tcp frontends on a VIP not on this host get no probe', () => {
		expect(routesOf('ocp-upi-baremetal.cfg')).toEqual({
		"static": "http://127.0.0.1:5000/static | frontend main (line 67): use_backend static if url_static (line 72)",
		"app": "http://127.0.0.1:5000/ | frontend main (line 67): default_backend app (line 73)",
		"api-server-6443": "none: Frontend api-server-6443 binds 172.27.40.233:6443 (line 98), which is not an address of this host, and drainboard never sends a probe off this host; use --proof live, or pass --url with an address of this host.",
		"api-server-22623": "none: Frontend api-server-22623 binds 172.27.40.233:22623 (line 103), which is not an address of this host, and drainboard never sends a probe off this host; use --proof live, or pass --url with an address of this host.",
		"ocp_ingress_80": "none: Frontend ocp_ingress_80 binds 172.27.40.233:80 (line 140), which is not an address of this host, and drainboard never sends a probe off this host; use --proof live, or pass --url with an address of this host.",
		"ocp_ingress_443": "none: Frontend ocp_ingress_443 binds 172.27.40.233:443 (line 146), which is not an address of this host, and drainboard never sends a probe off this host; use --proof live, or pass --url with an address of this host.",
		});
	});

	it('pointsman.cfg: a path taken from an unset variable and an unexpanded port leave no way in', () => {
		expect(routesOf('pointsman.cfg')).toEqual({
		"www-backend": "none: Frontend check has no backend for the requests drainboard can derive (HAProxy answers 503); pass --url and --host.",
		});
	});
});
