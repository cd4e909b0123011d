import {existsSync} from 'node:fs';
import path from 'node:path';
import {sentenceOf} from '../errors.js';
import {restoreCommand, type ChosenFlags} from '../runbook/come-back.js';
import {entriesAbout, JournalError, readJournal, type JournalEntry} from '../runbook/journal.js';
import type {GoneDrain} from '../runbook/lost-drain.js';
import {openDrainRecords, type MaintenanceRecord} from '../runbook/resume.js';
import {sinceTime} from '../time-format.js';
import {visible} from '../visible-text.js';
import type {StatusJson} from './status-schema.js';

/** One open maintenance whose drain HAProxy no longer shows, as `status --json` prints it. */
export type LostDrainJson = StatusJson['lostDrains'][number];

/** The journal `status` reads: `--journal`, else the default; `given`: named by --journal (then its commands name it too). */
export type StatusJournal = {file: string; given: boolean};

/** The journal's entries, read once for every instance status shows; `unread`: why it could not be read (then none). */
export function statusJournalEntries(journal: StatusJournal): {entries: JournalEntry[]; unread: string | null} {
	// A --journal that does not exist is read as empty, as a first run's is; given by hand, it is likelier a typo than a journal yet to be.
	if (journal.given && !existsSync(journal.file)) {
		return {entries: [], unread: `the journal ${journal.file} given with --journal does not exist (check its path).`};
	}

	try {
		return {entries: readJournal(journal.file).entries, unread: null};
	} catch (error) {
		// Its refusal is worded for a run that would change HAProxy; status reads only.
		return {entries: [], unread: error instanceof JournalError ? `the journal ${journal.file} cannot be read because ${error.reason}.` : sentenceOf(error)};
	}
}

/**
 * The maintenances the journal holds open after their drain, of the HAProxy at `socket`: the
 * entries about that socket, or about its process (a drain made through its other socket).
 */
export function openDrainsOf(entries: readonly JournalEntry[], socket: string, process: {pid: number; startTime: number | null}): MaintenanceRecord[] {
	return openDrainRecords(entriesAbout(entries, {sockets: [socket], processes: [process]}));
}

/** The JSON of one lost drain ({@link LostDrainJson}); the journal named by its absolute path. */
export function lostDrainJson(gone: GoneDrain, journal: StatusJournal): LostDrainJson {
	return {
		socket: gone.socket,
		server: gone.target,
		by: {user: gone.startedBy, journal: path.resolve(journal.file), startedAt: gone.startedAt, drainedAt: gone.drainedAt === null ? null : new Date(gone.drainedAt).toISOString()},
		undone: gone.undone.how,
		underWay: gone.underWay,
	};
}

/** What took the drain away, in words: from the journal's drain entry and HAProxy's process now. */
function undoneText(gone: GoneDrain): string {
	switch (gone.undone.how) {
		case 'reload': {
			return `HAProxy was reloaded or restarted since the drain, pid ${gone.undone.pidBefore} → ${gone.pid}`;
		}

		case 'change': {
			return `the same HAProxy process, pid ${gone.pid}: someone or something set it ready`;
		}

		case 'unknown': {
			return 'a reload without a server-state file, or someone set it ready';
		}

		case 'removed': {
			return 'removed with del server, or by a reload with another configuration';
		}

		case 'maintenance': {
			return 'someone or something put it into maintenance (state maint), which cleared the drain';
		}
	}
}

/** HAProxy's status text of a server that gets new traffic: `UP` (also `UP 1/2`, going down) or `no check`; not DOWN or NOLB. */
function inRotation(status: string): boolean {
	return /^(?:UP\b|no check$)/.test(status);
}

/**
 * `webapps/app03: root's maintenance of 02:14:07 drained it, and HAProxy shows it in rotation now
 * (UP; …): check it; `drainboard restore webapps/app03 --yes …` closes that maintenance.`, made
 * {@link visible} (the user and times come from the journal).
 */
function lostDrainSentence(gone: GoneDrain, options: {severalInstances: boolean; flags: ChosenFlags; journal: StatusJournal; now: number}): {text: string; command: string | null; after?: string} {
	const where = options.severalInstances ? ` on ${gone.socket}` : '';
	const command = restoreCommand(options.flags, gone.target, options.journal.given ? options.journal.file : undefined);
	const drained = `${gone.target}${where}: ${gone.startedBy}'s maintenance of ${sinceTime(gone.startedAt, options.now)} ${gone.tookUp ? 'took up a drain it found already set (by hand or another tool)' : 'drained it'}, and HAProxy`;
	if (gone.undone.how === 'maintenance') {
		// Out of rotation, but not by that maintenance: restore puts back drains only, so it is offered only once drained again.
		const back = `${drained} shows it in maintenance now (${gone.status ?? 'MAINT'}; ${undoneText(gone)}): out of rotation, not by that maintenance. Whoever put it there brings it back (set server ${gone.target} state ready)`;
		return gone.underWay === null
			? {text: visible(`${back}, or sets it to drain again (state drain) for`), command: visible(command), after: 'to put it back with its checks.'}
			: {text: visible(`${back}; ${gone.underWay}, and says there what it does about it.`), command: null};
	}

	const text =
		gone.status === null
			? `${drained} has no such server now (${undoneText(gone)}): nothing of it is drained. If HAProxy has it again, check it;`
			: inRotation(gone.status)
				? `${drained} shows it in rotation now (${gone.status}; ${undoneText(gone)}): check it;`
				: `${drained} shows it no longer drained (${gone.status} now, so in rotation as soon as its health check passes; ${undoneText(gone)}): check it;`;
	// Another drainboard runs that maintenance now: a restore here would be refused, and that one says what it sees.
	if (gone.underWay !== null) {
		return {text: visible(`${text} ${gone.underWay}, and says there what it does about it.`), command: null};
	}

	return {text: visible(text), command: visible(command)};
}

/**
 * The lines under status's tables for the lost drains: a heading naming the journal, then one
 * sentence each, wrapped at spaces to `width`; the restore command is never broken across lines
 * (a line pasted alone would run part of it).
 */
export function lostDrainLines(lost: readonly GoneDrain[], options: {severalInstances: boolean; flags: ChosenFlags; journal: StatusJournal; now: number; width: number}): string[] {
	if (lost.length === 0) {
		return [];
	}

	const width = Math.max(40, options.width - 1) - 4;
	return [
		...wrapWords(visible(`Open maintenances of the journal ${path.resolve(options.journal.file)} whose drain HAProxy no longer shows:`).split(' '), options.width - 1),
		...lost.flatMap((gone) => {
			const {text, command, after = 'closes that maintenance.'} = lostDrainSentence(gone, options);
			const words = command === null ? text.split(' ') : [...text.split(' '), `\`${command}\``, ...after.split(' ')];
			return wrapWords(words, width).map((line, index) => `${index === 0 ? '  ' : '    '}${line}`);
		}),
	];
}

/** Words joined by spaces into lines of at most `width`; a longer word stays whole on a line of its own. */
function wrapWords(words: readonly string[], width: number): string[] {
	const lines: string[] = [];
	let line = '';
	for (const word of words) {
		if (line === '') {
			line = word;
		} else if (line.length + 1 + word.length <= width) {
			line += ` ${word}`;
		} else {
			lines.push(line);
			line = word;
		}
	}

	return line === '' ? lines : [...lines, line];
}
