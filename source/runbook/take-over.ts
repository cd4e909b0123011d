import {sentenceOf} from '../errors.js';
import type {RunbookContext} from './context.js';

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
