import type {RunbookContext, RunbookIo} from '../../runbook/context.js';
import {seenSettled} from '../../runbook/state.js';
import {changesSettled, changeWaitMs} from '../../runbook/state-change.js';
import {targetStale, targetState, targetStateSentence} from '../../runbook/target-state.js';

/** Longest wait, on q, for a read made after the wizard's last step (a poll is a round trip). */
const settleWaitMs = 2000;

/**
 * Asks before quitting while the last read shows the target drained (or, after this maintenance
 * drained it, while HAProxy's answer is missing); resolves true when the app may end. The quit
 * is journaled when the maintenance is left with its target drained or its drain undone.
 */
export async function askToQuit({context, io, comeBack, closeOpen}: {context: RunbookContext; io: RunbookIo; comeBack: string | null; closeOpen: () => void}): Promise<boolean> {
	const {store} = context;
	// A drain on its way lands whether or not the app is still there to say so: its answer first.
	// One turn first, so that a yes read with this q (one chunk of keys) has started its change.
	await new Promise((resolve) => {
		setImmediate(resolve);
	});
	await changesSettled(changeWaitMs);
	// Right after a step the view may predate it: wait (briefly) for a read made since.
	for (const started = Date.now(); !seenSettled(store.getState()) && Date.now() - started < settleWaitMs; ) {
		await new Promise((resolve) => {
			setTimeout(resolve, 50);
		});
	}

	const latest = store.getState();
	// A finished maintenance owns nothing: a drain HAProxy shows now is a later maintenance's, whose owner answers for it.
	if (latest.finished && comeBack !== null) {
		return true;
	}

	const {seen} = latest;
	const read = targetState(seen);
	const drained = read === 'drained' || read === 'partly-drained';
	const unknown = read === 'unknown' || targetStale(seen) || !seenSettled(latest);
	const sentence = targetStateSentence(context.target, seen);
	if (!drained && !(unknown && latest.drained)) {
		if (latest.drained && !latest.finished) {
			context.journal.appendGuarded({step: latest.current, event: 'quit', detail: `quit after the drain was undone outside this wizard: ${sentence}`});
			// Its drain mark would name this maintenance for a later drain made by hand: it ended.
			await context.marks.end(context.target, context.journal.file, 'seen').catch(() => undefined);
		}

		return true;
	}

	closeOpen();
	// The command to resume (with every flag) is printed once the terminal is given back; the lab's HAProxy ends with it.
	const question = comeBack
		? {question: `${capitalized(sentence)}. Quit anyway? ${drained ? 'It stays drained' : 'It may still be drained'}; the command to resume is printed on the way out.`, yes: drained ? 'quit, leave it drained' : 'quit'}
		: {question: `${capitalized(sentence)}. End the lab anyway? Its HAProxy stops with it.`, yes: 'end the lab'};
	const yes = await io.ask({kind: 'question', id: 'quit', ...question, no: 'stay'});
	if (yes) {
		context.journal.appendGuarded({step: store.getState().current, event: 'quit', detail: `quit: ${sentence}`});
	}

	return yes;
}

/** A state sentence as the start of a question: `the state of …` gets its capital; a name stays as it is. */
function capitalized(sentence: string): string {
	return sentence.startsWith('the ') ? `The ${sentence.slice(4)}` : sentence;
}
