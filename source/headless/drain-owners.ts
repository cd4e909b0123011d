import type {RuntimeClient} from '../poll/client.js';
import type {Server} from '../model/types.js';
import {lockDirectory} from '../runbook/backend-lock.js';
import {comeBackCommand, type ChosenFlags} from '../runbook/come-back.js';
import {DrainMarks, isOwnUser, isUnreadable, markText, type DrainMark} from '../runbook/drain-mark.js';
import {readJournal, type JournalEntry} from '../runbook/journal.js';
import {underWay} from '../runbook/live-process.js';
import {lastMaintenance} from '../runbook/resume.js';
import {parseTarget} from '../runtime/names.js';
import {wrap} from '../wrap.js';
import type {StatusJson} from './status-schema.js';


/** One drained server of `status`, and whose maintenance drained it (null: no mark names one). */
export type DrainOwner = StatusJson['drains'][number];

/**
 * The owners of the drained servers (FDRAIN) each instance shows, in the order given: one
 * `show info` and one read of the lock directory per instance that has any (none otherwise).
 */
export async function drainOwners(drained: ReadonlyArray<{client: RuntimeClient; servers: readonly Server[]}>): Promise<DrainOwners> {
	const owners: DrainOwner[] = [];
	const yours = new Set<DrainOwner>();
	const busy = new Map<DrainOwner, string>();
	const unreadable = new Map<DrainOwner, string>();
	const journals = new Map<string, readonly JournalEntry[]>();
	let unread: string | null = null;
	const reader = new DrainMarks({dir: lockDirectory(), clients: drained.map(({client}) => client)});
	for (const {client, servers} of drained) {
		if (servers.length === 0) {
			continue;
		}

		const marks = await reader.drainsOn(
			client,
			servers.map((server) => `${server.backend}/${server.server}`),
		);
		unread ??= marks.unread;
		for (const server of servers) {
			const label = `${server.backend}/${server.server}`;
			const mark = marks.owners.get(label) ?? null;
			// A claim whose mark cannot be read names no maintenance: `by` is null, and the lines say why.
			const named = mark && !isUnreadable(mark) ? mark : null;
			const owner = {socket: server.socket, server: label, by: named ? {user: named.user, host: named.host, journal: named.journal, since: named.since} : null};
			owners.push(owner);
			if (mark && isUnreadable(mark)) {
				unreadable.set(owner, markText(mark));
			}

			if (mark && isOwnUser(mark)) {
				yours.add(owner);
				const elsewhere = runningNow(journals, mark.journal, label);
				if (elsewhere) {
					busy.set(owner, elsewhere);
				}
			}
		}
	}

	return {owners, unread, yours, busy, unreadable};
}

/** Who runs the open maintenance of `label` in `journal` now (another drainboard still running), as a clause; the journal read once per file. */
function runningNow(journals: Map<string, readonly JournalEntry[]>, journal: string, label: string): string | undefined {
	let entries = journals.get(journal);
	if (!entries) {
		try {
			entries = readJournal(journal).entries;
		} catch {
			// Not readable here: nothing is said of who runs it (the command to take it up says where it is).
			entries = [];
		}

		journals.set(journal, entries);
	}

	const record = lastMaintenance(entries, label);
	return record && !record.finished ? (underWay(record, entries)?.clause ?? undefined) : undefined;
}

/**
 * The drained servers and their owners; `unread`: why the marks could not be read (owners then
 * unknown, not "none"); `yours`: those whose maintenance is this user's on this host, which this
 * user resumes; `busy`: of those, the ones another drainboard still running runs now (who, as a
 * clause); `unreadable`: those claimed by a mark that cannot be read (`by` null), as {@link markText} says it.
 */
export type DrainOwners = {owners: DrainOwner[]; unread: string | null; yours?: ReadonlySet<DrainOwner>; busy?: ReadonlyMap<DrainOwner, string>; unreadable?: ReadonlyMap<DrainOwner, string>};

/** For stderr beside --json: each drain claimed by a mark that cannot be read, whose `by: null` says nothing of who drained. */
export function unreadableNotes({unreadable}: DrainOwners): string[] {
	return [...(unreadable ?? new Map<DrainOwner, string>())].map(([owner, text]) => `Whose maintenance drained ${owner.server} is not known: ${text}; its "by": null means not known here, and its restore needs --take-over.`);
}


/** The lines under status's tables: each drained server and whose maintenance it is, wrapped at spaces to `width` (a path is never cut). */
export function drainOwnerLines({owners, unread, yours, busy, unreadable}: DrainOwners, severalInstances: boolean, width: number, flags?: ChosenFlags): string[] {
	if (owners.length === 0) {
		return [];
	}

	const nobody = unread ? `not known: ${unread}` : 'no drainboard maintenance names it (drained by hand or by another tool)';
	return [
		'Drained, and whose maintenance (from the drain marks on this host):',
		...owners.flatMap((owner) => {
			const where = severalInstances ? ` on ${owner.socket}` : '';
			const claim = unreadable?.get(owner);
			const by = owner.by ? markText({uid: 0, ...owner.by} satisfies DrainMark) : claim ? `not known: ${claim}; its restore needs --take-over` : nobody;
			// Yours (a wizard or run that ended without finishing it, a roll stopped there): how to take it up;
			// or, while a drainboard of yours still runs it, that one: taking it up here would be refused.
			const elsewhere = busy?.get(owner);
			const command = owner.by && flags && yours?.has(owner) && !elsewhere ? resumeCommand(flags, owner.server, owner.by.journal) : undefined;
			const resume = elsewhere ? `; under way: ${elsewhere}` : command ? '; to take it up again:' : '';
			const lines = wrap(`${owner.server}${where}: ${by}${resume}`, Math.max(40, width - 1) - 4, {keepWords: true}).map((line, index) => `${index === 0 ? '  ' : '    '}${line}`);
			// The command on a line of its own, never cut: pasted, it runs whole.
			return command && !elsewhere ? [...lines, `    ${command}`] : lines;
		}),
	];
}

/** The command that opens the maintenance of `label` again on its journal; none for a name no command can carry. */
function resumeCommand(flags: ChosenFlags, label: string, journal: string): string | undefined {
	try {
		return comeBackCommand(flags, parseTarget(label), journal);
	} catch {
		return undefined;
	}
}
