import * as z from 'zod/mini';
import {errorCodes} from '../errors.js';
import {stepIds} from '../runbook/steps.js';

/** A server's state as HAProxy showed it at one moment. */
const serverStateSchema = z.object({
	adminFlags: z.array(z.string()),
	opStateName: z.string(),
	status: z.string(),
});

/** One server of the maintenance on one instance: before the run and when it ended, both read from HAProxy (null: not readable then). */
export const targetSchema = z.object({
	socket: z.string(),
	backend: z.string(),
	server: z.string(),
	before: z.nullable(serverStateSchema),
	after: z.nullable(serverStateSchema),
});

const checkSchema = z.object({
	id: z.string(),
	verdict: z.enum(['pass', 'warn', 'fail', 'skip']),
	observed: z.string(),
	evidence: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))),
});

const stepSchema = z
	.object({
		id: z.enum(stepIds),
		/** In a maintenance of several servers: the server the step ran for (or the maintenance's own target, for checks of all of them). */
		target: z.optional(z.string()),
		/** The step did its work and passed: no check failed, and it did not end on a skipped one. */
		ok: z.boolean(),
		/**
		 * Present when the step did not fail but was not carried out: it ended on a skipped check (the
		 * state change a --dry-run does not send, the baseline --allow-down skips). `ok` is false then.
		 */
		skipped: z.optional(z.literal(true)),
		detail: z.string(),
		checks: z.array(checkSchema),
	})
	.check(
		z.refine((step) => !(step.ok && step.checks.at(-1)?.verdict === 'skip'), {message: 'a step that ended on a skipped check did not pass: "ok" must be false'}),
		z.refine((step) => step.skipped === undefined || (!step.ok && step.checks.at(-1)?.verdict === 'skip'), {message: '"skipped" is only for a step that is not ok and ended on a skipped check'}),
	);

/**
 * The one object `drain`, `restore` (and any command's error) print with --json, for every exit
 * code: the contract automation relies on (README "JSON contract"). `error` is there exactly when
 * `ok` is false; `wouldSend` only with --dry-run.
 */
export const headlessResultSchema = z
	.object({
		ok: z.boolean(),
		/** True only when this run sent a state change that HAProxy applied (read back at the end). */
		changed: z.boolean(),
		target: z.string(),
		targets: z.array(targetSchema),
		steps: z.array(stepSchema),
		warnings: z.array(z.string()),
		error: z.optional(z.strictObject({code: z.enum(errorCodes), message: z.string()})),
		wouldSend: z.optional(z.array(z.string())),
		/** Whether HAProxy showed the target drained when the command ended (read back then); null when it could not be read. */
		drained: z.nullable(z.boolean()),
		journal: z.optional(z.string()),
		/** The signal that stopped the run, the step it was in, and the target's state as read then. */
		interrupted: z.optional(z.object({signal: z.string(), step: z.nullable(z.enum(stepIds)), state: z.string()})),
	})
	.check(
		z.refine((result) => result.ok === (result.error === undefined), {message: '"error" must be present exactly when "ok" is false'}),
		z.refine((result) => !(result.changed && result.wouldSend !== undefined), {message: 'a dry run cannot have changed anything'}),
	);

export type HeadlessResult = z.output<typeof headlessResultSchema>;
export type TargetEntry = z.output<typeof targetSchema>;
export type ServerState = z.output<typeof serverStateSchema>;
