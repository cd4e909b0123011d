import {isIPv6} from 'node:net';
import {UsageError} from '../errors.js';
import type {RuntimeClient} from './client.js';
import {namesList} from './find-target.js';
import {formatTarget, parseName, parseTarget, shortName, targetOf, type Target} from '../runtime/names.js';

/**
 * What a target argument names: one `backend/server`; `*\/S`, the server S in every backend that
 * has one; or `@ADDRESS[:PORT]`, every server at that address (and port), in any backend.
 */
export type TargetPattern = {kind: 'one'; target: Target} | {kind: 'everywhere'; server: string} | {kind: 'address'; address: string; port: number | null};

const addressPattern = /^@(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*))(?::(\d{1,5}))?$/;

/** Reads a target argument; a form it is not is one sentence, exit 2 (invalid-name). */
export function parseTargetPattern(text: string): TargetPattern {
	if (text.startsWith('*/')) {
		return {kind: 'everywhere', server: parseName(text.slice(2), 'server')};
	}

	if (text.startsWith('@')) {
		// `@::1` is an address without a port; `@[::1]:80` one with.
		const bare = /^@[0-9A-Fa-f]*:[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*$/.test(text);
		const match = bare ? undefined : addressPattern.exec(text);
		const address = bare ? text.slice(1) : (match?.[1] ?? match?.[2]);
		const port = match?.[3] === undefined ? null : Number(match[3]);
		// An address with a colon is IPv6 (`@:8080` is no address: a port needs one before it).
		if (!address || (address.includes(':') && !isIPv6(address)) || (port !== null && (port < 1 || port > 65_535))) {
			throw new UsageError(`The target "${shortName(text)}" is not @ADDRESS or @ADDRESS:PORT; write it as, for example, @10.0.0.5 or @10.0.0.5:8080.`, 'invalid-name');
		}

		return {kind: 'address', address, port};
	}

	return {kind: 'one', target: parseTarget(text)};
}

/** `*\/app01`, `@10.0.0.5:8080` */
export function formatPattern(pattern: TargetPattern): string {
	return pattern.kind === 'one' ? formatTarget(pattern.target) : pattern.kind === 'everywhere' ? `*/${pattern.server}` : `@${pattern.address.includes(':') && pattern.port !== null ? `[${pattern.address}]` : pattern.address}${pattern.port === null ? '' : `:${pattern.port}`}`;
}

/**
 * The servers a pattern names in the running HAProxy, in HAProxy's order (backend, then server).
 * Every instance must have each of them. None: one sentence, exit 2 (not-found), naming what there is.
 */
export async function expandPattern(clients: readonly RuntimeClient[], pattern: Exclude<TargetPattern, {kind: 'one'}>, signal?: AbortSignal): Promise<Target[]> {
	const label = formatPattern(pattern);
	let found: Target[] | undefined;
	for (const client of clients) {
		const rows = await client.serversState(undefined, signal);
		const matching = rows.filter((row) => (pattern.kind === 'everywhere' ? row.server === pattern.server : row.address === pattern.address && (pattern.port === null || row.port === pattern.port)));
		if (matching.length === 0) {
			const where = clients.length > 1 ? `HAProxy at ${client.socket} ` : 'HAProxy ';
			const names =
				pattern.kind === 'everywhere'
					? `no backend has a server named ${shortName(pattern.server)}`
					: `no server is at ${pattern.address}${pattern.port === null ? '' : ` port ${pattern.port}`}; its servers are at ${namesList([...new Set(rows.map((row) => `${row.address}${row.port === null ? '' : `:${row.port}`}`))], 'drainboard status lists them')}`;
			throw new UsageError(`${where}has no server that ${label} names: ${names}.`, 'not-found');
		}

		const targets = matching.map((row) => targetOf(row.backend, row.server));
		if (found === undefined) {
			found = targets;
			continue;
		}

		const here = new Set(targets.map((target) => formatTarget(target)));
		const missing = found.filter((target) => !here.has(formatTarget(target)));
		if (missing.length > 0 || here.size !== found.length) {
			throw new UsageError(`The instances disagree on what ${label} names: HAProxy at ${client.socket} has ${[...here].join(', ')}, the first one ${found.map((target) => formatTarget(target)).join(', ')}; give the servers one by one.`, 'not-found');
		}
	}

	return found ?? [];
}
