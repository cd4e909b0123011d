import {Journal, readJournal, type JournalEntry, type JournalInstance} from './journal.js';

/** A roll of a backend as the journal tells it: the last one started, and the servers it finished. */
export type RollRecord = {
	backend: string;
	servers: string[];
	startedAt: string;
	startedBy: string;
	done: string[];
	finished: boolean;
};

/** The roll of `backend` that the journal started last, with the servers done since; undefined when none. */
export function lastRoll(entries: readonly JournalEntry[], backend: string): RollRecord | undefined {
	let record: RollRecord | undefined;
	for (const entry of entries) {
		if (entry.target !== backend) {
			continue;
		}

		if (entry.event === 'roll-started') {
			record = {backend, servers: (entry.detail ?? '').split(',').filter(Boolean), startedAt: entry.time, startedBy: entry.user, done: [], finished: false};
			continue;
		}

		if (!record) {
			continue;
		}

		if (entry.event === 'roll-server-done' && entry.detail && !record.done.includes(entry.detail)) {
			record.done.push(entry.detail);
		}

		if (entry.event === 'roll-finished') {
			record.finished = true;
		}
	}

	return record;
}

/** The roll still open: started and not finished (a roll stopped short stays open until it ends). */
export function openRoll(entries: readonly JournalEntry[], backend: string): RollRecord | undefined {
	const record = lastRoll(entries, backend);
	return record && !record.finished ? record : undefined;
}

/**
 * The servers a roll goes through: those asked for (`--servers`), else those of the open roll it
 * takes up (its `--servers` are not forgotten; a server gone since is left out), else all of
 * `names` (the backend's, in configuration order).
 */
export function rollServers(open: RollRecord | undefined, names: readonly string[], asked: readonly string[]): string[] {
	if (asked.length > 0) {
		return [...asked];
	}

	const kept = open?.servers.filter((server) => names.includes(server)) ?? [];
	return kept.length > 0 ? kept : [...names];
}

/** The roll events a roll writes (target: the backend). */
type RollEvent = 'roll-started' | 'roll-resumed' | 'roll-server-done' | 'roll-stopped' | 'roll-finished';

/** A roll's place in the journal, for the wizard's roll: read the open roll, write its events. */
export type RollLog = {
	/** The roll of `backend` the journal holds open; undefined when none (or the journal cannot be read). */
	open(backend: string): RollRecord | undefined;
	/** Writes one roll event; gives back the sentence saying why when it could not be written. */
	append(backend: string, event: RollEvent, detail: string): string | null;
};

/** A {@link RollLog} on the journal `file`, its entries naming the instances at `sockets`. */
export function journalRollLog(file: string, sockets: readonly string[]): RollLog {
	const journal = new Journal(file);
	const instances: JournalInstance[] = sockets.map((socket) => ({socket, pid: null, version: null, startTime: null}));
	return {
		open(backend) {
			try {
				return openRoll(readJournal(file).entries, backend);
			} catch {
				// No journal yet, or not readable: no roll to take up (the maintenance says why when it starts).
				return undefined;
			}
		},
		append(backend, event, detail) {
			journal.setContext(backend, instances);
			const written = journal.appendGuarded({step: null, event, detail});
			return written.written ? null : written.sentence;
		},
	};
}
