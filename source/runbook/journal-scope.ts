import type {Instance} from '../model/types.js';
import type {RuntimeClient} from '../poll/client.js';
import type {JournalInstance, JournalScope} from './journal.js';

/**
 * The HAProxy the `clients` reach, as a reader of the journal matches its entries (readJournal's
 * `about`): their sockets, and the processes behind them as `show info` gives them now (pid and
 * start time), so a maintenance made through the instance's other socket (its UNIX socket and a
 * TCP one) is the same instance's. `instances`: the same, for the entries a writer journals. A
 * socket that does not answer is matched by its name only.
 */
export async function journalScopeNow(clients: readonly RuntimeClient[]): Promise<JournalScope & {instances: JournalInstance[]}> {
	const infos = await Promise.all(clients.map(async (client) => client.info().catch(() => null)));
	return journalScopeOf(
		clients.map((client) => client.socket),
		infos.flatMap((info, index) => (info === null ? [] : [{...info, socket: clients[index]!.socket}])),
	);
}

/**
 * The same, from what a poll already read (the grid's view): `sockets` are the instances', and
 * `read` the processes `show info` gave for those that answered, by socket (the last it read for
 * one that does not answer now: entries about that process are still that instance's).
 */
export function journalScopeOf(sockets: readonly string[], read: ReadonlyArray<Pick<Instance, 'socket' | 'pid' | 'version' | 'startTime'>>): JournalScope & {instances: JournalInstance[]} {
	const instances = sockets.map((socket): JournalInstance => {
		const info = read.find((one) => one.socket === socket);
		return {socket, pid: info?.pid ?? null, version: info?.version ?? null, startTime: info?.startTime ?? null};
	});
	return {
		sockets,
		processes: instances.flatMap((instance) => (instance.pid === null ? [] : [{pid: instance.pid, startTime: instance.startTime}])),
		instances,
	};
}

