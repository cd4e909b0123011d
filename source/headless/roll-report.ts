import {z} from 'zod';
import {errorCodes} from '../errors.js';
import {stepIds} from '../runbook/steps.js';
import {headlessResultSchema, targetSchema} from './result-schema.js';

/** What became of one server of a roll; `would-pass`: a dry run's read-only checks passed for it (nothing sent, nothing run). */
const rollServerOutcomes = ['done', 'already-done', 'would-pass', 'stopped', 'not-started'] as const;

/** One server of the `roll --json` object. */
const rollServerResultSchema = z.strictObject({
	server: z.string(),
	target: z.string(),
	outcome: z.enum(rollServerOutcomes),
	/** Whether HAProxy applied a state change to it in this run (read from the journal of replies and read-backs). */
	changed: z.boolean(),
	/** How many state changes HAProxy applied to it in this run, one per instance. */
	stateChanges: z.number().int().min(0),
	drain: z.optional(headlessResultSchema),
	/** What --exec came to: its exit code or the signal that ended it, or why it did not start. */
	exec: z.optional(z.strictObject({exitCode: z.nullable(z.number().int()), signal: z.nullable(z.string()), error: z.optional(z.string())})),
	restore: z.optional(headlessResultSchema),
	/** Why the roll stopped at it (the error's sentence), when its outcome is `stopped`. */
	reason: z.optional(z.string()),
});

/**
 * The `roll --json` object: one for every exit code, within the contract of drain and restore
 * (result-schema.ts): `error` exactly when `ok` is false, nothing changed by a dry run.
 */
export const rollResultSchema = z
	.strictObject({
		ok: z.boolean(),
		/** True when HAProxy applied a state change of this run to some server (each read back by its drain or restore). */
		changed: z.boolean(),
		/** The backend rolled. */
		target: z.string(),
		/** Each server this run drained or restored: before (its first read) and after (its last), read from HAProxy. */
		targets: z.array(targetSchema),
		/** Empty: each server's steps are in `results` (its drain and its restore). */
		steps: z.tuple([]),
		servers: z.array(z.string()),
		/** How many state changes HAProxy applied in this run (each instance's reply or read-back, from the journal). */
		stateChanges: z.number().int().min(0),
		results: z.array(rollServerResultSchema),
		/**
		 * The servers of the roll HAProxy showed drained when it ended (each from its last drain or
		 * restore's read-back; servers not reached are not in it): empty when the roll left none
		 * drained, null when one could not be read back or the roll stopped before any server.
		 */
		drained: z.nullable(z.array(z.string())),
		/** The command that takes the roll up again where it stopped; absent when it finished. */
		resume: z.optional(z.string()),
		error: z.optional(z.strictObject({code: z.enum(errorCodes), message: z.string()})),
		/** With --dry-run: every command the roll would send, in order (the --exec command between each server's drain and ready). */
		wouldSend: z.optional(z.array(z.string())),
		/** The signal that stopped the roll, the server and its step then (`maintain` while --exec ran), and what HAProxy showed. */
		interrupted: z.optional(z.strictObject({signal: z.string(), server: z.string(), step: z.nullable(z.enum(stepIds)), state: z.string()})),
		warnings: z.array(z.string()),
		journal: z.optional(z.string()),
	})
	.check(
		z.refine((result) => result.ok === (result.error === undefined), {message: '"error" must be present exactly when "ok" is false'}),
		z.refine((result) => !(result.changed && result.wouldSend !== undefined), {message: 'a dry run cannot have changed anything'}),
	);

export type RollServerResult = z.output<typeof rollServerResultSchema>;
export type RollResult = z.output<typeof rollResultSchema>;
