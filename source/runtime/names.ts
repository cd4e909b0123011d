import * as z from 'zod/mini';
import {UsageError} from '../errors.js';
import {printable} from './endpoint.js';

/** Longest proxy or server name accepted; keeps every command line far below HAProxy's limits. */
export const maxNameLength = 255;

/**
 * HAProxy accepts proxy and server names of `[A-Za-z0-9_.:-]` only, and `#<id>` addresses one
 * by numeric id. Anything else cannot exist in a running HAProxy, so it is refused before any
 * command is built: this is the guard against command injection through `;`, `\` and newlines.
 */
export const proxyNameSchema = z
	.string()
	.check(z.minLength(1), z.maxLength(maxNameLength), z.regex(/^(?:[A-Za-z0-9_.:-]+|#[0-9]{1,9})$/))
	.brand<'ProxyName'>();

/** A backend or server name that passed {@link proxyNameSchema}. */
export type ProxyName = z.infer<typeof proxyNameSchema>;

/** The server under maintenance, as `backend/server`. */
export type Target = {backend: ProxyName; server: ProxyName};

export type NameRole = 'backend' | 'server';

export function parseName(text: string, role: NameRole): ProxyName {
	const result = proxyNameSchema.safeParse(text);
	if (result.success) {
		return result.data;
	}

	if (text === '') {
		throw new UsageError(`The ${role} name is empty; give it as it appears in haproxy.cfg.`);
	}

	if (text.length > maxNameLength) {
		throw new UsageError(`The ${role} name is ${text.length} characters long; HAProxy names used here are at most ${maxNameLength}.`);
	}

	throw new UsageError(`The ${role} name "${printable(text)}" has characters HAProxy does not allow in names; use only letters, digits and _ . : - (or #<id>).`);
}

/** Parses `backend/server`; refuses anything else with exit 2, before anything is sent. */
export function parseTarget(text: string): Target {
	const slash = text.indexOf('/');
	if (slash === -1) {
		throw new UsageError(`The target "${printable(text)}" is not backend/server; write it as, for example, webapps/app01.`);
	}

	const backend = parseName(text.slice(0, slash), 'backend');
	const server = parseName(text.slice(slash + 1), 'server');
	return {backend, server};
}

export function formatTarget(target: Target): string {
	return `${target.backend}/${target.server}`;
}

export function sameTarget(a: Target, b: Target): boolean {
	return a.backend === b.backend && a.server === b.server;
}
