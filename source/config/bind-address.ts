import net from 'node:net';
import {hostInterfaces, interfaceAddress, isLocalAddress, type HostInterfaces} from '../local-address.js';
import type {Statement} from './parse-config.js';

/** Where a probe connects to reach one address of a `bind` line, or why it cannot. */
type BindTarget =
	| {
			/** The address to connect to: 127.0.0.1 for a wildcard, the interface's address with `interface X`, else the bind's own. */
			address: string;
			port: number;
			/** Whether `address` is on this host (a probe never goes anywhere else). */
			local: boolean;
			/** The address as written (`:::443`, `ipv4@*:80`). */
			spec: string;
	  }
	| {spec: string; why: string};

/** A `bind` line as far as probing goes: its addresses and the options that change how to talk to it. */
export type Bind = {
	statement: Statement;
	targets: BindTarget[];
	ssl: boolean;
	/** `strict-sni`: a TLS connection without a server name one of its certificates holds is refused. */
	strictSni: boolean;
	acceptProxy: boolean;
};

const prefixes: Record<string, 'ipv4' | 'ipv6' | 'any' | string> = {
	'ipv4@': 'ipv4',
	'ipv6@': 'ipv6',
	'tcp@': 'any',
	'tcp4@': 'ipv4',
	'tcp6@': 'ipv6',
	'mptcp@': 'any',
	'mptcp4@': 'ipv4',
	'mptcp6@': 'ipv6',
	'unix@': 'a UNIX socket',
	'uxst@': 'a UNIX socket',
	'uxdg@': 'a UNIX datagram socket',
	'abstract@': 'an abstract UNIX socket',
	'abns@': 'an abstract UNIX socket',
	'abnsz@': 'an abstract UNIX socket',
	'fd@': 'a file descriptor HAProxy inherited',
	'sockpair@': 'a socket pair HAProxy inherited',
	'udp@': 'UDP',
	'udp4@': 'UDP',
	'udp6@': 'UDP',
	'quic@': 'QUIC over UDP',
	'quic4@': 'QUIC over UDP',
	'quic6@': 'QUIC over UDP',
	'rhttp@': 'a reverse-HTTP pre-connection',
};

/**
 * Reads a `bind` line the way str2sa_range() reads its address: a comma-separated list, each with
 * an optional `family@` prefix, the port after the last colon (`:::80` is `::` port 80,
 * `[::]:80` too), a range's first port, `*`/empty/`0.0.0.0`/`::` as wildcards. Options that matter
 * to a probe: `ssl`, `accept-proxy`, `interface X` (connect to that interface's address),
 * `v6only`, `namespace`. Socket kinds a TCP probe cannot reach get a reason.
 */
export function readBind(statement: Statement, interfaces: HostInterfaces = hostInterfaces()): Bind {
	const options = statement.args.slice(1);
	const option = (name: string) => {
		const index = options.indexOf(name);
		return index === -1 ? undefined : (options[index + 1] ?? '');
	};

	const device = option('interface');
	const namespace = option('namespace');
	const v6only = options.includes('v6only');
	const ssl = options.includes('ssl');
	const targets = (statement.args[0] ?? '').split(',').map((spec): BindTarget => {
		if (namespace !== undefined) {
			return {spec, why: `it is in network namespace ${namespace}, which a probe from here does not enter`};
		}

		if (ssl && option('verify') === 'required') {
			return {spec, why: 'it requires a client certificate (verify required), which the probe does not send'};
		}

		return targetOf(spec, {device, v6only, interfaces});
	});
	return {statement, targets, ssl, strictSni: ssl && options.includes('strict-sni'), acceptProxy: options.includes('accept-proxy')};
}

function targetOf(spec: string, context: {device: string | undefined; v6only: boolean; interfaces: HostInterfaces}): BindTarget {
	const prefix = /^[a-z0-9]+@/.exec(spec)?.[0];
	const kind = prefix === undefined ? (spec.startsWith('/') ? 'a UNIX socket' : 'any') : prefixes[prefix];
	if (kind === undefined) {
		return {spec, why: `${prefix ?? ''} is an address family drainboard does not know`};
	}

	if (kind !== 'ipv4' && kind !== 'ipv6' && kind !== 'any') {
		return {spec, why: `it is ${kind}, which a TCP probe cannot reach`};
	}

	const rest = prefix === undefined ? spec : spec.slice(prefix.length);
	const match = /^(?:\[([^\]]*)\]|(.*)):([0-9]+)(?:-[0-9]+)?$/.exec(rest);
	if (!match) {
		return {spec, why: /:[^:]*$/.test(rest) ? `its port is not a number` : `it names no port`};
	}

	const written = (match[1] ?? match[2] ?? '').toLowerCase();
	const port = Number(match[3]);
	if (port < 1 || port > 65_535) {
		return {spec, why: `port ${port} is not a TCP port`};
	}

	const ipv6 = kind === 'ipv6' || written.includes(':');
	const wildcard = written === '' || written === '*' || written === '0.0.0.0' || written === '::';
	let address: string;
	if (wildcard && context.device !== undefined) {
		const own = interfaceAddress(context.device, kind === 'ipv6' || (ipv6 && context.v6only) ? 'ipv6' : 'any', context.interfaces);
		if (own === undefined) {
			return {spec, why: `it listens on interface ${context.device}, which this host does not have (or which has no address)`};
		}

		address = own;
	} else if (wildcard) {
		address = ipv6 && context.v6only ? '::1' : '127.0.0.1';
	} else if (written === 'localhost') {
		address = kind === 'ipv6' ? '::1' : '127.0.0.1';
	} else if (net.isIP(written) === 0) {
		return {spec, why: `it names host ${written}, which HAProxy resolved when it started; give its address with --url`};
	} else {
		address = written;
	}

	return {address, port, local: isLocalAddress(address, context.interfaces), spec};
}

/** `127.0.0.1:80`, `[::1]:443`: an address and port as a URL writes them. */
export function hostPort(address: string, port: number): string {
	return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}
