import {closeSync, constants, openSync, writeSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {DrainboardError} from './errors.js';
import {printable} from './runtime/endpoint.js';
import {makeDirectories, stateDirectory} from './state-directory.js';
import {terminalLine} from './visible-text.js';

/** A crash already reported in one sentence, with its details in a crash file: exit 1. */
export class CrashedError extends DrainboardError {
	constructor(sentence: string, cause: unknown) {
		super(sentence, 1, {cause, code: 'internal'});
		this.name = 'CrashedError';
	}
}

/** What a crash file records besides the error. */
type CrashContext = {
	/** Where it was caught: `uncaught exception`, `React render or effect`, … */
	where: string;
	/** React's component stack, for an error caught in the interactive app. */
	componentStack?: string;
};

let version = 'unknown';

/** The version written into crash files (the CLI sets it from package.json). */
export function setCrashVersion(value: string): void {
	version = value;
}

function errorText(error: unknown, depth = 0): string {
	if (!(error instanceof Error)) {
		return String(error);
	}

	const own = error.stack ?? `${error.name}: ${error.message}`;
	return depth < 5 && error.cause !== undefined ? `${own}\ncaused by: ${errorText(error.cause, depth + 1)}` : own;
}

/** `crash-2026-11-25T14.02.11.123Z-4242.txt` */
const crashName = (now: Date) => `crash-${now.toISOString().replace(/:/g, '.')}-${process.pid}.txt`;

/**
 * Writes the details of a crash (error and causes with their stacks, drainboard and Node versions,
 * the command line) to a new file, mode 0600, in drainboard's state directory (beside the default
 * journal: `$XDG_STATE_HOME/drainboard/`, else `~/.local/state/drainboard/`), else in the temp
 * directory. Never follows a symlink, never overwrites. Null when no place took it.
 */
function writeCrashFile(error: unknown, context: CrashContext, env: NodeJS.ProcessEnv = process.env, now = new Date()): string | null {
	const text = [
		`drainboard ${version} stopped on an internal error at ${now.toISOString()}`,
		`where: ${context.where}`,
		`node ${process.version} ${process.platform} ${process.arch}`,
		`argv: ${JSON.stringify(process.argv.slice(2))}`,
		'',
		errorText(error),
		...(context.componentStack ? ['', `component stack:${context.componentStack}`] : []),
		'',
	].join('\n');
	for (const directory of [stateDirectory(env), os.tmpdir()]) {
		const file = path.join(directory, crashName(now));
		try {
			makeDirectories(directory, 0o700);
			const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
			try {
				writeSync(fd, text);
			} finally {
				closeSync(fd);
			}

			return file;
		} catch {
			// Try the next place; the operator still gets the sentence.
		}
	}

	return null;
}

/** The one sentence an operator reads for a crash: what happened, and where the details are. */
function crashSentence(error: unknown, file: string | null): string {
	const message = error instanceof Error ? error.message : String(error);
	const what = printable(message.split('\n', 1)[0]?.trim() || 'no message').replace(/\.$/, '');
	return file
		? `drainboard stopped on an internal error (${what}); the details are in ${file}: please report it with that file.`
		: `drainboard stopped on an internal error (${what}); no crash file could be written: please report it with this message.`;
}

/**
 * With `DRAINBOARD_DEBUG=1` in the environment: the error's stack and its causes', one
 * {@link terminalLine} each, to print after the one sentence. Otherwise nothing: the operator
 * reads one sentence, the details are in the crash file.
 */
export function debugDetails(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
	return env['DRAINBOARD_DEBUG'] === '1' ? errorText(error).split('\n').map((line) => terminalLine(line)).join('') : '';
}

/** Writes the crash file and gives the error the operator reads: one sentence, exit 1. */
export function crashed(error: unknown, context: CrashContext): CrashedError {
	return new CrashedError(crashSentence(error, writeCrashFile(error, context)), error);
}

type LastWords = () => void | Promise<void>;
const lastWords = new Set<LastWords>();

/**
 * Runs `hook` before the process ends on an uncaught error: give the terminal back, say what is
 * left drained. Returns the function that removes it.
 */
export function onCrash(hook: LastWords): () => void {
	lastWords.add(hook);
	return () => {
		lastWords.delete(hook);
	};
}

let crashing = false;

async function crash(error: unknown, where: string): Promise<void> {
	if (crashing) {
		return;
	}

	crashing = true;
	for (const hook of [...lastWords].reverse()) {
		try {
			await hook();
		} catch {
			// The sentence and the crash file matter more than one hook.
		}
	}

	process.stderr.write(terminalLine(crashed(error, {where}).message) + debugDetails(error));
	process.exit(1);
}

/**
 * An uncaught exception or unhandled rejection anywhere ends the process with one sentence on
 * stderr and the details in a crash file (exit 1), after the hooks of {@link onCrash}.
 */
export function installCrashHandlers(): void {
	process.on('uncaughtException', (error) => {
		void crash(error, 'uncaught exception');
	});
	process.on('unhandledRejection', (reason) => {
		void crash(reason, 'unhandled promise rejection');
	});
}
