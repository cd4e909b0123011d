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

/** An error the operator can act on: one plain sentence and the exit code it maps to. */
export class DrainboardError extends Error {
	readonly exitCode: ExitCode;

	constructor(sentence: string, exitCode: ExitCode, options?: {cause?: unknown}) {
		super(sentence, options);
		this.name = 'DrainboardError';
		this.exitCode = exitCode;
	}
}

/** Bad usage or invalid input: nothing was sent to HAProxy. */
export class UsageError extends DrainboardError {
	constructor(sentence: string) {
		super(sentence, 2);
		this.name = 'UsageError';
	}
}

/** A check did not pass; nothing further was changed. */
export class CheckFailedError extends DrainboardError {
	constructor(sentence: string) {
		super(sentence, 1);
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
