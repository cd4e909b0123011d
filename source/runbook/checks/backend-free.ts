import {passed, warned, type CheckResult} from '../check-result.js';
import type {RunbookContext, RunbookIo} from '../context.js';

/**
 * A dry run's "Nobody else changing it": the backend's lock read, never taken (a dry run changes
 * nothing, so it holds nothing). Another drainboard holding it is a warning, not a block: a real
 * run would be refused now, and may not be later.
 */
export async function backendFreeInDryRun(context: RunbookContext, io: RunbookIo): Promise<CheckResult> {
	const id = 'backend-free';
	const title = 'Nobody else changing it';
	const {backend} = context.target;
	const holder = await context.lock.holder(io.signal);
	return holder === null
		? passed(id, title, `No other drainboard holds the lock of ${backend} now; a dry run reads the lock without taking it.`)
		: warned(id, title, `${backend} is being changed by ${holder}, so a real run would be refused now; a dry run reads the lock without taking it.`, {evidence: {lockHeldBy: holder}});
}
