import process from 'node:process';
import {render} from 'ink';
import React from 'react';
import {clientsFor} from '../poll/clients.js';
import {onCrash} from '../crash.js';
import {stopSignals, type ExitCode, type StopSignal} from '../errors.js';
import {ExitOwner} from './exit-owner.js';
import type {Instance, InstanceSnapshot} from '../model/types.js';
import type {Options} from '../options.js';
import type {RuntimeClient} from '../poll/client.js';
import type {ProxyName, Target} from '../runtime/names.js';
import {journalRollLog, openRoll} from '../runbook/roll-record.js';
import {defaultJournalPath, Journal, readJournal, type JournalEntry} from '../runbook/journal.js';
import {journalScopeNow, journalScopeOf} from '../runbook/journal-scope.js';
import {prepareMaintenance} from '../runbook/prepare.js';
import {setRunner} from '../runbook/maintenance-set.js';
import {expandPattern, parseTargetPattern} from '../poll/target-set.js';
import {drainLostEvidence, drainReplacedCheck, openDrainOf, openDrainRecords, type OpenDrain} from '../runbook/resume.js';
import {DrainMarks, endedByOther} from '../runbook/drain-mark.js';
import {lockDirectory} from '../runbook/backend-lock.js';
import {underWay} from '../runbook/live-process.js';
import {comeBackCommand, rollComeBackCommand, setComeBackCommand} from '../runbook/come-back.js';
import {parseTarget} from '../runtime/names.js';
import {journalTime} from '../time-format.js';
import {terminalLine} from '../visible-text.js';
import {App, type LabControls} from './app.js';
import {assertTerminal} from './terminal.js';
import {exitNoteText} from './wizard/exit-note.js';
import {changesSettled, changeWaitMs, stopChanges} from '../runbook/state-change.js';
import {stopRunningExecs} from '../runbook/run-exec.js';

/** What the caller may have started before the UI was loaded. */
export type InteractiveStart = {
	clients?: RuntimeClient[];
	prefetched?: ReadonlyMap<string, Promise<InstanceSnapshot>>;
	lab?: LabControls;
	/** `drainboard roll <backend>` in a terminal: open on this roll. */
	roll?: {backend: ProxyName; servers: readonly string[]; asked: readonly string[]; exec?: string};
	/** `drainboard '@10.0.0.5'` naming several servers: open on their maintenance as one (the pattern as given, and its servers). */
	set?: {label: string; targets: readonly Target[]};
};

const signals = Object.keys(stopSignals) as StopSignal[];
/** Longest wait, on a signal, for a read of HAProxy made after the wizard's last change. */
const settleWaitMs = 2000;

/**
 * `drainboard [<backend>/<server>]`: the live grid and the wizard, until the operator quits (`q`:
 * exit 0, Ctrl-C: 130, each asking first while the wizard's target is drained) or a signal ends
 * it (128 + the signal's number: SIGHUP 129, SIGINT 130, SIGTERM 143). Keys and signals go to one
 * {@link ExitOwner}, which decides. Either way the terminal is given back, and what HAProxy last
 * showed of a target this maintenance drained is printed after it.
 */
export async function runInteractive(options: Options, target: Target | undefined, start: InteractiveStart = {}): Promise<ExitCode> {
	assertTerminal();
	const clients = start.clients ?? (await clientsFor(options)).clients;
	const {lab, prefetched} = start;
	const owner = new ExitOwner();
	const journal = options.journal ?? defaultJournalPath();
	// In the lab no command brings a maintenance back: its HAProxy and files go with it. A server of
	// a roll comes back with its roll: taken up, it resumes that server, then goes on with the rest
	// (the server's own wizard would finish it alone and leave the roll open).
	const prepare = async (chosen: Target, roll?: {backend: ProxyName; exec?: string}) => {
		const prepared = await prepareMaintenance(options, chosen, {interactive: true, clients});
		return lab ? {...prepared, comeBack: null} : roll ? {...prepared, comeBack: rollComeBackCommand(options, roll.backend, journal, roll.exec)} : prepared;
	};
	// The journal's entries about these instances: by socket, or by the process HAProxy names in
	// `show info` (a maintenance made through the instance's other socket). Read before the grid
	// opens, from the grid's poll at each read of the journal, and once more on the way out.
	let scope: Awaited<ReturnType<typeof journalScopeNow>> = {sockets: clients.map((client) => client.socket), processes: [], instances: clients.map((client) => ({socket: client.socket, pid: null, version: null, startTime: null}))};
	let scopeRead: Promise<void> | undefined;
	const readScope = async () => {
		scopeRead ??= journalScopeNow(clients).then(
			(now) => {
				scope = now;
				scopeRead = undefined;
			},
			() => {
				scopeRead = undefined;
			},
		);
		return scopeRead;
	};

	// A HAProxy that does not answer at once (it is waited for up to --timeout) does not hold the grid back.
	const scopeReadFor = async (ms: number) =>
		Promise.race([
			readScope(),
			new Promise((resolve) => {
				setTimeout(resolve, ms).unref();
			}),
		]);
	await scopeReadFor(settleWaitMs);
	// The grid passes the instances its poll read (`show info` is in every poll): no extra read then.
	const entriesNow = (polled?: readonly Instance[]) => {
		if (polled && polled.length > 0) {
			scope = journalScopeOf(
				clients.map((client) => client.socket),
				polled,
			);
		} else {
			void readScope();
		}

		return readJournal(journal, {about: scope}).entries;
	};

	const openDrainsNow = (polled?: readonly Instance[]) => {
		try {
			const entries = entriesNow(polled);
			// One another drainboard still runs is said as such on the grid, not offered to resume.
			return openDrainRecords(entries).map((record) => {
				const busy = underWay(record, entries);
				return busy ? {...openDrainOf(record), underWay: busy.short} : openDrainOf(record);
			});
		} catch {
			// No journal yet, or not readable: no banner (a maintenance says why when it starts).
			return [];
		}
	};

	/**
	 * The grid saw an open maintenance's server in rotation: its drain is gone and it took traffic,
	 * journaled as such (resume.ts), so a drain HAProxy shows later is taken up as a drain found
	 * made, confirm run again, not resumed as that maintenance's own. `done`: nothing more to do
	 * (journaled, or put back by a take-over); else tried again later, and `problem` says why a
	 * note could not be written.
	 */
	const marks = new DrainMarks({dir: lockDirectory(), clients});
	const drainLost = async (drain: OpenDrain, polled?: readonly Instance[]): Promise<{done: boolean; problem: string | null}> => {
		// Read afresh, as HAProxy's processes are now. Ended since the grid's last read (a restore), noted
		// already, or run by another drainboard now: not the grid's to note, for now.
		let entries: JournalEntry[];
		try {
			entries = entriesNow(polled);
		} catch {
			return {done: false, problem: null};
		}

		const record = openDrainRecords(entries).find((open) => open.target === drain.target && open.startedAt === drain.startedAt);
		if (!record || record.drainReplaced !== undefined || underWay(record, entries)) {
			return {done: false, problem: null};
		}

		// Put back by another maintenance's restore (a take-over): that one's drainboard says who, not a lost drain.
		if (record.drainSentAt !== null && endedByOther(await marks.latest(parseTarget(drain.target)).catch(() => null), journal, record.drainSentAt)) {
			return {done: true, problem: null};
		}

		const writer = new Journal(journal);
		writer.setContext(drain.target, scope.instances);
		const written = writer.appendGuarded({step: null, event: 'check', check: drainReplacedCheck, verdict: 'fail', evidence: drainLostEvidence, observed: `The grid saw ${drain.target} in rotation: the drain of the maintenance ${drain.startedBy} started at ${journalTime(drain.startedAt)} is gone, and the server took traffic.`});
		return written.written ? {done: true, problem: null} : {done: false, problem: `That ${drain.target} lost its drain is not in the journal yet (tried again every few seconds): ${written.sentence}`};
	};

	/** Leaving from the grid: the journal's unfinished maintenances that drained a server, and how to take one up. */
	const openDrainsNote = (): string | null => {
		const open = openDrainsNow();
		const [first] = open;
		if (!first) {
			return null;
		}

		const more = open.length > 1 ? ` (and ${open.length - 1} more: ${open.slice(1).map((drain) => drain.target).join(', ')})` : '';
		const resume = (() => {
			try {
				if (first.set !== undefined) {
					return ` It is part of the maintenance of ${first.set}; to see where it stands and resume: ${setComeBackCommand(options, first.set, journal)}`;
				}

				const {backend, server} = parseTarget(first.target);
				const roll = openRoll(readJournal(journal, {about: scope}).entries, backend);
				return roll?.servers.includes(server) && !roll.done.includes(server)
					? ` It is part of the roll of ${backend} that ${roll.startedBy} started at ${journalTime(roll.startedAt)}; to take the roll up again: ${rollComeBackCommand(options, backend, journal, start.roll?.backend === backend ? start.roll.exec : undefined)}`
					: ` To see where it stands and resume: ${comeBackCommand(options, parseTarget(first.target), journal)}`;
			} catch {
				return '';
			}
		})();
		return `The journal ${journal} has an unfinished maintenance that drained ${first.target} (${first.startedBy}, started at ${journalTime(first.startedAt)})${more}.${resume}`;
	};

	// The wizard's roll reads and writes with the process last read, and reads it again for the next time.
	const rollLog = journalRollLog(journal, () => {
		void readScope();
		return scope;
	});
	const initialSet = start.set ? setRunner(options, start.set.label, start.set.targets, clients, journal) : undefined;
	// The grid's banner takes up a maintenance of several servers by its pattern, its servers read from HAProxy now.
	const prepareSet = async (label: string) => {
		const pattern = parseTargetPattern(label);
		const targets = pattern.kind === 'one' ? [pattern.target] : await expandPattern(clients, pattern);
		const runner = setRunner(options, label, targets, clients, journal);
		// In the lab no command brings a maintenance back: its HAProxy and files go with it.
		return lab ? {...runner, comeBack: null, restore: null} : runner;
	};
	const app = <App clients={clients} initialTarget={target} initialSet={initialSet} prepareSet={prepareSet} initialRoll={start.roll} rollLog={rollLog} prepare={prepare} owner={owner} lab={lab} prefetched={prefetched} openDrains={openDrainsNow} drainLost={drainLost} />;
	const instance = render(app, {
		// Ctrl-C is the owner's to decide (it asks while the target is drained), not Ink's.
		exitOnCtrlC: false,
		patchConsole: true,
	});
	// A change on its way lands whether or not the app is still there to say so: its answer first
	// (bounded); a second signal ends at once.
	let signalled = false;
	const stop = (signal: StopSignal) => {
		if (signalled) {
			owner.signal(signal);
			return;
		}

		signalled = true;
		stopChanges();
		void (async () => {
			await changesSettled(changeWaitMs);
			// And a read of HAProxy made after it, for the note on the way out (a poll is about a second).
			for (const started = Date.now(); owner.note?.settled === false && Date.now() - started < settleWaitMs; ) {
				await new Promise((resolve) => {
					setTimeout(resolve, 50);
				});
			}

			owner.signal(signal);
		})();
	};

	for (const signal of signals) {
		process.on(signal, stop);
	}

	let noteSaid = false;
	const sayNote = () => {
		const text = noteSaid ? null : owner.note ? exitNoteText(owner.note) : (owner.noteText ?? (lab ? null : openDrainsNote()));
		noteSaid = true;
		if (text) {
			// After SIGHUP the terminal may be gone: the note is best effort, the journal has it all.
			process.stderr.on('error', () => undefined);
			process.stderr.write(terminalLine(text));
		}
	};

	// An error nothing caught: give the terminal back and say what HAProxy last showed, then the crash sentence.
	const removeCrashHook = onCrash(() => {
		instance.clear();
		instance.unmount();
		sayNote();
	});
	try {
		const result = await instance.waitUntilExit();
		if (owner.stoppedBy) {
			return stopSignals[owner.stoppedBy];
		}

		return typeof result === 'number' ? (result as ExitCode) : 0;
	} finally {
		for (const signal of signals) {
			process.removeListener(signal, stop);
		}

		removeCrashHook();
		// A roll's --exec still running is stopped (its group: SIGTERM, SIGKILL after 5 s) before drainboard ends.
		await stopRunningExecs(() => {
			process.stderr.write('Stopping the roll\'s --exec (SIGTERM to its process group, SIGKILL after 5 s)…\n');
		});
		// HAProxy's process now, for the journal's open drains (bounded: a HAProxy gone leaves the last one read).
		await scopeReadFor(settleWaitMs);
		sayNote();
	}
}
