import type {RuntimeClient} from '../poll/client.js';
import type {ProxyName} from '../runtime/names.js';
import {isUnknownBackend, unknownBackendError} from '../poll/find-target.js';
import type {PoolSnapshot, Server} from '../model/types.js';
import {drainSet} from '../model/server-condition.js';
import {drainOwners} from './drain-owners.js';
import {ServersJson, singleInstanceTail, statusJson, statusJsonHead} from './status-json.js';
import {formatStatusTable} from './status-table.js';

type StatusOptions = {backend?: ProxyName; json: boolean; width: number};

/** Reads every instance once (in parallel) into one snapshot; a backend HAProxy does not have is exit 2. */
async function readPool(clients: readonly RuntimeClient[], backend?: ProxyName): Promise<PoolSnapshot> {
	const instances = await Promise.all(
		clients.map(async (client) => {
			try {
				return await client.snapshot(backend);
			} catch (error) {
				if (backend && isUnknownBackend(error)) {
					throw await unknownBackendError(client, backend);
				}

				throw error;
			}
		}),
	);
	return {instances, takenAt: Date.now()};
}

/**
 * `status --json` of one whole instance: the JSON is made while the dumps arrive, 400 servers at
 * a time, and kept as bytes until the reply is complete (a cut reply writes nothing); the servers
 * themselves are not kept (see {@link RuntimeClient.streamServers}).
 */
async function oneInstanceJson(client: RuntimeClient, write: (text: string | Uint8Array) => void): Promise<string | null> {
	const pieces: Buffer[] = [];
	const servers = new ServersJson((text) => pieces.push(Buffer.from(text)));
	const drained: Server[] = [];
	const instance = await client.streamServers((server) => {
		servers.add(server);
		if (drainSet(server)) {
			drained.push(server);
		}
	});
	servers.end();
	const drains = await drainOwners([{client, servers: drained}]);
	write(statusJsonHead([instance]));
	for (const piece of pieces) {
		write(piece);
	}

	write(singleInstanceTail(drains.owners));
	return drains.unread;
}

/** `drainboard status`: one snapshot, handed to `write` as JSON or as a plain table; returns notes for stderr. */
export async function runStatus(clients: readonly RuntimeClient[], options: StatusOptions, write: (text: string | Uint8Array) => void): Promise<string[]> {
	if (options.json && clients.length === 1 && options.backend === undefined) {
		return notesOf(await oneInstanceJson(clients[0]!, write));
	}

	const pool = await readPool(clients, options.backend);
	const drains = await drainOwners(pool.instances.map(({backends}, index) => ({client: clients[index]!, servers: backends.flatMap((backend) => backend.servers.filter(drainSet))})));
	if (!options.json) {
		write(formatStatusTable(pool, options.width, drains));
		return [];
	}

	write(statusJson(pool, drains.owners));
	return notesOf(drains.unread);
}

/** For stderr beside --json: the marks could not be read, so `by: null` says nothing of who drained. */
const notesOf = (unread: string | null) => (unread ? [`Whose maintenance each drain is, is not known: ${unread}; "by": null means not known here.`] : []);
