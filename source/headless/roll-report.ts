import type {HeadlessResult} from './report.js';
import type {ExecOutcome} from './run-exec.js';

/** What became of one server of a roll. */
export type RollServerOutcome = 'done' | 'already-done' | 'stopped' | 'not-started';

/** One server of the `roll --json` object. */
export type RollServerResult = {
	server: string;
	target: string;
	outcome: RollServerOutcome;
	/** Whether HAProxy applied a state change to it in this run (read from the journal of replies and read-backs). */
	changed: boolean;
	/** How many state changes HAProxy applied to it in this run, one per instance. */
	stateChanges: number;
	drain?: HeadlessResult;
	exec?: ExecOutcome;
	restore?: HeadlessResult;
};

/** The `roll --json` object: one for every exit code. */
export type RollResult = {
	ok: boolean;
	changed: boolean;
	/** The backend rolled. */
	target: string;
	servers: string[];
	stateChanges: number;
	results: RollServerResult[];
	/** The command that takes the roll up again where it stopped; absent when it finished. */
	resume?: string;
	error?: {code: string; message: string};
	interrupted?: {signal: string; server: string; state: string};
	warnings: string[];
	journal: string | null;
};

const codeByCheck: Record<string, string> = {
	'target-exists': 'not-found',
	'socket-admin': 'level',
	capacity: 'capacity',
	'backend-free': 'locked',
	'baseline-traffic': 'traffic',
	'traffic-moved': 'traffic',
	'traffic-returns': 'traffic',
	'sessions-quiet': 'sessions',
	'health-back': 'health-timeout',
	listener: 'unreachable',
};

/** The error code of a drain or restore that did not pass, from its blocking check. */
export function errorCodeOf(result: HeadlessResult | undefined, exitCode: number): string {
	if (exitCode === 3) {
		return 'unreachable';
	}

	const failedCheck = result?.steps.flatMap((step) => step.checks).find((check) => check.verdict === 'fail');
	return (failedCheck && codeByCheck[failedCheck.id]) ?? (exitCode === 2 ? 'usage' : 'traffic');
}

/** `'it'\''s'`: a word as the shell reads it back unchanged. */
export function shellWord(word: string): string {
	return /^[A-Za-z0-9_./:=,@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
