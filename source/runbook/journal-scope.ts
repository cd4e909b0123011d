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
	const instances = clients.map((client, index): JournalInstance => {
		const info = infos[index];
		return {socket: client.socket, pid: info?.pid ?? null, version: info?.version ?? null, startTime: info?.startTime ?? null};
	});
	return {
		sockets: clients.map((client) => client.socket),
		processes: instances.flatMap((instance) => (instance.pid === null ? [] : [{pid: instance.pid, startTime: instance.startTime}])),
		instances,
	};
}

