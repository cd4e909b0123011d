import process from 'node:process';
import * as z from 'zod/mini';
import {UsageError} from './errors.js';
import {visible} from './visible-text.js';

/**
 * The runbook's fixed watch times, in seconds, each from an environment variable when it is set:
 * how long confirm watches the drain hold (and restore the ready hold with an agent-check
 * running), how long maintain watches the server stay healthy before restore is offered, and how
 * long `--proof auto` counts the backend's traffic before choosing. Raise the hold to at least an
 * agent-check's `inter` to see an agent undo a drain; the test suite shortens them all.
 */
const watchTimeVariables = {
	holdMs: {name: 'DRAINBOARD_HOLD_SECONDS', seconds: 3},
	settleMs: {name: 'DRAINBOARD_SETTLE_SECONDS', seconds: 3},
	autoSampleMs: {name: 'DRAINBOARD_AUTO_SAMPLE_SECONDS', seconds: 3},
} as const;

export type WatchTimes = Record<keyof typeof watchTimeVariables, number>;

const secondsText = z.string().check(z.regex(/^\d{1,3}(?:\.\d{1,3})?$/));

/** The watch times in milliseconds; a variable set to anything but 0.5 to 600 seconds is a usage error (exit 2), before anything is read or sent. */
export function watchTimes(env: NodeJS.ProcessEnv = process.env): WatchTimes {
	const times: Partial<WatchTimes> = {};
	for (const [key, {name, seconds}] of Object.entries(watchTimeVariables) as Array<[keyof WatchTimes, {name: string; seconds: number}]>) {
		const text = env[name];
		if (text === undefined || text === '') {
			times[key] = seconds * 1000;
			continue;
		}

		const value = secondsText.safeParse(text).success ? Number(text) : Number.NaN;
		if (!(value >= 0.5 && value <= 600)) {
			throw new UsageError(`${name}=${visible(text.slice(0, 40))} is not a number of seconds from 0.5 to 600; set it to one (the default is ${seconds}) or unset it.`);
		}

		times[key] = Math.round(value * 1000);
	}

	return times as WatchTimes;
}
