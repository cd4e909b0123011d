import process from 'node:process';
import {stopSignals, type ErrorCode, type ExitCode, type StopSignal} from '../errors.js';
import type {Options} from '../options.js';
import type {RuntimeClient} from '../poll/client.js';
import {formatTarget, type Target} from '../runtime/names.js';
import {restoreCommand} from '../runbook/come-back.js';
import {prepareSet, runSet, setLocks, type SetFailure, type SetMember} from '../runbook/maintenance-set.js';
import type {MaintenanceKind} from '../runbook/plan-steps.js';
import type {Prompt} from '../runbook/state.js';
import {stopChanges} from '../runbook/state-change.js';
import {endClaim} from '../runbook/traffic-proof.js';
import {terminalLine, terminalSafeJson} from '../visible-text.js';
import {askOnTerminal} from './ask-tty.js';
import {dryRunSummary, warnedCheckTexts} from './dry-run.js';
import {changedByRun, finalState, readServers, targetEntries, type TargetServers} from './final-state.js';
import {headlessResult, type HeadlessResult} from './report.js';
import {changesAnswered} from './run-maintenance.js';
import {releaseEarlySignals} from '../early-signals.js';

type Kind = MaintenanceKind;

const write = (line: string) => {
	process.stderr.write(terminalLine(line));
};

/** One server of a maintenance of several, and what HAProxy showed of it before the run. */
type Member = SetMember & {before: TargetServers | null};

/**
 * `drain` / `restore` of several servers (`*\/S`, `@ADDRESS[:PORT]`) as one maintenance
 * (runbook/maintenance-set.ts runs it), printed line by line, asked on the terminal or answered by
 * --yes, with one `--json` object at the end; a signal stops it with every server's state said.
 */
export async function headlessSet(kind: Kind, options: Options, label: string, targets: readonly Target[], clients: readonly RuntimeClient[]): Promise<ExitCode> {
	const names = targets.map((target) => formatTarget(target));
	write(`drainboard ${kind}${options.dryRun ? ' --dry-run (nothing is sent)' : ''} ${label}: one maintenance of ${targets.length} servers (${names.join(', ')}) on ${clients.map((client) => client.socket).join(', ')}`);
	const prepared = await prepareSet(kind, options, label, targets, clients, {write});
	const members: Member[] = [];
	for (const member of prepared) {
		members.push(Object.assign(member, {before: await readServers(member.context)}));
	}

	const locking = setLocks(kind, options, members);
	const releaseLocks = locking.release;

	let failure: SetFailure | undefined;
	const setSteps: HeadlessResult['steps'] = [];
	let stopping = false;
	let repeated = false;
	const onSignal = (signal: StopSignal) => {
		// Stopping is bounded (the changes' replies, one read): a second signal does not cut it short,
		// or the run would end without saying where the servers stand (SIGKILL still does).
		if (stopping) {
			if (!repeated) {
				repeated = true;
				write(`${signal} again: already stopping; where ${label} stands is said once HAProxy's answers are in.`);
			}

			return;
		}

		stopping = true;
		stopChanges();
		void (async () => {
			const unanswered = await changesAnswered(signal, options.timeout);
			releaseLocks();
			const message = `Stopped by ${signal}: ${await statesSentence(members, {hint: true})}${unanswered ? ` (${unanswered})` : ''}`;
			write(message);
			for (const member of members) {
				member.context.journal.appendGuarded({step: member.context.store.getState().current, event: 'interrupted', detail: `${signal} stopped drainboard ${kind} ${label}`});
			}

			if (options.json) {
				process.stdout.write(`${terminalSafeJson(JSON.stringify(await setResult(false, {code: 'interrupted', message})))}\n`);
			}

			process.exit(stopSignals[signal]);
		})();
	};

	const signals = Object.keys(stopSignals) as StopSignal[];
	// From here this run answers signals itself (cli.tsx's early answer, with --json, is let go).
	releaseEarlySignals();
	for (const signal of signals) {
		process.on(signal, onSignal);
	}

	async function setResult(ok: boolean, error?: {code: ErrorCode; message: string}): Promise<HeadlessResult> {
		const ends = await Promise.all(members.map(async (member) => finalState(member.context, member.before)));
		const drained = ends.some((end) => end.drained === null) ? null : ends.every((end) => end.drained === true);
		const first = members[0]!;
		const result = headlessResult(first.context.store.getState(), {
			ok,
			steps: [],
			journal: first.context.journal.file,
			changed: members.some((member, index) => changedByRun(member.context, member.before, ends[index]!.after)),
			targets: members.flatMap((member, index) => targetEntries(member.context, member.before, ends[index]!.after)),
			drained,
			// What is said of the set as a whole first, as it is; each server's own, named.
			warnings: [...prepared.warnings, ...members.flatMap((member) => [...member.warnings, ...warnedCheckTexts(member.context.store.getState())].map((text) => `${member.label}: ${text}`))],
			// Exactly code and message (the JSON contract): a failure carries its exit code beside them.
			...(ok ? {} : {error: error ? {code: error.code, message: error.message} : {code: 'state', message: 'The maintenance did not pass; see the steps.'}}),
			...(options.dryRun ? {wouldSend: members.flatMap((member) => member.context.facts.wouldSend)} : {}),
		});
		const steps = [
			...setSteps,
			...members.flatMap((member) =>
				headlessResult(member.context.store.getState(), {ok: true, steps: member.plan.steps, journal: '', changed: false, targets: [], drained: null, warnings: []}).steps.map((step) => ({...step, target: member.label})),
			),
		];
		return {...result, target: label, steps};
	}

	try {
		const outcome = await runSet(kind, options, label, members, locking, {write, ask: async (prompt) => askOnce(prompt, options), stopping: () => stopping, liveEveryMs: 5000});
		failure = outcome.failure;
		if (outcome.capacity) {
			const {ok, sentence, facts} = outcome.capacity;
			setSteps.push({id: 'validate', ok, detail: sentence, checks: [{id: 'capacity-together', verdict: ok ? 'pass' : 'fail', observed: ok ? sentence : `${facts} ${sentence}`}], target: label});
		}

		const result = await setResult(failure === undefined, failure);
		if (failure) {
			write(`✗ ${label}: ${failure.message}`);
			write(await statesSentence(members, {hint: !failure.namesRestore}));
		} else if (options.dryRun) {
			write(dryRunSummary(`${kind} ${label}`, members.map((member) => ({state: member.context.store.getState(), label: member.label}))));
		} else {
			const claim = endClaim(kind, members.map((member) => member.context.store.getState()), ' to each');
			// Part of a machine's maintenance restored: the last line does not read as the whole of it.
			const rest = kind === 'restore' && prepared.warnings.length > 0 ? ' The rest of the maintenance it was part of stays drained (see the warning above).' : '';
			// Drains another maintenance made (its drain marks say so): their restore is that maintenance's, as for one server.
			const held = kind === 'drain' && !options.takeOver ? members.filter((member) => member.plan.resume?.heldBy) : [];
			const next = held.length > 0 ? ` The restore of ${held.map((member) => member.label).join(', ')} belongs to the maintenance that drained ${held.length === 1 ? 'it' : 'them'} (or needs --take-over).` : ` Run "${restoreCommand(options, label, members[0]!.context.journal.file)}" after the work.`;
			write(`✓ ${label} (${members.map((member) => member.label).join(', ')}) ${claim}.${kind === 'drain' ? next : rest}`);
		}

		if (options.json) {
			process.stdout.write(`${terminalSafeJson(JSON.stringify(result))}\n`);
		}

		return failure ? (failure.exitCode === 0 ? 1 : failure.exitCode) : 0;
	} finally {
		releaseLocks();
		for (const signal of signals) {
			process.removeListener(signal, onSignal);
		}
	}
}

/** A yes for a prompt: --yes, a terminal's answer, or (a dry run without either) no. */
async function askOnce(prompt: Prompt, options: Options): Promise<boolean> {
	if (options.yes) {
		write(prompt.kind === 'command' ? `→ ${(prompt.commands ?? [prompt.command]).join('; ')} (confirmed by --yes)` : `→ ${prompt.question} yes (--yes)`);
		return true;
	}

	if (!process.stdin.isTTY) {
		write(`→ ${prompt.kind === 'command' ? prompt.command : prompt.question} no (no terminal and no --yes)`);
		return false;
	}

	return askOnTerminal(prompt);
}

/** Where every server of the maintenance stands now, read from HAProxy, in one line each. */
async function statesSentence(members: readonly Member[], {hint}: {hint: boolean}): Promise<string> {
	const sentences = await Promise.all(
		members.map(async (member) => {
			const end = await finalState(member.context, member.before, {hint});
			return end.sentence.includes(member.label) ? end.sentence : `${member.label}: ${end.sentence}`;
		}),
	);
	// "Nothing was changed on HAProxy by this run." once for all, when it is what each one says.
	const plain = sentences.map((sentence, index) => sentence.replace(`${members[index]!.label}: `, ''));
	return plain.every((sentence) => sentence === plain[0]) && !plain[0]!.includes('/') ? plain[0]! : sentences.join(' ');
}

