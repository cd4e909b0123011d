import type {HostInterfaces} from '../local-address.js';
import {targetFromUrl} from '../probe/create-probe.js';
import type {ProbeTarget} from '../probe/probe.js';
import {mapFiles, type HeldMaps} from './map-files.js';
import type {Section} from './parse-config.js';
import {deriveRoute, routeWithCandidates} from './routes.js';

/** What the operator asked of the probe: `--url`, `--host`, `--path`, `--verify-tls`. */
type ProbeFlags = {url?: string; host?: string; path?: string; verifyTls: boolean};

/** A probe and where it comes from (a clause, no final period). */
export type SourcedTarget = {target: ProbeTarget; source: string};

/**
 * The probe a maintenance uses and where it comes from, or why there is none (a clause, no final
 * period). `alternatives`: the other listeners on this host that route to the backend, best
 * first, for the operator to choose when the first does not answer (derived probes only).
 */
type ProbePlan = (SourcedTarget & {alternatives?: SourcedTarget[]}) | {target: null; why: string};

/**
 * The one place the wizard and headless decide their probe: the route {@link deriveRoute} finds
 * in the configuration, with `--url` (scheme, address, port, path), `--host` (Host and SNI) and
 * `--path` taking precedence over what it derived; a bind's PROXY protocol is kept when --url
 * names that bind. A backend reached only through addresses not on this host gives no probe,
 * with deriveRoute's reason: the same decision `drainboard routes` shows.
 * A bad --url throws (exit 2). `cwd`: the running HAProxy's working directory, where it read
 * map files named by a relative path (null: not known); `held`: the maps as it holds them now.
 */
export function planProbe(sections: readonly Section[] | null, backend: string, flags: ProbeFlags, options: {interfaces?: HostInterfaces; configProblem?: string; cwd?: string | null; held?: HeldMaps} = {}): ProbePlan {
	const interfaces = options.interfaces;
	const maps = sections ? mapFiles(sections, {cwd: options.cwd ?? null, held: options.held}) : undefined;
	if (flags.url !== undefined) {
		const typed = targetFromUrl(flags.url, {host: flags.host, path: flags.path, verifyTls: flags.verifyTls}, interfaces);
		// A path written in --url is the one sent: the route is derived for it, or there is none to name.
		const pathWritten = /^[a-z]+:\/\/[^/]+\//i.test(flags.url);
		const path = flags.path ?? (pathWritten ? typed.path : undefined);
		const route = sections ? deriveRoute(sections, backend, {interfaces, maps, given: {address: typed.address, port: typed.port, host: flags.host, path}}).probe : null;
		if (!route) {
			return {target: typed, source: 'from --url'};
		}

		const derived = new URL(route.url);
		const host = flags.host ?? route.host;
		return {
			target: {
				...typed,
				path: flags.path ?? (pathWritten ? typed.path : derived.pathname),
				host,
				sni: typed.scheme === 'https' || typed.scheme === 'tls' ? (flags.host ?? route.sni ?? typed.sni) : null,
				proxyProtocol: route.proxyProtocol,
				from: `--url, through ${route.from}`,
			},
			source: `from --url, through ${route.from}`,
		};
	}

	if (!sections) {
		return {target: null, why: `${options.configProblem ?? 'the configuration could not be read'}, so no frontend could be found`};
	}

	const {route, candidates} = routeWithCandidates(sections, backend, {interfaces, maps, given: {host: flags.host, path: flags.path}});
	if (!route.probe) {
		return {target: null, why: (route.why ?? 'no frontend routes to it').replace(/\.$/, '')};
	}

	// A route's probe is on this host (deriveRoute gives none elsewhere, saying why), so it is the first candidate; the others are the alternatives.
	const others = candidates.slice(1);
	const sourced = (probe: NonNullable<typeof route.probe>): SourcedTarget => ({
		target: {...targetFromUrl(probe.url, {host: probe.host ?? undefined, verifyTls: flags.verifyTls, proxyProtocol: probe.proxyProtocol, from: probe.from}, interfaces), sni: probe.sni},
		source: `derived from ${probe.from}`,
	});
	return {...sourced(route.probe), ...(others.length > 0 ? {alternatives: others.map((probe) => sourced(probe))} : {})};
}
