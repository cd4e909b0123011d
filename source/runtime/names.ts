import * as z from 'zod/mini';
import {UsageError} from '../errors.js';
import {printable} from './endpoint.js';
import {maxLineBytes} from './transport.js';

/**
 * Room a command line needs besides the names: the longest command built around a target
 * (`shutdown sessions server `) and, on a master CLI, `@!<pid> ` before each of the three commands
 * of a backend's snapshot.
 */
const lineRoom = 128;

/**
 * Longest `backend/server` drainboard can target. HAProxy itself sets no limit on names (its
 * configuration parser grows its line buffer; 2.6 and 3.4 load a 70,000-character server name):
 * the limit is drainboard's own, every command line it sends staying under {@link maxLineBytes}.
 */
export const maxTargetLength = maxLineBytes - lineRoom;

/** Longest backend name drainboard can target: a backend's snapshot names it twice in one line. */
export const maxBackendLength = Math.floor(maxTargetLength / 2);

/** Longest proxy or server name accepted at all (a server with a one-letter backend). */
export const maxNameLength = maxTargetLength - 2;

/**
 * HAProxy accepts proxy and server names of `[A-Za-z0-9_.:-]` only, and `#<id>` addresses one
 * by numeric id. Anything else cannot exist in a running HAProxy, so it is refused before any
 * command is built: this is the guard against command injection through `;`, `\` and newlines.
 */
export const proxyNameSchema = z
	.string()
	.check(z.minLength(1), z.maxLength(maxNameLength), z.regex(/^(?:[A-Za-z0-9_.:-]+|#[0-9]{1,9})$/))
	.brand<'ProxyName'>();

/**
 * A map's name as the configuration writes it (`/etc/haproxy/hosts.map`, `virt@dyn`), which is
 * what `show map` takes. The CLI splits its arguments at spaces and its commands at `;`, and
 * unescapes `\`: a name with any of those, or another character outside this set, is not sent.
 */
export const mapNameSchema = z
	.string()
	.check(z.minLength(1), z.maxLength(1024), z.regex(/^[A-Za-z0-9_.:@/+~=,%-]+$/))
	.brand<'MapName'>();

/** A map name that passed {@link mapNameSchema}. */
export type MapName = z.infer<typeof mapNameSchema>;

/** A backend or server name that passed {@link proxyNameSchema}. */
export type ProxyName = z.infer<typeof proxyNameSchema>;

/** The server under maintenance, as `backend/server`. */
export type Target = {backend: ProxyName; server: ProxyName};

type NameRole = 'backend' | 'server';

/** `webapps` as typed or reported; a long name shows its start and its end. */
export function shortName(name: string, width = 60): string {
	if (name.length <= width) {
		return printable(name);
	}

	const tail = Math.floor((width - 1) / 3);
	return `${printable(name.slice(0, width - 1 - tail))}…${printable(name.slice(-tail))}`;
}

/** One sentence for a name drainboard cannot put in a command line. */
const tooLong = (what: string, length: number, most: number) =>
	`${what} is ${length} characters long; drainboard takes at most ${most}, so that every command it sends stays under ${maxLineBytes} bytes (what HAProxy's socket safely takes in one line): change this one by hand with socat.`;

export function parseName(text: string, role: NameRole): ProxyName {
	const result = proxyNameSchema.safeParse(text);
	if (result.success) {
		if (role === 'backend' && text.length > maxBackendLength) {
			throw new UsageError(tooLong(`The backend name ${shortName(text)}`, text.length, maxBackendLength), 'invalid-name');
		}

		return result.data;
	}

	if (text === '') {
		throw new UsageError(`The ${role} name is empty; give it as it appears in haproxy.cfg.`, 'invalid-name');
	}

	if (text.length > maxNameLength && /^[A-Za-z0-9_.:-]+$/.test(text)) {
		throw new UsageError(tooLong(`The ${role} name ${shortName(text)}`, text.length, role === 'backend' ? maxBackendLength : maxNameLength), 'invalid-name');
	}

	throw new UsageError(`The ${role} name "${printable(text)}" has characters HAProxy does not allow in names; use only letters, digits and _ . : - (or #<id>).`, 'invalid-name');
}

/** Checks a backend and server name pair, as reported by HAProxy or typed; throws {@link UsageError}. */
export function targetOf(backendText: string, serverText: string): Target {
	const backend = parseName(backendText, 'backend');
	const server = parseName(serverText, 'server');
	const length = backend.length + 1 + server.length;
	if (length > maxTargetLength) {
		throw new UsageError(tooLong(`The target ${shortName(`${backend}/${server}`)}`, length, maxTargetLength), 'invalid-name');
	}

	return {backend, server};
}

/** Parses `backend/server`; refuses anything else with exit 2, before anything is sent. */
export function parseTarget(text: string): Target {
	const slash = text.indexOf('/');
	if (slash === -1) {
		throw new UsageError(`The target "${printable(text)}" is not backend/server; write it as, for example, webapps/app01.`, 'invalid-name');
	}

	return targetOf(text.slice(0, slash), text.slice(slash + 1));
}

export function formatTarget(target: Target): string {
	return `${target.backend}/${target.server}`;
}
