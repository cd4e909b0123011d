import path from 'node:path';
import process from 'node:process';
import {clientsFor} from '../poll/clients.js';
import {DrainboardError, errorCodeOf, sentenceOf, stopSignals, UsageError, type ErrorCode, type ExitCode, type StopSignal} from '../errors.js';
import type {Options} from '../options.js';
import {defaultJournalPath, Journal, readJournal, type JournalEntry, type JournalRecord} from '../runbook/journal.js';
import {journalScopeNow} from '../runbook/journal-scope.js';
import {lastMaintenance} from '../runbook/resume.js';
import {drainSet, outOfRotation} from '../model/server-condition.js';
import {backendRows, parseRollWords, resolveRoll} from '../poll/roll-target.js';
import {formatTarget, parseTarget, targetOf} from '../runtime/names.js';
import type {RuntimeClient} from '../poll/client.js';
import type {Server} from '../model/types.js';
import {lockDirectory} from '../runbook/backend-lock.js';
import {DrainMarks, heldText, isOwnMark, isOwnUser, type DrainMark} from '../runbook/drain-mark.js';
import {terminalLine, terminalSafeJson} from '../visible-text.js';
import type {HeadlessResult} from './report.js';
import {journalTime} from '../time-format.js';
import {openRoll, rollHoldsOpen, rollServers} from '../runbook/roll-record.js';
import {appliedStateChanges} from './roll-journal.js';
import type {RollResult, RollServerResult} from './roll-report.js';
import {restoreCommand, shellWord} from '../runbook/come-back.js';
import {execOutcomeText, runExec} from '../runbook/run-exec.js';
import {headlessMaintenance} from './run-maintenance.js';
import {counted} from '../counted.js';
import {releaseEarlySignals} from '../early-signals.js';

const write = (line: string) => {
	process.stderr.write(terminalLine(line));
};


/**
 * `drainboard roll <backend> --exec CMD`: each server of the backend in turn (configuration
 * order, or --servers order), a full maintenance each on the headless engine (validate → confirm,
 * the command, maintain → restore), never more than one server of the roll out of rotation. A
 * roll that stops (a check, the command, a signal) leaves the server where it stopped as
 * HAProxy shows it, says so, and the same command takes it up again from the journal: the server
 * where it stopped, then the rest; servers done are not touched again. With --json, stdout is one
 * object for every exit code.
 */
export async function rollCommand(options: Options, words: readonly string[]): Promise<ExitCode> {
	const result: RollResult = {ok: false, changed: false, target: words[0] ?? '', targets: [], steps: [], servers: [], stateChanges: 0, results: [], drained: null, warnings: []};
	const print = () => {
		if (options.json) {
			process.stdout.write(`${terminalSafeJson(JSON.stringify(result))}\n`);
		}
	};

	try {
		const exitCode = await roll(options, words, result);
		print();
		return exitCode;
	} catch (error) {
		// An error drainboard did not foresee goes to the command line's own handler (crash file, its JSON).
		if (!(error instanceof DrainboardError)) {
			throw error;
		}

		write(sentenceOf(error));
		result.ok = false;
		result.error = {code: errorCodeOf(error), message: sentenceOf(error)};
		print();
		return error.exitCode;
	}
}

/** Called with the roll's result filled in as far as it got; returns the exit code. */
async function roll(options: Options, words: readonly string[], result: RollResult): Promise<ExitCode> {
	const parsed = parseRollWords(words, options.servers);
	const command = options.exec;
	if (command === undefined) {
		throw new UsageError('"roll" without a terminal wizard needs --exec CMD, the command that does the work on each server while it is drained (for example --exec \'ssh "$DRAINBOARD_ADDRESS" sudo systemctl restart app\').');
	}

	if (!options.yes && !options.dryRun && !process.stdin.isTTY) {
		throw new UsageError('"roll" changes HAProxy\'s state and asks before each change, but stdin is not a terminal; pass --yes to confirm in advance.');
	}

	const {clients, notes} = await clientsFor(options);
	for (const note of notes) {
		write(note);
	}

	const resolved = await resolveRoll(clients, parsed);
	const {backend} = resolved;
	result.target = backend;
	const journal = new Journal(path.resolve(options.journal ?? defaultJournalPath()), {dryRun: options.dryRun});
	journal.probe();
	result.journal = journal.file;
	// The roll's entries, and those of its maintenances, name each instance by socket and process:
	// the same HAProxy reached through its other socket takes up the same roll.
	let scope = await journalScopeNow(clients);
	const open = openRoll(readJournal(journal.file, {about: scope}).entries, backend);
	const servers = rollServers(open, resolved.rows[0]!.map((row) => row.server), parsed.asked);
	result.servers = servers;
	const dryRun = options.dryRun;
	// A dry run changes nothing: not even the roll's place in the journal.
	const append = (target: string, record: JournalRecord) => {
		if (dryRun) {
			return;
		}

		journal.setContext(target, scope.instances);
		journal.append(record);
	};

	const runStart = Date.now();
	const resumeCommand = ['drainboard', ...process.argv.slice(2)].map((word) => shellWord(word)).join(' ');
	const done = new Set(open?.done.filter((name) => servers.includes(name)));
	const inRoll = new Set([...servers, ...(open?.servers ?? [])]);
	// The header first: what runs, then where it takes up.
	write(`drainboard roll${dryRun ? ' --dry-run (nothing is sent, nothing is run)' : ''} ${backend}: ${servers.join(', ')} in turn (journal ${journal.file}${dryRun ? ', read, not written' : ''}); --exec on each: ${command}`);
	if (open) {
		const next = servers.find((name) => !done.has(name));
		write(`→ resuming the roll of ${backend} that ${open.startedBy} started at ${journalTime(open.startedAt)}: ${done.size > 0 ? `${[...done].join(', ')} done` : 'no server done yet'}${next ? `; continuing with ${next}` : ''}.`);
		const before = lastExecOf(readJournal(journal.file, {about: scope}).entries, backend, open.startedAt);
		if (before !== undefined && before !== command) {
			write(`! The roll taken up ran --exec ${JSON.stringify(before)}; this run runs ${JSON.stringify(command)} on the servers left.`);
		}
		append(backend, {step: null, event: 'roll-resumed', detail: servers.join(',')});
	} else {
		append(backend, {step: null, event: 'roll-started', detail: servers.join(',')});
	}

	const serverResults = servers.map((server): RollServerResult => ({server, target: `${backend}/${server}`, outcome: 'not-started', changed: false, stateChanges: 0}));
	result.results = serverResults;
	const count = () => {
		const {entries} = readJournal(journal.file, {about: scope});
		for (const entry of serverResults) {
			entry.stateChanges = appliedStateChanges(entries, entry.target, runStart, process.pid);
			entry.changed = entry.stateChanges > 0;
		}

		result.stateChanges = serverResults.reduce((sum, entry) => sum + entry.stateChanges, 0);
		// Every server's warnings at the top as well, each named: a play that reads only `warnings` misses none.
		result.warnings = serverResults.flatMap((entry) => [...(entry.drain?.warnings ?? []), ...(entry.restore?.warnings ?? [])].map((text) => `${entry.target}: ${text}`));
		result.changed = result.stateChanges > 0 || serverResults.some((entry) => entry.drain?.changed === true || entry.restore?.changed === true);
		const ends = serverResults.flatMap((entry) => {
			const last = entry.restore ?? entry.drain;
			return last ? [{target: entry.target, drained: last.drained}] : [];
		});
		result.drained = ends.some((end) => end.drained === null) ? null : ends.filter((end) => end.drained === true).map((end) => end.target);
		result.targets = serverResults.flatMap((entry) => {
			const first = entry.drain ?? entry.restore;
			const last = entry.restore ?? entry.drain;
			return (first?.targets ?? []).map((target) => ({...target, after: last?.targets.find((candidate) => candidate.socket === target.socket)?.after ?? target.after}));
		});
	};

	const stopped = (server: string, code: ErrorCode, message: string, exitCode: ExitCode): ExitCode => {
		// Refused before it touched anything (another drainboard runs it, or holds the backend): a new
		// roll is closed at once, not left open for the next roll to "resume".
		const untouched = !open && code === 'locked' && serverResults.every((entry) => entry.drain?.changed !== true && entry.restore === undefined && entry.exec === undefined);
		tryAppend(() => {
			append(backend, untouched ? {step: null, event: 'roll-finished', detail: `refused before any server was touched: ${message}`} : {step: null, event: 'roll-stopped', detail: `${server}: ${message}`});
		});
		result.error = {code, message};
		const at = serverResults.find((entry) => entry.server === server);
		if (at?.outcome === 'stopped') {
			at.reason = message;
		}

		if (dryRun) {
			result.wouldSend = wouldSend;
			write(`✗ Dry run: the roll of ${backend} would stop at ${server}. Nothing was sent.`);
		} else {
			result.resume = resumeCommand;
			// A signal is nothing to fix; the last server has no rest after it.
			const rest = servers.indexOf(server) < servers.length - 1 ? ', then the rest' : '';
			write(`✗ The roll of ${backend} stopped at ${server}. ${code === 'interrupted' ? 'Run' : 'When it is fixed, run'} this to take the roll up again with ${server}${rest}: ${resumeCommand}`);
		}

		count();
		return exitCode;
	};

	// A signal between two phases (the maintenances and the command have their own) stops the roll as it stands.
	let phase: 'between' | 'maintenance' | 'exec' = 'between';
	let current = servers[0]!;
	let stopExec: (() => Promise<void>) | undefined;
	const wouldSend: string[] = [];
	// With --dry-run: the servers the roll would already have drained and put back, when it reaches the next.
	const passedDry = new Set<string>();
	// A signal during --exec: the command is stopped, with everything it started, and the roll says
	// so once it has ended (where the command's end is awaited), so that a resumed roll never runs it
	// again beside one still going.
	let stoppedBy: StopSignal | undefined;
	const onSignal = (signal: StopSignal) => {
		if (phase === 'maintenance' || stoppedBy) {
			return;
		}

		if (phase === 'exec' && stopExec) {
			stoppedBy = signal;
			void stopExec();
			return;
		}

		interrupted(signal);
	};

	const interrupted = (signal: StopSignal): never => {
		const entry = serverResults.find((candidate) => candidate.server === current);
		if (entry && phase === 'exec') {
			entry.outcome = 'stopped';
		}

		result.interrupted = {signal, server: current, step: phase === 'exec' ? 'maintain' : null, state: phase === 'exec' ? `${current} is left drained (the command was stopped)` : 'between two steps'};
		// One sentence on stderr and in the JSON's error.
		const sentence = `Stopped by ${signal}${phase === 'exec' ? ` during --exec on ${backend}/${current}: it is left DRAINED (out of rotation)` : ''}.`;
		stopped(current, 'interrupted', sentence, stopSignals[signal]);
		write(sentence);
		if (options.json) {
			process.stdout.write(`${terminalSafeJson(JSON.stringify(result))}\n`);
		}

		process.exit(stopSignals[signal]);
	};

	const signals = Object.keys(stopSignals) as StopSignal[];
	// From here this run answers signals itself (cli.tsx's early answer, with --json, is let go).
	releaseEarlySignals();
	for (const signal of signals) {
		process.on(signal, onSignal);
	}

	try {
		for (const [index, server] of servers.entries()) {
			current = server;
			const entry = serverResults[index]!;
			const target = targetOf(backend, server);
			const label = formatTarget(target);
			// Read again at each server: a maintenance finished meanwhile elsewhere (the grid's banner) counts too.
			scope = await journalScopeNow(clients);
			if (done.has(server) || openRoll(readJournal(journal.file, {about: scope}).entries, backend)?.done.includes(server)) {
				entry.outcome = 'already-done';
				write(`– ${index + 1} of ${servers.length} · ${server}: done earlier in this roll; not touched.`);
				if (!done.has(server)) {
					append(backend, {step: null, event: 'roll-server-done', detail: server});
				}

				continue;
			}

			write(`── ${index + 1} of ${servers.length} · ${server}`);
			if (open?.redo.includes(server)) {
				write(`→ ${label}'s maintenance was ended outside the roll before the roll's --exec on it completed (stopped, or failed): it goes through the roll again.`);
			}

			const now = await backendRows(clients, backend);
			// The roll's servers are this run's and those of the roll it takes up: --servers may leave out the one where it stopped.
			// A dry run counts the servers before this one as back: the real roll would have sent their readies by now.
			const others = now.flatMap((instance) => instance.filter((row) => row.server !== server && inRoll.has(row.server) && !passedDry.has(row.server) && outOfRotation(row)));
			if (others.length > 0) {
				const other = others[0]!;
				return stopped(
					server,
					'capacity',
					write2(`${backend}/${other.server} is out of rotation (${other.adminFlags.join('+')}); a roll takes one server out at a time, so ${server} is not drained. Put ${other.server} back first${await putBackAdvice(options, clients, `${backend}/${other.server}`, other, {file: journal.file, drained: journalDrained(readJournal(journal.file, {about: scope}).entries, `${backend}/${other.server}`)})}.`),
					1,
				);
			}

			const record = lastMaintenance(readJournal(journal.file, {about: scope}).entries, label);
			// A drain that no open maintenance of this journal made (by hand, Ansible, another journal's
			// maintenance) is someone else's work: the roll would end it with its ready, so it stops first.
			const drainedSomewhere = now.some((instance) => instance.some((row) => row.server === server && drainSet(row)));
			if (drainedSomewhere && !(record !== undefined && !record.finished && record.drainSent)) {
				entry.outcome = 'stopped';
				return stopped(server, 'other-maintenance', write2(await foreignDrainSentence(options, clients, label, journal.file)), 1);
			}

			// An open maintenance of this journal that the roll did not begin (a drain of its own, someone's
			// wizard, even one begun while this roll stood stopped) is not the roll's: its ready and --exec
			// would finish someone else's work.
			const ownOpen = rollHoldsOpen(open, server, record);
			if (drainedSomewhere && record !== undefined && !ownOpen) {
				entry.outcome = 'stopped';
				return stopped(
					server,
					'other-maintenance',
					write2(
						`${label} is drained by the maintenance ${record.startedBy} started at ${journalTime(record.startedAt)}, which this roll did not begin; the roll stops before touching it: finish that maintenance first (${restoreCommand(options, label, journal.file)}), or leave ${server} out with --servers, then run the roll again.`,
					),
					1,
				);
			}

			const drainedNow = now.every((instance) => instance.some((row) => row.server === server && drainSet(row)));
			const restoreOnly = record !== undefined && !record.finished && record.readySent && !drainedNow;
			const comeBack = `Run "${resumeCommand}" to take the roll up again with ${server}.`;
			const maintenance = async (kind: 'drain' | 'restore') => {
				let got: HeadlessResult | undefined;
				phase = 'maintenance';
				const exitCode = await headlessMaintenance(kind, {...options, json: false}, label, {
					clients,
					comeBack,
					report(report) {
						got = report;
						entry[kind] = report;
						if (report.interrupted) {
							// The maintenance said what HAProxy shows; the process ends right after this.
							entry.outcome = 'stopped';
							result.interrupted = {signal: report.interrupted.signal, server, step: report.interrupted.step, state: report.interrupted.state};
							// The maintenance's own sentence, as it said it on stderr.
							stopped(server, 'interrupted', report.error?.message ?? `Stopped by ${report.interrupted.signal} during ${kind} of ${label}: ${report.interrupted.state}.`, 1);
							if (options.json) {
								process.stdout.write(`${terminalSafeJson(JSON.stringify(result))}\n`);
							}
						}
					},
				});
				phase = 'between';
				return {exitCode, got};
			};

			// A maintenance of this server begun from here on is the roll's (roll-record.ts, rollsOwn); one the roll
			// began and takes up again keeps the time the roll began it.
			if (!ownOpen) {
				append(backend, {step: null, event: 'roll-server-started', detail: server});
			}

			if (!restoreOnly) {
				const drain = await maintenance('drain');
				if (drain.exitCode !== 0) {
					entry.outcome = 'stopped';
					return stopped(server, codeOfRun(drain.got, drain.exitCode), `drain of ${label} did not pass${failedDetail(drain.got)}.${putBackSaid(drain.got)}`, drain.exitCode);
				}

				const row = now[0]!.find((candidate) => candidate.server === server)!;
				if (dryRun) {
					const would = drain.got?.wouldSend ?? [];
					const agents = would.filter((line) => line.startsWith('disable agent ')).map((line) => line.replace(/^disable/, 'enable'));
					wouldSend.push(...would, `set server ${label} state ready`, ...agents);
					write(`✓ Dry run of ${server}: it would be drained, "${command}" run, then ready sent.`);
					entry.outcome = 'would-pass';
					passedDry.add(server);
					continue;
				}

				write(`→ ${label} is out of rotation; running: ${command}`);
				phase = 'exec';
				const exec = runExec(command, {backend, server, address: row.address, port: row.port}, options.json ? 'stderr' : 'stdout');
				stopExec = exec.stop;
				try {
					append(label, {step: 'maintain', event: 'check', check: 'exec', detail: `--exec started: ${command}`, ...(exec.group ? {evidence: {group: exec.group}} : {})});
				} catch (error) {
					// Not journaled, not run: a run after this one could not see it going.
					await exec.stop();
					throw error;
				}
				const outcome = await exec.done;
				if (stoppedBy) {
					await exec.stop();
					entry.exec = outcome;
					interrupted(stoppedBy);
				}

				stopExec = undefined;
				phase = 'between';
				entry.exec = outcome;
				const ended = `--exec ${execOutcomeText(outcome)}`;
				const passed = outcome.exitCode === 0;
				append(label, {step: 'maintain', event: 'check', check: 'exec', verdict: passed ? 'pass' : 'fail', observed: ended, detail: command});
				if (!passed) {
					entry.outcome = 'stopped';
					write(`✗ ${ended} on ${label}: ${server} is left DRAINED (out of rotation), and the rest of the roll waits.`);
					return stopped(server, 'exec-failed', `--exec ${execOutcomeText(outcome)} on ${label}, which is left drained.`, 1);
				}

				write(`✓ ${ended} on ${label}.`);
			}

			// Here only with the ready sent by an earlier run (a dry run has gone on at the drain): a dry run's restore lists what it would still send.
			const restore = await maintenance('restore');
			if (dryRun && restore.exitCode === 0) {
				wouldSend.push(...(restore.got?.wouldSend ?? []));
				entry.outcome = 'would-pass';
				passedDry.add(server);
				continue;
			}

			if (restore.exitCode !== 0) {
				entry.outcome = 'stopped';
				return stopped(server, codeOfRun(restore.got, restore.exitCode), `restore of ${label} did not pass${failedDetail(restore.got)}.`, restore.exitCode);
			}

			entry.outcome = 'done';
			append(backend, {step: null, event: 'roll-server-done', detail: server});
		}

		append(backend, {step: null, event: 'roll-finished', detail: servers.join(',')});
		count();
		result.ok = true;
		if (dryRun) {
			result.wouldSend = wouldSend;
			write(`✓ Dry run of the roll of ${backend}: every server would go through; it would send ${wouldSend.length} command(s) and run "${command}" ${serverResults.filter((entry) => entry.outcome === 'would-pass').length} time(s). Nothing was sent.`);
			return 0;
		}

		write(`✓ The roll of ${backend} is done: ${counted(serverResults.filter((entry) => entry.outcome === 'done').length, 'server')} cycled, ${serverResults.filter((entry) => entry.outcome === 'already-done').length} done before; ${counted(result.stateChanges, 'state change')} applied by HAProxy in this run.`);
		return 0;
	} finally {
		for (const signal of signals) {
			process.removeListener(signal, onSignal);
		}
	}
}

/** The code of a drain or restore that did not pass, from its own result. */
function codeOfRun(result: HeadlessResult | undefined, exitCode: ExitCode): ErrorCode {
	return result?.error?.code ?? (exitCode === 3 ? 'unreachable' : exitCode === 2 ? 'usage' : 'state');
}

/** Says a sentence on stderr and gives it back (for the JSON). */
function write2(sentence: string): string {
	write(`✗ ${sentence}`);
	return sentence;
}

function failedDetail(result: HeadlessResult | undefined): string {
	const step = result?.steps.find((candidate) => !candidate.ok && !candidate.skipped);
	return step ? ` (${step.id}: ${step.detail})` : '';
}

/**
 * What the drain did when the rest of the backend went down during its confirm (outage.ts: the
 * target put back into rotation, or left drained and why), as a sentence after the failed step's:
 * the roll's message would otherwise blame the check and not say where the server stands.
 */
function putBackSaid(result: HeadlessResult | undefined): string {
	const message = result?.error?.code === 'capacity' && result.steps.some((step) => step.id === 'confirm' && !step.ok) ? result.error.message : '';
	return message === '' ? '' : ` ${message}`;
}

function tryAppend(append: () => void): void {
	try {
		append();
	} catch {
		// The roll's stop is said on stderr; the maintenance's own entries are in the journal already.
	}
}

/** Whose maintenance holds the drain of `label` by the drain marks: this roll's journal, or none says (`roll`); your other journal; another operator's. */
type DrainHolder = {kind: 'roll'} | {kind: 'yours'; journal: string} | {kind: 'other'; mark: DrainMark};

async function drainHolder(clients: readonly RuntimeClient[], label: string, rollJournal: string): Promise<DrainHolder> {
	const mark = await new DrainMarks({dir: lockDirectory(), clients}).read(parseTarget(label)).catch(() => null);
	if (mark === null || isOwnMark(mark, rollJournal)) {
		return {kind: 'roll'};
	}

	return isOwnUser(mark) ? {kind: 'yours', journal: mark.journal} : {kind: 'other', mark};
}

/**
 * How to put a server that stops the roll back into rotation, as a clause: the restore that works
 * for the maintenance holding its drain ({@link drainHolder}); whose it is when it is another
 * operator's; and no restore at all for a server in maintenance, which restore does not put back.
 */
async function putBackAdvice(options: Options, clients: readonly RuntimeClient[], label: string, row: Pick<Server, 'adminFlags'>, rollJournal: {file: string; drained: boolean}): Promise<string> {
	if (!drainSet(row)) {
		return `: it is in maintenance, not drained, which restore does not undo; whoever put it there brings it back (set server ${label} state ready)`;
	}

	const holder = await drainHolder(clients, label, rollJournal.file);
	switch (holder.kind) {
		case 'roll': {
			// No drain mark, and no open maintenance of this journal drained it: made by hand or by another tool, whose work a restore would end.
			return rollJournal.drained
				? ` (${restoreCommand(options, label, rollJournal.file)})`
				: `: no drainboard maintenance drained it (by hand or by another tool, as socat or Ansible), so ask whoever did before putting it back (set server ${label} state ready)`;
		}

		case 'yours': {
			return ` (${restoreCommand(options, label, holder.journal)}: the journal of your maintenance that drained it)`;
		}

		case 'other': {
			return `: it is held by ${heldText(holder.mark)}, theirs to put back; "${restoreCommand({...options, takeOver: true}, label, rollJournal.file)}" takes it over`;
		}
	}
}

/**
 * Why the roll stops before a server it finds drained by no open maintenance of its journal, and
 * how to go on, in one sentence, by {@link drainHolder} (none: unknown, as socat or Ansible).
 */
async function foreignDrainSentence(options: Options, clients: readonly RuntimeClient[], label: string, rollJournal: string): Promise<string> {
	const holder = await drainHolder(clients, label, rollJournal);
	switch (holder.kind) {
		case 'roll': {
			return `${label} is drained, but no maintenance of this roll's journal drained it, so who or what drained it is unknown; the roll stops before touching it: restore it (${restoreCommand(options, label, rollJournal)}) or finish that maintenance first, then run the roll again.`;
		}

		case 'yours': {
			return `${label} is drained by your maintenance of journal ${holder.journal}, not by this roll, so the roll stops before touching it: finish that maintenance (${restoreCommand(options, label, holder.journal)}) first, then run the roll again.`;
		}

		case 'other': {
			return `${label} is drained by ${heldText(holder.mark)}, not by this roll, so the roll stops before touching it: let that maintenance finish, or take it over (${restoreCommand({...options, takeOver: true}, label, rollJournal)}), then run the roll again.`;
		}
	}
}

/** An open maintenance of this journal sent the drain of `label`. */
function journalDrained(entries: readonly JournalEntry[], label: string): boolean {
	const record = lastMaintenance(entries, label);
	return record !== undefined && !record.finished && record.drainSent;
}

/** The --exec command the roll of `backend` begun at `since` last ran (from its maintenances' exec checks); undefined when none ran. */
function lastExecOf(entries: readonly JournalEntry[], backend: string, since: string): string | undefined {
	const start = Date.parse(since);
	const last = entries.filter((entry) => entry.check === 'exec' && entry.target.startsWith(`${backend}/`) && Date.parse(entry.time) >= start && entry.detail !== undefined).at(-1);
	return last?.detail?.replace(/^--exec started: /, '');
}
