import * as z from 'zod/mini';
import type {Route} from '../config/routes.js';
import {errorCodeOf, errorCodes, sentenceOf} from '../errors.js';
import {terminalSafeJson} from '../visible-text.js';

const probeSchema = z.strictObject({
	url: z.string(),
	host: z.nullable(z.string()),
	sni: z.nullable(z.string()),
	proxyProtocol: z.nullable(z.enum(['v1', 'v2'])),
	/** Always true: a probe is only ever an address of this host (a backend reached only elsewhere has none, with why). */
	local: z.literal(true),
	from: z.string(),
});

const routeSchema = z.strictObject({
	backend: z.string(),
	mode: z.enum(['http', 'tcp', 'log', 'spop']),
	probe: z.nullable(probeSchema),
	why: z.nullable(z.string()),
}).check(z.refine((route) => (route.probe === null) !== (route.why === null), 'a route has a probe or says why not, never both'));

/**
 * `routes --json` (README.md, "drainboard routes"): the configuration read, and each backend's
 * probe or why there is none. On a failure (exit 2): `config` null, no routes, and `error` (its
 * code from drain's fixed list, and stderr's sentence).
 */
export const routesJsonSchema = z
	.strictObject({
		config: z.nullable(z.string()),
		routes: z.array(routeSchema),
		error: z.optional(z.strictObject({code: z.enum(errorCodes), message: z.string()})),
	})
	.check(z.refine((json) => (json.error === undefined ? json.config !== null : json.config === null && json.routes.length === 0), 'routes has a configuration and its routes, or an error with neither'));

export type RoutesJson = z.output<typeof routesJsonSchema>;

/** The JSON `routes --json` prints, checked against its schema first (a mismatch is a bug, not output). */
export function routesJson(config: string, routes: readonly Route[]): string {
	const checked = routesJsonSchema.parse({config, routes});
	return `${terminalSafeJson(JSON.stringify(checked))}\n`;
}

/** `routes --json` when routes fails (a bad flag, a file that is not HAProxy's configuration, an unknown --backend). */
export function routesErrorJson(error: unknown): string {
	const checked = routesJsonSchema.parse({config: null, routes: [], error: {code: errorCodeOf(error), message: sentenceOf(error)}});
	return `${terminalSafeJson(JSON.stringify(checked))}\n`;
}
