/**
 * Exit codes of the command-line contract (README.md, "Exit codes"):
 * 0 done, 1 a check did not pass, 2 bad usage or invalid input (nothing sent),
 * 3 HAProxy unreachable or refused; 128 + the signal's number when a signal stopped it.
 */
export type ExitCode = 0 | 1 | 2 | 3 | SignalExitCode;

/** The signals drainboard stops on, each with its own exit code. */
export const stopSignals = {SIGHUP: 129, SIGINT: 130, SIGTERM: 143} as const;
export type StopSignal = keyof typeof stopSignals;
/** 128 + the signal's number: SIGHUP 129, SIGINT 130, SIGTERM 143 (what a shell reports for a killed process). */
type SignalExitCode = (typeof stopSignals)[StopSignal];

/**
 * Why a run did not pass, for automation (`error.code` of the `--json` object; README "JSON
 * contract"). The first fourteen are the contract's fixed list; `config`, `state`,
 * `interrupted` and `internal` name failures the list has no word for.
 */
export const errorCodes = [
	'not-found',
	'invalid-name',
	'usage',
	'capacity',
	'not-serving',
	'traffic',
	'sessions',
	'health-timeout',
	'locked',
	'other-maintenance',
	'level',
	'unreachable',
	'reply-lost',
	'journal',
	'exec-failed',
	'config',
	'state',
	'interrupted',
	'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/** An error the operator can act on: one plain sentence, the exit code it maps to, and its code for automation. */
export class DrainboardError extends Error {
	readonly exitCode: ExitCode;
	/** Undefined: the code follows from the exit code (see {@link errorCodeOf}). */
	readonly code: ErrorCode | undefined;

	constructor(sentence: string, exitCode: ExitCode, options?: {cause?: unknown; code?: ErrorCode}) {
		super(sentence, options?.cause === undefined ? undefined : {cause: options.cause});
		this.name = 'DrainboardError';
		this.exitCode = exitCode;
		this.code = options?.code;
	}
}

/** Bad usage or invalid input: nothing was sent to HAProxy. */
export class UsageError extends DrainboardError {
	constructor(sentence: string, code: 'usage' | 'invalid-name' | 'not-found' = 'usage') {
		super(sentence, 2, {code});
		this.name = 'UsageError';
	}
}

/** A check did not pass; nothing further was changed. */
export class CheckFailedError extends DrainboardError {
	constructor(sentence: string, code?: ErrorCode) {
		super(sentence, 1, {code});
		this.name = 'CheckFailedError';
	}
}

/** The one sentence to show for any thrown value; never a stack trace. */
export function sentenceOf(error: unknown): string {
	if (error instanceof DrainboardError) {
		return error.message;
	}

	const text = error instanceof Error ? error.message : String(error);
	const firstLine = text.split('\n')[0] ?? '';
	return `Unexpected internal error: ${firstLine.trim() || 'no message'}. Please report it with the journal file.`;
}

export function exitCodeOf(error: unknown): ExitCode {
	return error instanceof DrainboardError ? error.exitCode : 1;
}

/** The code of any thrown value: its own, else from its exit code (2 usage, 3 unreachable), else internal. */
export function errorCodeOf(error: unknown): ErrorCode {
	if (!(error instanceof DrainboardError)) {
		return 'internal';
	}

	return error.code ?? (error.exitCode === 2 ? 'usage' : error.exitCode === 3 ? 'unreachable' : 'state');
}
