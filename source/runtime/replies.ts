import {RuntimeApiError} from './runtime-error.js';

/** HAProxy prefixes messages with `[3]: ` or `[err]: ` when `severity-output` is set. */
function stripSeverity(line: string): string {
	return line.replace(/^\[[a-z0-9]+\]: /i, '');
}

/** Splits the reply of several `;`-joined commands: each reply ends with an empty line. */
export function splitReplies(reply: Buffer, count: number): Buffer[] | undefined {
	const parts: Buffer[] = [];
	let position = 0;
	for (let index = 0; index < count; index++) {
		if (reply[position] === 10) {
			parts.push(reply.subarray(position, position + 1));
			position += 1;
			continue;
		}

		const end = reply.indexOf('\n\n', position);
		if (end === -1) {
			return undefined;
		}

		parts.push(reply.subarray(position, end + 2));
		position = end + 2;
	}

	return parts;
}

const knownErrors = [
	/^No such (?:server|backend|proxy)\.$/,
	/^Can't find backend\.$/,
	/^Require 'backend\/server'\.$/,
	/^'set server <srv> state' expects/,
	/^usage: /i,
	/^Proxy is disabled\.$/,
	/^Can't find the target PID/,
];

/** The first line of an error reply, or undefined when the reply does not look like an error. */
export function errorLineOf(reply: string | Buffer): string | undefined {
	const head = typeof reply === 'string' ? reply.slice(0, 512) : reply.toString('utf8', 0, Math.min(reply.length, 512));
	const first = stripSeverity(head.split('\n', 1)[0]?.trim() ?? '');
	if (first === 'Permission denied' || first.startsWith('Unknown command') || knownErrors.some((pattern) => pattern.test(first))) {
		return first;
	}

	return undefined;
}

/** Turns an error reply into the typed error an operator reads. */
export function replyError(socket: string, command: string, errorLine: string): RuntimeApiError {
	if (errorLine === 'Permission denied') {
		return new RuntimeApiError(
			'not-admin',
			socket,
			`HAProxy at ${socket} refused "${command}": the socket is not at "level admin"; add "level admin" to its "stats socket" line in haproxy.cfg and reload.`,
			{reply: errorLine},
		);
	}

	const gone = /^Can't find the target PID matching the prefix '@!([0-9]+)'/.exec(errorLine);
	if (gone) {
		return new RuntimeApiError(
			'worker-gone',
			socket,
			`The HAProxy worker ${gone[1]} behind ${socket} is gone (HAProxy was reloaded or restarted).`,
			{reply: errorLine},
		);
	}

	// Every stats socket of every release knows these: only the master CLI (haproxy -W -S) does not.
	if (errorLine.startsWith('Unknown command') && /^(?:show info|show stat|show servers state)\b/.test(command)) {
		return new RuntimeApiError(
			'bad-reply',
			socket,
			`${socket} is HAProxy's master CLI (haproxy -W -S), which does not know "${command.split(';', 1)[0]!}"; pass it as --master ${socket}, or pass --socket the path or address of a "stats socket" line of haproxy.cfg.`,
			{reply: errorLine},
		);
	}

	if (errorLine.startsWith('Unknown command')) {
		return new RuntimeApiError('unknown-command', socket, `HAProxy at ${socket} does not know the command "${command}"; this HAProxy release may be too old for it.`, {
			reply: errorLine,
		});
	}

	return new RuntimeApiError('haproxy-error', socket, `HAProxy at ${socket} answered "${errorLine}" to "${command}".`, {reply: errorLine});
}

/**
 * The error for a reply that is not HAProxy's Runtime API at all: an HTTP server (a frontend, the
 * stats page at `stats uri`: a common mix-up with `stats socket`) or an SSH server answers the
 * command line with its own greeting or error. Undefined when `first` (the reply's first bytes)
 * does not start like one.
 */
export function foreignProtocol(socket: string, first: Buffer): RuntimeApiError | undefined {
	const head = first.subarray(0, 80).toString('latin1');
	const kind = /^HTTP\/\d/.test(head) ? 'a web server' : /^SSH-\d/.test(head) ? 'an SSH server' : undefined;
	if (kind === undefined) {
		return undefined;
	}

	const line = (head.split(/\r?\n/, 1)[0] ?? '').replace(/[^\x20-\x7e]/g, '?');
	return new RuntimeApiError(
		'bad-reply',
		socket,
		`${socket} answers as ${kind} ("${line}"), not as HAProxy's Runtime API; pass --socket the path or address of a "stats socket" line of haproxy.cfg, not a web, stats page or SSH port.`,
	);
}
