import {useEffect, type MutableRefObject} from 'react';
import {sentenceOf} from '../../errors.js';
import type {RunbookIo} from '../../runbook/context.js';
import {beginMaintenance, type PreparedMaintenance} from '../../runbook/prepare.js';
import {markFoundDrain, takeOverDrain} from '../../runbook/take-over.js';
import {formatTarget} from '../../runtime/names.js';

/**
 * A maintenance the journal holds open: asks whether to take it up (resume at its step, take
 * another's drain over, or start anew, or leave a drained target as it is and go back), once, when
 * the wizard opens; `resumeNow` when the grid's banner chose already.
 */
export function useResumeQuestion(prepared: PreparedMaintenance, io: RunbookIo, {resumeNow, leave: leaveRef}: {resumeNow: boolean; leave: MutableRefObject<(() => void) | undefined>}): void {
	const {context} = prepared;
	const {store} = context;
	const label = formatTarget(context.target);
	useEffect(() => {
		const {resume} = prepared;
		if (!resume) {
			return;
		}

		// Chosen already (the grid's banner): resumed without a second question.
		const answer = resumeNow
			? Promise.resolve(true)
			: io.ask({
					kind: 'question',
					id: 'resume',
					// Another maintenance's drain: going on means taking it over (its restore ends that one), asked as such.
					// A drain found made (by hand, another tool) is no maintenance to resume: going on takes it up as this journal's.
					question: resume.heldBy
						? `${label}: ${resume.reason}. Take it over? This maintenance then goes on at ${resume.step}, and its restore ends that one.`
						: resume.found
							? `${label}: ${resume.reason}. Take it up? A maintenance of this journal then goes on at ${resume.step} with it, and its restore puts the server back.`
							: `${label}: ${resume.reason}.${partOfSet(prepared, label)} Resume at ${resume.step}?`,
					yes: resume.heldBy ? `take it over, go on at ${resume.step}` : resume.found ? `take it up, go on at ${resume.step}` : `resume at ${resume.step}`,
					// A new maintenance cannot start on a drained target (baseline needs it serving).
					no: resume.drained && leaveRef.current ? 'not now: leave it drained, go back' : 'start a new maintenance at validate',
				});
		void answer
			.then(async (yes) => {
				if (yes) {
					store.dispatch({type: 'resumed', at: resume.step, drained: resume.drained, ran: resume.ran, time: context.clock.now()});
					beginMaintenance(context, resume);
					const unmarked = await markFoundDrain(context, resume);
					if (unmarked) {
						store.dispatch({type: 'problem-shown', problem: `! ${unmarked}`});
					}

					if (resume.heldBy) {
						// The operator's yes is the --take-over of the wizard: journaled, and the drain's mark names this maintenance's journal.
						context.journal.appendGuarded({step: resume.step, event: 'override', detail: `take-over: the operator took over the drain of ${resume.heldBy}`});
						const unmarked = await takeOverDrain(context);
						if (unmarked) {
							store.dispatch({type: 'problem-shown', problem: `! ${unmarked}`});
						}
					}
				} else if (resume.drained && leaveRef.current) {
					// Nothing is journaled: an open maintenance stays open, for the grid's banner to offer.
					leaveRef.current();
					return;
				} else {
					context.journal.append({step: null, event: 'abandoned', detail: 'the operator started a new maintenance instead of resuming'});
					store.dispatch({type: 'drain-changed', drained: resume.drained});
					beginMaintenance(context, undefined);
				}

				store.dispatch({type: 'maintenance-begun'});
			})
			.catch((error: unknown) => {
				store.dispatch({type: 'problem-shown', problem: sentenceOf(error)});
			});
	}, [context, io, label, prepared, store, resumeNow, leaveRef]);
}

/**
 * ` It was drained as one maintenance of @10.0.0.5 with static/app01: …`: resuming one server of a
 * maintenance of several puts back that one only; said before the operator answers, with the
 * command that resumes them all.
 */
function partOfSet({partOf}: PreparedMaintenance, label: string): string {
	if (!partOf) {
		return '';
	}

	const {set, left, resumeAll} = partOf;
	const one = left.length === 1;
	return ` It was drained as one maintenance of ${set} with ${left.join(', ')}: resuming here puts back ${label} only, and ${one ? 'that server stays' : 'those stay'} drained; "${resumeAll}" resumes all of them together.`;
}
