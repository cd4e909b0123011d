import {sentenceOf} from '../errors.js';
import type {RunbookContext} from './context.js';
import type {ResumePoint} from './resume.js';

/**
 * The operator's yes to taking over a drain another maintenance made (the wizard's --take-over):
 * this run may change it from now on, and the drain's mark names this maintenance's journal, so
 * its restore (here, or this maintenance opened again) is its own and the other one's is refused.
 * Returns one sentence when the mark could not be written; the take-over holds for this run then.
 */
export async function takeOverDrain(context: RunbookContext): Promise<string | null> {
	context.options.takeOver = true;
	const failed = await context.marks.write(context.target, context.journal.file).catch((error: unknown) => sentenceOf(error));
	return failed === null ? null : `${failed.replace(/\.$/, '')}; opened again later, its restore may ask for --take-over.`;
}

/**
 * A drain found made by no maintenance (by hand, Ansible, socat), taken up by this one (resumed at
 * confirm): from now on it is this maintenance's, and its mark names this journal as a drain
 * drainboard made would, so another journal's restore is refused without --take-over. Another
 * operator's drain ({@link ResumePoint.heldBy}) is taken over by {@link takeOverDrain} instead.
 * Returns one sentence when the mark could not be written.
 */
export async function markFoundDrain(context: RunbookContext, resume: ResumePoint | undefined): Promise<string | null> {
	if (!resume?.found || resume.heldBy !== undefined || context.options.dryRun) {
		return null;
	}

	const failed = await context.marks.write(context.target, context.journal.file).catch((error: unknown) => sentenceOf(error));
	return failed === null ? null : `${failed.replace(/\.$/, '')}; until it is, another journal's restore of it is not refused.`;
}

/**
 * What an operator (or the automation reading `warnings`) must know when a run meets a drain
 * set by hand or another tool, not by a drainboard maintenance: whoever set it may have a reason
 * of their own. A drain takes it up (its restore will put the server back); a restore ends it.
 * Null when the run found no such drain (or another maintenance's, which has its own warning).
 */
export function foundDrainWarning(kind: 'drain' | 'restore', label: string, resume: ResumePoint | undefined): string | null {
	if (!resume?.found || resume.heldBy !== undefined) {
		return null;
	}

	return kind === 'drain'
		? `${label} was drained already by someone or something else, not by a drainboard maintenance: this run takes that drain up, and its restore will put ${label} back into rotation; make sure whoever drained it agrees.`
		: `${label} was drained by someone or something else, not by a drainboard maintenance: this restore ends that drain; make sure whoever drained it is done with it.`;
}
