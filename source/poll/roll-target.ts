import type {ServerStateRecord} from '../decode/servers-state.js';
import {sentenceOf, UsageError} from '../errors.js';
import {printable} from '../runtime/endpoint.js';
import {parseName, shortName, type ProxyName} from '../runtime/names.js';
import type {RuntimeClient} from './client.js';
import {findBackend, isUnknownBackend, namesList, unknownBackendError} from './find-target.js';

/** What `drainboard roll <backend> [--servers a,b,c]` names, checked before anything is asked of HAProxy. */
type RollWords = {backend: ProxyName; asked: string[]};

/** The words of `roll`: one backend, and --servers names that are names, each once. Exit 2 otherwise. */
export function parseRollWords(words: readonly string[], servers: string | undefined): RollWords {
	if (words.length !== 1) {
		throw new UsageError(words.length === 0 ? '"roll" needs a backend, for example: drainboard roll webapps --exec "systemctl restart app" --yes.' : `"roll" takes one backend (got "${words.join(' ')}"); name its servers with --servers a,b,c.`);
	}

	const [word] = words as [string];
	// A backend/server (or a pattern) where a backend goes: roll takes the backend, --servers its servers.
	const slash = word.indexOf('/');
	if (slash > 0 && !word.startsWith('@') && !word.startsWith('*')) {
		throw new UsageError(`"roll" takes a backend, not a server (got "${printable(word)}"): run "drainboard roll ${printable(word.slice(0, slash))} --servers ${printable(word.slice(slash + 1))}" to roll that server alone, or drain and restore it.`, 'invalid-name');
	}

	// A pattern of servers in several backends ('*/S', @ADDRESS) is a maintenance of several, not a roll of one backend.
	if (word.startsWith('@') || word.startsWith('*/')) {
		throw new UsageError(`"roll" takes one backend, not a pattern of servers (got "${printable(word)}"): roll each backend by its name (drainboard roll <backend> --servers a,b), or drain and restore "${printable(word)}" as one maintenance.`, 'invalid-name');
	}

	let backend: ProxyName;
	try {
		backend = parseName(word, 'backend');
	} catch (error) {
		throw new UsageError(sentenceOf(error), 'invalid-name');
	}

	const asked = servers?.split(',') ?? [];
	for (const name of asked) {
		try {
			parseName(name, 'server');
		} catch (error) {
			throw new UsageError(sentenceOf(error), 'invalid-name');
		}
	}

	const duplicate = asked.find((name, index) => asked.indexOf(name) !== index);
	if (duplicate !== undefined) {
		throw new UsageError(`--servers names ${shortName(duplicate)} twice; give each server once.`);
	}

	return {backend, asked};
}

/**
 * The roll's backend as the running HAProxy spells it, and its servers in roll order (--servers
 * order, else the configuration's), each read from HAProxy: a backend or server it does not have is exit 2.
 */
export async function resolveRoll(clients: readonly RuntimeClient[], words: RollWords): Promise<{backend: ProxyName; servers: string[]; rows: ServerStateRecord[][]}> {
	const backend = await findBackend(clients, words.backend);
	const rows = await backendRows(clients, backend);
	const names = rows[0]!.map((row) => row.server);
	const missing = words.asked.filter((name) => !names.includes(name));
	if (missing.length > 0) {
		throw new UsageError(`backend ${shortName(backend)} has no server ${missing.map((name) => shortName(name)).join(', ')}; it has ${namesList(names, `drainboard status --backend ${shortName(backend)} lists them`)}.`, 'not-found');
	}

	return {backend, servers: words.asked.length > 0 ? words.asked : names, rows};
}

/** The backend's servers on every instance (configuration order); a backend one of them does not have is exit 2. */
export async function backendRows(clients: readonly RuntimeClient[], backend: ProxyName): Promise<ServerStateRecord[][]> {
	return Promise.all(
		clients.map(async (client) => {
			try {
				const rows = await client.serversState(backend);
				if (rows.length === 0) {
					throw new UsageError(`backend ${shortName(backend)} has no servers to roll.`, 'not-found');
				}

				return rows;
			} catch (error) {
				if (isUnknownBackend(error)) {
					const unknown = await unknownBackendError(client, backend);
					throw new UsageError(unknown.message, 'not-found');
				}

				throw error;
			}
		}),
	);
}
