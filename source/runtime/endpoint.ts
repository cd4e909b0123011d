import path from 'node:path';
import * as z from 'zod/mini';
import {UsageError} from '../errors.js';
import {visible} from '../visible-text.js';

/**
 * Where a HAProxy Runtime API listens: a UNIX socket path or a TCP host and port. `worker` is set
 * on a master CLI socket: each command goes to that worker with the `@!<pid>` prefix.
 */
export type Endpoint = ({kind: 'unix'; path: string} | {kind: 'tcp'; host: string; port: number}) & {
	label: string;
	/** A master CLI socket (`-S`): it answers only once the request side is closed. */
	master?: true;
	/** The worker pid every command is addressed to, on a master CLI socket. */
	worker?: number;
	/** The flag the operator gave it with; absent when drainboard found it (a configuration's `stats socket`, the default). */
	flag?: '--socket' | '--master';
};

/** The master CLI at `spec` itself, for `show proc`. */
export function parseMasterEndpoint(spec: string): Endpoint {
	return {...parseEndpoint(spec, '--master'), master: true, flag: '--master'};
}

/**
 * The `ordinal`-th current worker of a master CLI, now process `pid`: each command is prefixed
 * with `@!<pid>`. The label (`master.sock [worker 1]`) outlives the pid, which a reload changes.
 */
export function onWorker(master: Endpoint, pid: number, ordinal = 1): Endpoint {
	return {...master, master: true, worker: pid, label: `${master.label} [worker ${ordinal}]`};
}

const portSchema = z.coerce.number().check(z.int(), z.minimum(1), z.maximum(65_535));

/**
 * Reads `--socket` values and `stats socket` addresses: `/path`, `unix@path`, any `path/with/a
 * slash` (a relative one is resolved against the current directory: the label, the journal and
 * every message name the socket by its full path), `host:port`, `ipv4@host:port`,
 * `ipv6@[::1]:port`, `[::1]:port`. A host name never holds a slash, so a value with one is a path;
 * one without is host:port or nothing (`./admin.sock` for a file in the current directory).
 */
export function parseEndpoint(text: string, flag = '--socket'): Endpoint {
	const spec = text.trim();
	if (spec === '' || /[\0\n\r]/.test(spec)) {
		throw new UsageError(`The socket "${printable(text)}" is not a path or host:port; pass ${flag} ${example(flag)} or ${flag} 127.0.0.1:9999.`);
	}

	if (spec.startsWith('unix@')) {
		return unix(spec.slice('unix@'.length), flag);
	}

	if (spec.includes('/')) {
		return unix(spec, flag);
	}

	const address = spec.replace(/^(?:ipv4|ipv6|tcp|tcp4|tcp6)@/, '');
	const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):([0-9]+)$/.exec(address);
	const port = portSchema.safeParse(match?.[3]);
	if (!match || !port.success) {
		const file = /^[^:@]+$/.test(spec) ? ` (./${printable(spec)} for a file in this directory)` : '';
		throw new UsageError(`The socket "${printable(text)}" is not a path or host:port; pass ${flag} ${example(flag)}${file} or ${flag} 127.0.0.1:9999.`);
	}

	const host = match[1] ?? match[2] ?? '';
	const label = match[1] ? `[${host}]:${port.data}` : `${host}:${port.data}`;
	return {kind: 'tcp', host, port: port.data, label};
}

function unix(socketPath: string, flag: string): Endpoint {
	if (socketPath === '') {
		throw new UsageError(`The socket "unix@" has no path; pass ${flag} ${example(flag)}.`);
	}

	const absolute = path.resolve(socketPath);
	return {kind: 'unix', path: absolute, label: absolute};
}

const example = (flag: string) => (flag === '--master' ? '/run/haproxy-master.sock' : '/run/haproxy/admin.sock');

/** Shows a user-supplied string in a message without control characters. */
export function printable(text: string): string {
	// Written out as everywhere else (`\x1b`), then cut; a cut never ends inside an escape.
	const shown = visible(text);
	return shown.length <= 120 ? shown : shown.slice(0, 120).replace(/\\(?:x[0-9a-f]?|u[0-9a-f]{0,3})?$/i, '');
}
