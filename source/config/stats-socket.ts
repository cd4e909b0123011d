import path from 'node:path';
import {parseEndpoint, type Endpoint} from '../runtime/endpoint.js';
import {statementsOf, type Section} from './parse-config.js';

/** A `stats socket` line of the global section. */
type StatsSocket = {endpoint: Endpoint; level: 'admin' | 'operator' | 'user'; line: number};

/**
 * The `stats socket` lines of the global section, in order. Addresses drainboard cannot reach
 * (abstract namespaces, file descriptors) are left out, and so are lines under a `.if` it could
 * not evaluate. `*:port` and `:port` mean loopback here; a relative path is taken from `cwd`
 * (HAProxy's directory) when known.
 */
export function statsSockets(sections: readonly Section[], cwd: string | null = null): StatsSocket[] {
	const sockets: StatsSocket[] = [];
	for (const section of sections.filter((candidate) => candidate.kind === 'global' && !candidate.uncertain)) {
		const prefix = statementsOf(section, 'unix-bind').flatMap((statement) => {
			const at = statement.args.indexOf('prefix');
			return at === -1 ? [] : [statement.args[at + 1] ?? ''];
		})[0];
		for (const statement of statementsOf(section, 'stats', 'socket')) {
			const address = statement.args[1];
			if (address === undefined || statement.uncertain || /^(?:abns|fd|sockpair)@/.test(address)) {
				continue;
			}

			const levelAt = statement.args.indexOf('level');
			const level = statement.args[levelAt + 1];
			const spec = localAddress(address, prefix, cwd);
			try {
				sockets.push({
					endpoint: parseEndpoint(spec),
					level: levelAt !== -1 && (level === 'admin' || level === 'user') ? level : 'operator',
					line: statement.line,
				});
			} catch {
				// An address drainboard cannot parse is skipped; --socket still works.
			}
		}
	}

	return sockets;
}

/** The socket to use by default: the first `level admin` one, else the first one. */
export function defaultStatsSocket(sections: readonly Section[], cwd: string | null = null): StatsSocket | undefined {
	const sockets = statsSockets(sections, cwd);
	return sockets.find((socket) => socket.level === 'admin') ?? sockets[0];
}

function localAddress(address: string, unixPrefix: string | undefined, cwd: string | null): string {
	const tcp = /^(?:ipv4@|ipv6@|tcp@|tcp4@|tcp6@)?(\*|0\.0\.0\.0|::|\[::\])?:([0-9]+)$/.exec(address);
	if (tcp) {
		return `127.0.0.1:${tcp[2]}`;
	}

	if (address.startsWith('/') || address.startsWith('unix@') || /:[0-9]+$/.test(address)) {
		return address;
	}

	const relative = unixPrefix ? path.join(unixPrefix, address) : address;
	if (path.isAbsolute(relative)) {
		return relative;
	}

	return cwd ? path.join(cwd, relative) : relative.startsWith('.') ? relative : `./${relative}`;
}
