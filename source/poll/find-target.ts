import type {ServerStateRecord} from '../decode/servers-state.js';
import {UsageError} from '../errors.js';
import type {RuntimeClient} from './client.js';
import {formatTarget, parseName, shortName, targetOf, type ProxyName, type Target} from '../runtime/names.js';
import {RuntimeApiError} from '../runtime/runtime-error.js';

/** Names listed in full in a sentence before "and N more". */
const namesListed = 12;

/** `s1, s2 and 3 more`: the names HAProxy has, shortened when there are many or long ones. */
export function namesList(names: readonly string[], more: string): string {
	const shown = names.slice(0, namesListed).map((name) => shortName(name, 40));
	return names.length > namesListed ? `${shown.join(', ')} and ${names.length - namesListed} more (${more})` : shown.join(', ');
}

/** HAProxy's answer to a `show servers state` or `show stat` of a backend it does not have. */
export function isUnknownBackend(error: unknown): boolean {
	return error instanceof RuntimeApiError && error.kind === 'haproxy-error' && /^(?:Can't find backend\.|No such (?:proxy|backend)\.)$/.test(error.reply ?? '');
}

/** The backends of one instance (those with servers), in HAProxy's order. */
async function backendNames(client: RuntimeClient, signal?: AbortSignal): Promise<string[]> {
	return [...new Set((await client.serversState(undefined, signal)).map((row) => row.backend))];
}

/** One sentence, exit 2: the backend is not in the running HAProxy; names the ones that are. */
export async function unknownBackendError(client: RuntimeClient, backend: string, signal?: AbortSignal): Promise<UsageError> {
	const names = await backendNames(client, signal);
	const has = names.length === 0 ? 'it has no backend with servers' : `it has ${namesList(names, 'drainboard status lists them')}`;
	return new UsageError(`HAProxy at ${client.socket} has no backend ${shortName(backend)}; ${has}.`, 'not-found');
}

const byId = (name: string) => (name.startsWith('#') ? Number(name.slice(1)) : undefined);

/**
 * Looks `target` up in every running instance (reads only: nothing is sent that changes state)
 * and gives it back with names for `#<id>` forms. A backend or server the running HAProxy does
 * not have is a {@link UsageError} (exit 2) naming what it has; HAProxy not answering is the
 * transport's error (exit 3). With several instances, each must have it.
 */
export async function findTarget(clients: readonly RuntimeClient[], target: Target, signal?: AbortSignal): Promise<Target> {
	let found = target;
	for (const client of clients) {
		const backendId = byId(found.backend);
		const serverId = byId(found.server);
		let rows: ServerStateRecord[];
		try {
			rows = await client.serversState(backendId === undefined ? found.backend : undefined, signal);
		} catch (error) {
			if (isUnknownBackend(error)) {
				throw await unknownBackendError(client, found.backend, signal);
			}

			throw error;
		}

		const inBackend = rows.filter((row) => (backendId === undefined ? row.backend === found.backend : row.backendId === backendId));
		if (inBackend.length === 0) {
			throw backendId === undefined
				? new UsageError(`${where(clients, client)}backend ${shortName(found.backend)} has no server ${shortName(found.server)}; it has no servers.`, 'not-found')
				: await unknownBackendError(client, found.backend, signal);
		}

		const server = inBackend.find((row) => (serverId === undefined ? row.server === found.server : row.serverId === serverId));
		if (!server) {
			const names = inBackend.map((row) => (serverId === undefined ? row.server : `${row.server} (#${row.serverId})`));
			throw new UsageError(`${where(clients, client)}backend ${shortName(inBackend[0]!.backend)} has no server ${shortName(found.server)}; it has ${namesList(names, `drainboard status --backend ${shortName(inBackend[0]!.backend)} lists them`)}.`, 'not-found');
		}

		found = named(server, target);
	}

	return found;
}

/** The row's names as a target; a name drainboard cannot put in a command is one sentence. */
function named(row: ServerStateRecord, asked: Target): Target {
	if (row.backend === asked.backend && row.server === asked.server) {
		return asked;
	}

	try {
		return targetOf(row.backend, row.server);
	} catch (error) {
		throw new UsageError(`${formatTarget(asked)} is ${shortName(`${row.backend}/${row.server}`)} in HAProxy: ${(error as Error).message.replace(/^The /, 'the ')}`, 'invalid-name');
	}
}

function where(clients: readonly RuntimeClient[], client: RuntimeClient): string {
	return clients.length > 1 ? `HAProxy at ${client.socket}: ` : '';
}

/** `#<id>` as a backend name, through the runtime of the first instance; a name is given back as it is. */
export async function findBackend(clients: readonly RuntimeClient[], backend: ProxyName, signal?: AbortSignal): Promise<ProxyName> {
	const id = byId(backend);
	const client = clients[0];
	if (id === undefined || !client) {
		return backend;
	}

	const row = (await client.serversState(undefined, signal)).find((candidate) => candidate.backendId === id);
	if (!row) {
		throw await unknownBackendError(client, backend, signal);
	}

	return parseName(row.backend, 'backend');
}
