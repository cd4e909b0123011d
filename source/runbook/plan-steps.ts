import {CheckFailedError} from '../errors.js';
import {drainSet} from '../model/server-condition.js';
import {formatTarget} from '../runtime/names.js';
import {ChangeRefusedError, othersDrain} from './change-guards.js';
import {comeBackCommand} from './come-back.js';
import {journaledMaintenance, type RunbookContext} from './context.js';
import {endedByOther, takenOverText} from './drain-mark.js';
import {lostDrainWarnings} from './lost-drain.js';
import {readTarget} from './read-target.js';
import type {ResumePoint} from './resume.js';
import {stepIds, stepIndex, type StepId} from './steps.js';

/** What a headless run (or a maintenance of several servers) does: drain leaves the target drained, restore brings it back. */
export type MaintenanceKind = 'drain' | 'restore';

/**
 * The steps a drain or restore runs for one server, from the journal's resume point and what
 * HAProxy shows: `done` when there is nothing to do, `lost` when restore finds the drain gone.
 */
export type Plan = {steps: StepId[]; resume?: ResumePoint; done?: string; drained?: boolean; lost?: string[]; takenOver?: string};

export async function planSteps(kind: MaintenanceKind, context: RunbookContext, resume: ResumePoint | undefined): Promise<Plan> {
	const through = (from: StepId, to: StepId) => stepIds.slice(stepIndex(from), stepIndex(to) + 1);
	if (kind === 'drain') {
		if (!resume?.drained) {
			// A dry run stops at the drain it does not send: confirm proves a drain that was made.
			return {steps: through('validate', context.options.dryRun ? 'drain' : 'confirm')};
		}

		if (stepIndex(resume.step) <= stepIndex('confirm')) {
			return {steps: through(resume.step, 'confirm'), resume};
		}

		// Confirmed once, but sessions are open on it now (the drain was undone and set again since, or
		// sticky clients came back): "drained and confirmed" would be a claim about an earlier read.
		const busy = (await readTarget(context)).find((view) => (view.server?.currentSessions ?? 0) > 0);
		if (busy?.server) {
			const sessions = busy.server.currentSessions;
			const on = context.clients.length > 1 ? ` at ${busy.socket}` : '';
			return {steps: ['confirm'], resume: {...resume, step: 'confirm', reason: `${resume.reason}; confirmed then, but HAProxy${on} shows ${sessions} session${sessions === 1 ? '' : 's'} open on it now, so confirm runs again`}};
		}

		return {steps: [], done: `${formatTarget(context.target)} is already drained and confirmed (${resume.reason}).`, drained: true};
	}

	if (resume?.drained) {
		// Another operator's maintenance is refused here, before maintain waits on its health (unless --take-over).
		await othersDrain(context, await readTarget(context));
		const at = stepIndex(resume.step) < stepIndex('maintain') ? 'maintain' : resume.step;
		return {steps: through(at, 'restore'), resume: {...resume, step: at}};
	}

	if (resume?.step === 'restore') {
		return {steps: ['restore'], resume};
	}

	const views = await readTarget(context);
	const record = journaledMaintenance(context);
	const lost = lostDrainWarnings(record, views, context.target);
	const stillDrained = views.some((view) => drainSet(view.server));
	if (lost.length > 0 && stillDrained) {
		throw new CheckFailedError(`${formatTarget(context.target)} is drained on some instances but not on the others (${lost.join(' ')}); restore sends nothing. Run "${comeBackCommand(context.commandFlags, context.target, context.journal.file)}" to see it instance by instance.`);
	}

	if (lost.length > 0) {
		// Another operator took this drain over and ended it (their restore, with its checks): said as such.
		const ended = record?.drainSentAt ? endedByOther(await context.marks.latest(context.target).catch(() => null), context.journal.file, record.drainSentAt) : null;
		if (ended) {
			return {steps: [], lost, takenOver: `${formatTarget(context.target)} is not drained: ${takenOverText(ended)}. Nothing was sent. The journal closes this maintenance.`};
		}

		return {steps: [], lost};
	}

	const flags = views.flatMap((view) => view.server?.adminFlags ?? []);
	if (flags.includes('FMAINT') || flags.includes('RMAINT')) {
		// What HAProxy shows, not a usage mistake: exit 1, as drain's refusal of it.
		throw new ChangeRefusedError(`${formatTarget(context.target)} is in maintenance (${flags.join('+')}), not drained, so nothing was sent: drainboard restores drains only. Send "set server ${formatTarget(context.target)} state ready" yourself if that is meant.`, 'not-serving');
	}

	// Drained through some sockets only, by no open maintenance of this journal: not "not drained".
	const drainedOn = views.filter((view) => drainSet(view.server)).map((view) => view.socket);
	if (drainedOn.length > 0) {
		const label = formatTarget(context.target);
		const inRotation = views.map((view) => view.socket).filter((socket) => !drainedOn.includes(socket));
		throw new CheckFailedError(`${label} is drained on ${drainedOn.join(', ')} but not on ${inRotation.join(', ')}, by no open maintenance of this journal, so restore sends nothing: run "${comeBackCommand(context.commandFlags, context.target, context.journal.file)}" to drain it on every instance first, or restore it through ${drainedOn.join(' and ')} alone.`);
	}

	return {steps: [], done: `${formatTarget(context.target)} is not drained (admin flags: ${flags.join('+') || 'none'}); nothing to restore.`, drained: false};
}
