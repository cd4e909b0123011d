import type {RuntimeClient} from '../poll/client.js';
import type {ProxyName} from '../runtime/names.js';
import {isUnknownBackend, unknownBackendError} from '../poll/find-target.js';
import type {PoolSnapshot, Server} from '../model/types.js';
import {drainSet} from '../model/server-condition.js';
import type {ChosenFlags} from '../runbook/come-back.js';
import {defaultJournalPath} from '../runbook/journal.js';
import {drainsGone, type GoneDrain} from '../runbook/lost-drain.js';
import {openDrainRecords} from '../runbook/resume.js';
import {drainOwners, unreadableNotes} from './drain-owners.js';
import {lostDrainJson, openDrainsOf, statusJournalEntries, type StatusJournal} from './lost-drains.js';
import {ServersJson, singleInstanceTail, statusJson, statusJsonHead, UnservedTally} from './status-json.js';
import {formatStatusTable} from './status-table.js';

/**
 * `journal`: the `--journal` given (else the default is read); `flags`: the flags that chose
 * HAProxy, for the commands status prints.
 */
type StatusOptions = {backend?: ProxyName; json: boolean; width: number; journal?: string; flags?: ChosenFlags};

const noFlags: ChosenFlags = {socket: []};

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
 * themselves are not kept (see {@link RuntimeClient.streamServers}), but the drained ones and
 * those an open maintenance of the journal names.
 */
async function oneInstanceJson(client: RuntimeClient, journal: StatusJournal, write: (text: string | Uint8Array) => void): Promise<string[]> {
	// The servers any open maintenance of the journal names are kept while the dump streams; which of
	// them are this HAProxy's (its socket, or its process through another socket) is known after it.
	const journaled = statusJournalEntries(journal);
	const named = new Set(openDrainRecords(journaled.entries).map((record) => record.target));
	const pieces: Buffer[] = [];
	const servers = new ServersJson((text) => pieces.push(Buffer.from(text)));
	const drained: Server[] = [];
	const ofMaintenances: Server[] = [];
	const unserved = new UnservedTally();
	const instance = await client.streamServers((server) => {
		servers.add(server);
		unserved.add(server);
		if (drainSet(server)) {
			drained.push(server);
		}

		if (named.size > 0 && named.has(`${server.backend}/${server.server}`)) {
			ofMaintenances.push(server);
		}
	});
	servers.end();
	const open = openDrainsOf(journaled.entries, client.socket, instance);
	const drains = await drainOwners([{client, servers: drained}]);
	// Every server of the instance streamed by: a maintenance whose server did not pass by names one HAProxy has no more.
	const lost = drainsGone(open, instance, ofMaintenances, 'all', journaled.entries);
	write(statusJsonHead([instance]));
	for (const piece of pieces) {
		write(piece);
	}

	write(singleInstanceTail(drains.owners, lost.map((gone) => lostDrainJson(gone, journal)), unserved.of(instance.socket)));
	return [...notesOf(drains.unread), ...unreadableNotes(drains), ...journalNotes([journaled.unread])];
}

/** `drainboard status`: one snapshot, handed to `write` as JSON or as a plain table; returns notes for stderr. */
export async function runStatus(clients: readonly RuntimeClient[], options: StatusOptions, write: (text: string | Uint8Array) => void): Promise<string[]> {
	const journal: StatusJournal = {file: options.journal ?? defaultJournalPath(), given: options.journal !== undefined};
	if (options.json && clients.length === 1 && options.backend === undefined) {
		return oneInstanceJson(clients[0]!, journal, write);
	}

	const pool = await readPool(clients, options.backend);
	const drains = await drainOwners(pool.instances.map(({backends}, index) => ({client: clients[index]!, servers: backends.flatMap((backend) => backend.servers.filter(drainSet))})));
	const journaled = statusJournalEntries(journal);
	const unread = [journaled.unread];
	const lost: GoneDrain[] = pool.instances.flatMap(({instance, backends}) =>
		drainsGone(
			openDrainsOf(journaled.entries, instance.socket, instance),
			instance,
			backends.flatMap((backend) => backend.servers),
			options.backend === undefined ? 'all' : new Set([options.backend]),
			journaled.entries,
		),
	);
	if (!options.json) {
		write(formatStatusTable(pool, options.width, drains, {lost, journal, flags: options.flags ?? noFlags}));
		return journalNotes(unread);
	}

	write(statusJson(pool, drains.owners, lost.map((gone) => lostDrainJson(gone, journal))));
	return [...notesOf(drains.unread), ...unreadableNotes(drains), ...journalNotes(unread)];
}

/** For stderr beside --json: the marks could not be read, so `by: null` says nothing of who drained. */
const notesOf = (unread: string | null) => (unread ? [`Whose maintenance each drain is, is not known: ${unread}; "by": null means not known here.`] : []);

/** For stderr: the journal could not be read, so no open maintenance whose drain is gone can be named (said once). */
function journalNotes(unread: ReadonlyArray<string | null>): string[] {
	const [first] = unread.filter((one) => one !== null);
	return first ? [`Whether an open maintenance lost its drain is not known: ${first}`] : [];
}
