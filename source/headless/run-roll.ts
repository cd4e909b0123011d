import process from 'node:process';
import {clientsFor} from '../config/clients.js';
import type {ServerStateRecord} from '../decode/servers-state.js';
import {DrainboardError, exitCodeOf, sentenceOf, stopSignals, UsageError, type ExitCode, type StopSignal} from '../errors.js';
import type {Options} from '../options.js';
import {defaultJournalPath, Journal, JournalError, readJournal, type JournalInstance, type JournalRecord} from '../runbook/journal.js';
import {lastMaintenance} from '../runbook/resume.js';
import type {RuntimeClient} from '../runtime/client.js';
import {findBackend, isUnknownBackend, namesList, unknownBackendError} from '../runtime/find-target.js';
import {formatTarget, parseName, shortName, targetOf, type ProxyName} from '../runtime/names.js';
import {isUnreachable, RuntimeApiError} from '../runtime/runtime-error.js';
import {terminalLine, terminalSafeJson} from '../visible-text.js';
import type {HeadlessResult} from './report.js';
import {appliedStateChanges, openRoll, type RollRecord} from './roll-journal.js';
import {errorCodeOf, shellWord, type RollResult, type RollServerResult} from './roll-report.js';
import {execOutcomeText, runExec} from './run-exec.js';
import {headlessMaintenance} from './run-maintenance.js';

const write = (line: string) => {
	process.stderr.write(terminalLine(line));
};

/** Admin bits that take a server out of rotation: any maintenance (0x23) or drain (0x18). */
const outOfRotation = 0x23 | 0x18;

/** An error with the `error.code` of the JSON contract. */
class RollError extends DrainboardError {
	readonly code: string;

	constructor(code: string, sentence: string, exitCode: ExitCode) {
		super(sentence, exitCode);
		this.code = code;
	}
}

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
	const result: RollResult = {ok: false, changed: false, target: words[0] ?? '', servers: [], stateChanges: 0, results: [], warnings: [], journal: null};
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
		result.ok = false;
		result.error = {code: codeOf(error), message: sentenceOf(error)};
		print();
		throw error;
	}
}

function codeOf(error: unknown): string {
	if (error instanceof RollError) {
		return error.code;
	}

	if (error instanceof JournalError) {
		return 'journal';
	}

	if (error instanceof RuntimeApiError && (isUnreachable(error) || error.exitCode === 3)) {
		return 'unreachable';
	}

	if (error instanceof UsageError) {
		return / has no (?:backend|server) /.test(error.message) ? 'not-found' : 'usage';
	}

	return exitCodeOf(error) === 3 ? 'unreachable' : 'usage';
}

/** Called with the roll's result filled in as far as it got; returns the exit code. */
async function roll(options: Options, words: readonly string[], result: RollResult): Promise<ExitCode> {
	if (words.length !== 1) {
		throw new RollError('usage', words.length === 0 ? '"roll" needs a backend, for example: drainboard roll webapps --exec "systemctl restart app" --yes.' : `"roll" takes one backend (got "${words.join(' ')}"); name its servers with --servers a,b,c.`, 2);
	}

	const command = options.exec;
	if (command === undefined) {
		throw new RollError('usage', '"roll" without a terminal wizard needs --exec CMD, the command that does the work on each server while it is drained (for example --exec \'ssh "$DRAINBOARD_ADDRESS" sudo systemctl restart app\').', 2);
	}

	if (!options.yes && !process.stdin.isTTY) {
		throw new RollError('usage', '"roll" changes HAProxy\'s state and asks before each change, but stdin is not a terminal; pass --yes to confirm in advance.', 2);
	}

	let backend: ProxyName;
	try {
		backend = parseName(words[0]!, 'backend');
	} catch (error) {
		throw new RollError('invalid-name', sentenceOf(error), 2);
	}

	const asked = options.servers?.split(',') ?? [];
	for (const name of asked) {
		try {
			parseName(name, 'server');
		} catch (error) {
			throw new RollError('invalid-name', sentenceOf(error), 2);
		}
	}

	const duplicate = asked.find((name, index) => asked.indexOf(name) !== index);
	if (duplicate !== undefined) {
		throw new RollError('usage', `--servers names ${shortName(duplicate)} twice; give each server once.`, 2);
	}

	const {clients, notes} = await clientsFor(options);
	for (const note of notes) {
		write(note);
	}

	backend = await findBackend(clients, backend);
	result.target = backend;
	const rows = await backendRows(clients, backend);
	const names = rows[0]!.map((row) => row.server);
	const missing = asked.filter((name) => !names.includes(name));
	if (missing.length > 0) {
		throw new RollError('not-found', `backend ${shortName(backend)} has no server ${missing.map((name) => shortName(name)).join(', ')}; it has ${namesList(names, `drainboard status --backend ${shortName(backend)} lists them`)}.`, 2);
	}

	const servers = asked.length > 0 ? asked : names;
	result.servers = servers;
	const journal = new Journal(options.journal ?? defaultJournalPath());
	journal.probe();
	result.journal = journal.file;
	const instances: JournalInstance[] = clients.map((client) => ({socket: client.socket, pid: null, version: null, startTime: null}));
	const append = (target: string, record: JournalRecord) => {
		journal.setContext(target, instances);
		journal.append(record);
	};

	const runStart = Date.now();
	const resumeCommand = ['drainboard', ...process.argv.slice(2)].map((word) => shellWord(word)).join(' ');
	const open = openRoll(readJournal(journal.file).entries, backend);
	const done = new Set(open?.done.filter((name) => servers.includes(name)));
	if (open) {
		const next = servers.find((name) => !done.has(name));
		write(`→ resuming the roll of ${backend} that ${open.startedBy} started at ${open.startedAt}: ${done.size > 0 ? `${[...done].join(', ')} done` : 'no server done yet'}${next ? `; continuing with ${next}` : ''}.`);
		append(backend, {step: null, event: 'roll-resumed', detail: servers.join(',')});
	} else {
		append(backend, {step: null, event: 'roll-started', detail: servers.join(',')});
	}

	write(`drainboard roll ${backend}: ${servers.join(', ')} in turn, "${command}" on each (journal ${journal.file})`);
	const serverResults = servers.map((server): RollServerResult => ({server, target: `${backend}/${server}`, outcome: 'not-started', changed: false, stateChanges: 0}));
	result.results = serverResults;
	const count = () => {
		const {entries} = readJournal(journal.file);
		for (const entry of serverResults) {
			entry.stateChanges = appliedStateChanges(entries, entry.target, runStart, process.pid);
			entry.changed = entry.stateChanges > 0;
		}

		result.stateChanges = serverResults.reduce((sum, entry) => sum + entry.stateChanges, 0);
		result.changed = result.stateChanges > 0;
	};

	const stopped = (server: string, code: string, message: string, exitCode: ExitCode): ExitCode => {
		tryAppend(() => {
			append(backend, {step: null, event: 'roll-stopped', detail: `${server}: ${message}`});
		});
		result.resume = resumeCommand;
		result.error = {code, message};
		write(`✗ The roll of ${backend} stopped at ${server}. When it is fixed, run this to take the roll up again with ${server}, then the rest: ${resumeCommand}`);
		count();
		return exitCode;
	};

	// A signal between two phases (the maintenances and the command have their own) stops the roll as it stands.
	let phase: 'between' | 'maintenance' | 'exec' = 'between';
	let current = servers[0]!;
	let stopExec: (() => void) | undefined;
	const onSignal = (signal: StopSignal) => {
		if (phase === 'maintenance') {
			return;
		}

		stopExec?.();
		result.interrupted = {signal, server: current, state: phase === 'exec' ? `${current} is left drained (the command was stopped)` : 'between two steps'};
		stopped(current, 'interrupted', `Stopped by ${signal}${phase === 'exec' ? ` during --exec on ${current}, which is left DRAINED` : ''}.`, stopSignals[signal]);
		write(`Stopped by ${signal}${phase === 'exec' ? ` during --exec on ${backend}/${current}: it is left DRAINED (out of rotation)` : ''}.`);
		if (options.json) {
			process.stdout.write(`${terminalSafeJson(JSON.stringify(result))}\n`);
		}

		process.exit(stopSignals[signal]);
	};

	const signals = Object.keys(stopSignals) as StopSignal[];
	for (const signal of signals) {
		process.on(signal, onSignal);
	}

	try {
		for (const [index, server] of servers.entries()) {
			current = server;
			const entry = serverResults[index]!;
			const target = targetOf(backend, server);
			const label = formatTarget(target);
			if (done.has(server) || finishedInRoll(journal.file, label, open)) {
				entry.outcome = 'already-done';
				write(`– ${index + 1} of ${servers.length} · ${server}: done earlier in this roll; not touched.`);
				if (!done.has(server)) {
					append(backend, {step: null, event: 'roll-server-done', detail: server});
				}

				continue;
			}

			write(`── ${index + 1} of ${servers.length} · ${server}`);
			const now = await backendRows(clients, backend);
			const others = now.flatMap((instance) => instance.filter((row) => row.server !== server && servers.includes(row.server) && (row.adminState & outOfRotation) !== 0));
			if (others.length > 0) {
				const other = others[0]!;
				return stopped(
					server,
					'capacity',
					write2(`${backend}/${other.server} is out of rotation (${other.adminFlags.join('+')}); a roll takes one server out at a time, so ${server} is not drained. Put ${other.server} back first (drainboard restore ${backend}/${other.server}).`),
					1,
				);
			}

			const record = lastMaintenance(readJournal(journal.file).entries, label);
			const drainedNow = now.every((instance) => instance.some((row) => row.server === server && row.adminFlags.includes('FDRAIN')));
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
							result.interrupted = {signal: report.interrupted.signal, server, state: report.interrupted.state};
							stopped(server, 'interrupted', `Stopped by ${report.interrupted.signal} during ${kind} of ${label}: ${report.interrupted.state}.`, 1);
							if (options.json) {
								process.stdout.write(`${terminalSafeJson(JSON.stringify(result))}\n`);
							}
						}
					},
				});
				phase = 'between';
				return {exitCode, got};
			};

			if (!restoreOnly) {
				const drain = await maintenance('drain');
				if (drain.exitCode !== 0) {
					entry.outcome = 'stopped';
					return stopped(server, errorCodeOf(drain.got, drain.exitCode), `drain of ${label} did not pass${failedDetail(drain.got)}.`, drain.exitCode);
				}

				const row = now[0]!.find((candidate) => candidate.server === server)!;
				write(`→ ${label} is out of rotation; running: ${command}`);
				append(label, {step: 'maintain', event: 'check', check: 'exec', detail: `--exec started: ${command}`});
				phase = 'exec';
				const exec = runExec(command, {backend, server, address: row.address, port: row.port}, options.json);
				stopExec = exec.stop;
				const outcome = await exec.done;
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

			const restore = await maintenance('restore');
			if (restore.exitCode !== 0) {
				entry.outcome = 'stopped';
				return stopped(server, errorCodeOf(restore.got, restore.exitCode), `restore of ${label} did not pass${failedDetail(restore.got)}.`, restore.exitCode);
			}

			entry.outcome = 'done';
			append(backend, {step: null, event: 'roll-server-done', detail: server});
		}

		append(backend, {step: null, event: 'roll-finished', detail: servers.join(',')});
		count();
		result.ok = true;
		write(`✓ The roll of ${backend} is done: ${serverResults.filter((entry) => entry.outcome === 'done').length} server(s) cycled, ${serverResults.filter((entry) => entry.outcome === 'already-done').length} done before; ${result.stateChanges} state change(s) applied by HAProxy in this run.`);
		return 0;
	} finally {
		for (const signal of signals) {
			process.removeListener(signal, onSignal);
		}
	}
}

/** Says a sentence on stderr and gives it back (for the JSON). */
function write2(sentence: string): string {
	write(`✗ ${sentence}`);
	return sentence;
}

function failedDetail(result: HeadlessResult | undefined): string {
	const step = result?.steps.find((candidate) => !candidate.ok);
	return step ? ` (${step.id}: ${step.detail})` : '';
}

/** A maintenance of `label` that ended with a proven restore after the open roll began (its roll-server-done line never written). */
function finishedInRoll(file: string, label: string, open: RollRecord | undefined): boolean {
	if (!open) {
		return false;
	}

	const record = lastMaintenance(readJournal(file).entries, label);
	return record !== undefined && record.finished && record.readySent && Date.parse(record.startedAt) >= Date.parse(open.startedAt);
}

function tryAppend(append: () => void): void {
	try {
		append();
	} catch {
		// The roll's stop is said on stderr; the maintenance's own entries are in the journal already.
	}
}

/** The backend's servers on every instance (configuration order); a backend one of them does not have is exit 2. */
async function backendRows(clients: readonly RuntimeClient[], backend: ProxyName): Promise<ServerStateRecord[][]> {
	return Promise.all(
		clients.map(async (client) => {
			try {
				const rows = await client.serversState(backend);
				if (rows.length === 0) {
					throw new RollError('not-found', `backend ${shortName(backend)} has no servers to roll.`, 2);
				}

				return rows;
			} catch (error) {
				if (isUnknownBackend(error)) {
					const unknown = await unknownBackendError(client, backend);
					throw new RollError('not-found', unknown.message, 2);
				}

				throw error;
			}
		}),
	);
}
