import type {ErrorCode} from '../errors.js';
import type {StepId} from '../runbook/steps.js';
import type {HeadlessResult} from './report.js';
import type {TargetEntry} from './result-schema.js';
import type {ExecOutcome} from '../runbook/run-exec.js';

/** What became of one server of a roll; `would-pass`: a dry run's read-only checks passed for it (nothing sent, nothing run). */
type RollServerOutcome = 'done' | 'already-done' | 'would-pass' | 'stopped' | 'not-started';

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

/** The `roll --json` object: one for every exit code, within the contract of drain and restore (result-schema.ts). */
export type RollResult = {
	ok: boolean;
	/** True when HAProxy applied a state change of this run to some server (each read back by its drain or restore). */
	changed: boolean;
	/** The backend rolled. */
	target: string;
	/** Each server this run drained or restored: before (its first read) and after (its last), read from HAProxy. */
	targets: TargetEntry[];
	/** Empty: each server's steps are in `results` (its drain and its restore). */
	steps: [];
	servers: string[];
	/** How many state changes HAProxy applied in this run (each instance's reply or read-back, from the journal). */
	stateChanges: number;
	results: RollServerResult[];
	/** The command that takes the roll up again where it stopped; absent when it finished. */
	resume?: string;
	error?: {code: ErrorCode; message: string};
	/** With --dry-run: every command the roll would send, in order (the --exec command between each server's drain and ready). */
	wouldSend?: string[];
	/** The signal that stopped the roll, the server and its step then (`maintain` while --exec ran), and what HAProxy showed. */
	interrupted?: {signal: string; server: string; step: StepId | null; state: string};
	warnings: string[];
	journal?: string;
};
