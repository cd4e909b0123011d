import {Journal, readJournal, type JournalEntry, type JournalInstance, type JournalScope} from './journal.js';
import {lastMaintenance, type MaintenanceRecord} from './resume.js';

/** A roll of a backend as the journal tells it: the last one started, and the servers it finished. */
export type RollRecord = {
	backend: string;
	servers: string[];
	startedAt: string;
	startedBy: string;
	done: string[];
	/**
	 * When the roll last began each server's maintenance (`roll-server-started`, ISO time): a
	 * maintenance of that server begun since is the roll's; one begun before, or of a server the roll
	 * never began, is someone else's work.
	 */
	begun: Record<string, string>;
	/**
	 * Servers whose maintenance ended after the roll began (a restore outside the roll, the grid's
	 * banner) while the --exec the roll started on them had not completed: not done, the roll
	 * cycles them again.
	 */
	redo: string[];
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
			record = {backend, servers: (entry.detail ?? '').split(',').filter(Boolean), startedAt: entry.time, startedBy: entry.user, done: [], begun: {}, redo: [], finished: false};
			continue;
		}

		if (!record) {
			continue;
		}

		if (entry.event === 'roll-server-started' && entry.detail) {
			record.begun[entry.detail] = entry.time;
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

/**
 * The roll still open: started and not finished (a roll stopped short stays open until it ends).
 * Its done servers are those it wrote down, and those whose maintenance the roll began and that
 * ended with a proven restore (resumed from the grid's banner, or by a headless restore): the wizard and
 * the headless roll agree on them, and neither touches such a server again. A server whose
 * maintenance so ended while the roll's --exec on it had not completed (stopped, failed) is not
 * done: `redo`.
 */
export function openRoll(entries: readonly JournalEntry[], backend: string): RollRecord | undefined {
	const record = lastRoll(entries, backend);
	if (!record || record.finished) {
		return undefined;
	}

	for (const server of record.servers) {
		const target = `${backend}/${server}`;
		const maintenance = lastMaintenance(entries, target);
		if (!record.done.includes(server) && maintenance?.finished && maintenance.readySent && rollsOwn(record, server, maintenance.startedAt)) {
			if (maintenance.execUnfinished === undefined) {
				record.done.push(server);
			} else {
				record.redo.push(server);
			}
		}
	}

	return record;
}

/** Whether the maintenance of `server` begun at `startedAt` is the roll's: begun since the roll last began that server. */
function rollsOwn(roll: RollRecord, server: string, startedAt: string): boolean {
	const begun = roll.begun[server];
	return begun !== undefined && Date.parse(startedAt) >= Date.parse(begun);
}

/** Whether `record`, the last maintenance of `server`, is open and the roll's own (one it takes up again, keeping the time it began it). */
export function rollHoldsOpen(roll: RollRecord | undefined, server: string, record: MaintenanceRecord | undefined): boolean {
	return roll !== undefined && record !== undefined && !record.finished && rollsOwn(roll, server, record.startedAt);
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
type RollEvent = 'roll-started' | 'roll-resumed' | 'roll-server-started' | 'roll-server-done' | 'roll-stopped' | 'roll-finished';

/** A roll's place in the journal, for the wizard's roll: read the open roll, write its events. */
export type RollLog = {
	/** The roll of `backend` the journal holds open; undefined when none (or the journal cannot be read). */
	open(backend: string): RollRecord | undefined;
	/** Writes one roll event; gives back the sentence saying why when it could not be written. */
	append(backend: string, event: RollEvent, detail: string): string | null;
	/**
	 * The roll begins `server`'s maintenance: `roll-server-started`, unless the server's open
	 * maintenance is one the roll began already (taken up again, it keeps that time).
	 */
	beginServer(backend: string, server: string): string | null;
};

/**
 * A {@link RollLog} on the journal `file`, about the instances `scope()` gives when read or
 * written (their sockets and processes: the same HAProxy through its other socket is the same).
 */
export function journalRollLog(file: string, scope: () => JournalScope & {instances: JournalInstance[]}): RollLog {
	const journal = new Journal(file);
	return {
		open(backend) {
			try {
				return openRoll(readJournal(file, {about: scope()}).entries, backend);
			} catch {
				// No journal yet, or not readable: no roll to take up (the maintenance says why when it starts).
				return undefined;
			}
		},
		append(backend, event, detail) {
			journal.setContext(backend, scope().instances);
			const written = journal.appendGuarded({step: null, event, detail});
			return written.written ? null : written.sentence;
		},
		beginServer(backend, server) {
			try {
				const {entries} = readJournal(file, {about: scope()});
				if (rollHoldsOpen(openRoll(entries, backend), server, lastMaintenance(entries, `${backend}/${server}`))) {
					return null;
				}
			} catch {
				// Not readable now: written anyway (the maintenance that follows says why the journal fails, if it does).
			}

			return this.append(backend, 'roll-server-started', server);
		},
	};
}
