import {flagDefaults, type Options} from '../options.js';
import {formatTarget, type Target} from '../runtime/names.js';
import type {RunbookContext} from './context.js';
import {readJournal, type JournalScope} from './journal.js';
import {leftOfSets} from './resume.js';

/**
 * The flags of a run that choose what a command printed for the operator reaches: the HAProxy
 * instances (`--socket`, `--master`), their configuration and binary (`--config`, `--haproxy`),
 * and the listener the traffic checks go through (`--url`, `--host`, `--path`); and those that
 * choose how its checks prove and wait (`--proof`, `--requests`, …), kept by the command that
 * takes the maintenance up so that it proves the way this run did.
 */
export type ChosenFlags = Pick<Options, 'socket' | 'master' | 'config' | 'haproxy' | 'url' | 'host' | 'path'> & Partial<Pick<Options, 'takeOver' | CheckFlag>>;

/** The flags of how the checks prove and wait, with their names on the command line. */
const checkFlags = {
	timeout: '--timeout',
	verifyTls: '--verify-tls',
	proof: '--proof',
	proofWindow: '--proof-window',
	requests: '--requests',
	quietTimeout: '--quiet-timeout',
	readyTimeout: '--ready-timeout',
} as const satisfies Partial<Record<keyof Options, string>>;
type CheckFlag = keyof typeof checkFlags;

/** Only the flags that choose the HAProxy instances (and how long to wait for them), for a command that reads them (`drainboard status`). */
function instanceFlags(flags: ChosenFlags): ChosenFlags {
	return {socket: flags.socket, master: flags.master, config: flags.config, ...(flags.timeout === undefined ? {} : {timeout: flags.timeout})};
}

/**
 * `drainboard [command] [target] <words> --socket …`: the command, the target, the words, then the
 * flags that chose HAProxy (and the journal, when given), each quoted for a shell where needed,
 * ready to paste. A target that begins with `-` (HAProxy allows `-web/--yes`) comes last, after
 * `--`: anywhere else it would be read as a flag.
 */
function drainboardCommand({command, target, words = []}: {command?: string; target?: string; words?: readonly string[]}, flags: ChosenFlags, journal?: string): string {
	const dashed = target?.startsWith('-') === true;
	const all = ['drainboard', ...(command === undefined ? [] : [command]), ...(target === undefined || dashed ? [] : [target]), ...words];
	for (const socket of flags.socket) {
		all.push('--socket', socket);
	}

	const single = [
		['--master', flags.master],
		['--config', flags.config],
		['--haproxy', flags.haproxy],
		['--url', flags.url],
		['--host', flags.host],
		['--path', flags.path],
		['--journal', journal],
	] as const;
	for (const [flag, value] of single) {
		if (value !== undefined) {
			all.push(flag, value);
		}
	}

	// Those given other than their default, in a fixed order.
	for (const [name, flag] of Object.entries(checkFlags) as Array<[CheckFlag, string]>) {
		const value = flags[name];
		if (value === undefined || value === flagDefaults[name]) {
			continue;
		}

		all.push(...(typeof value === 'boolean' ? [flag] : [flag, String(value)]));
	}

	if (dashed) {
		all.push('--', target!);
	}

	return all.map((word) => shellWord(word)).join(' ');
}

/**
 * `drainboard restore B/S --yes --socket … --journal …`: the restore of `target` (a server or a
 * pattern). `--yes`: pasted where stdin is not a terminal (a script, `ssh host '…'`) it would be
 * refused without it, and it is what the operator is told to run to put the server back.
 */
export function restoreCommand(flags: ChosenFlags, target: string, journal?: string): string {
	// A restore run with --take-over keeps it: without it the command would be refused again.
	return drainboardCommand({command: 'restore', target, words: ['--yes', ...(flags.takeOver ? ['--take-over'] : [])]}, flags, journal);
}

/** `drainboard drain B/S --socket … --journal …`: the headless drain of one server, with this run's flags. */
export function drainCommand(flags: ChosenFlags, target: string, journal?: string): string {
	return drainboardCommand({command: 'drain', target}, flags, journal);
}

/** `drainboard B/S --socket … --journal …`: the command that opens this maintenance again in the wizard. */
export function comeBackCommand(flags: ChosenFlags, target: Target, journal: string): string {
	return drainboardCommand({target: formatTarget(target)}, flags, journal);
}

/**
 * `drainboard roll B [--exec CMD] --socket … --journal …`: the command that takes a roll up again
 * where it stopped (the server left drained first, then the rest), in the wizard in a terminal.
 */
export function rollComeBackCommand(flags: ChosenFlags, backend: string, journal: string, exec?: string): string {
	return drainboardCommand({command: 'roll', target: backend, words: exec === undefined ? [] : ['--exec', exec]}, flags, journal);
}

/** `drainboard '@10.0.0.5' --socket … --journal …`: the command that opens a maintenance of several servers again in the wizard. */
export function setComeBackCommand(flags: ChosenFlags, label: string, journal: string): string {
	return drainboardCommand({target: label}, flags, journal);
}

/** `'it'\''s'`: a word as the shell reads it back unchanged (as is when plain, else in single quotes). */
export function shellWord(word: string): string {
	return /^[A-Za-z0-9_./:=,@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `Run "drainboard restore B/S --yes …" to put it back, or "drainboard B/S …" to continue in the wizard.`, with this run's flags and journal. */
export function restoreHint(context: Pick<RunbookContext, 'target' | 'commandFlags' | 'journal'>): string {
	const restore = restoreCommand(context.commandFlags, formatTarget(context.target), context.journal.file);
	return `Run "${restore}" to put it back, or "${comeBackCommand(context.commandFlags, context.target, context.journal.file)}" to continue in the wizard.`;
}

/** `drainboard status --backend B --socket …`: the snapshot of the target's backend on the instances of this run. */
export function statusCommand(context: Pick<RunbookContext, 'target' | 'commandFlags'>): string {
	return drainboardCommand({command: 'status', words: ['--backend', context.target.backend]}, instanceFlags(context.commandFlags));
}

/**
 * The warning of a restore of part of a maintenance of several servers: which of it the journal
 * still holds drained, untouched by this restore, and the command that restores the rest.
 */
export function partOfSetWarnings(journalFile: string, flags: ChosenFlags, targets: readonly string[], scope: JournalScope): string[] {
	return leftOfSets(readJournal(journalFile, {about: scope}).entries, targets).map(({set, restored, left}) => {
		const one = left.length === 1;
		return `${restored.join(', ')} ${restored.length === 1 ? 'was' : 'were'} drained as one maintenance of ${set}, of which the journal holds ${left.join(', ')} drained still; this run leaves ${one ? 'it' : 'them'} as ${one ? 'it is' : 'they are'}: "${restoreCommand(flags, set, journalFile)}" restores the rest.`;
	});
}
