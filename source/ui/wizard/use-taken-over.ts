import {useEffect, useRef} from 'react';
import {endedByOther, endedByOwnJournal, isOwnMark, isUnreadable, markText, markTime, takenOverText, tookOverText, unreadableClaimText} from '../../runbook/drain-mark.js';
import type {PreparedMaintenance} from '../../runbook/prepare.js';
import type {RunbookState} from '../../runbook/state.js';
import {formatTarget} from '../../runtime/names.js';

type Context = PreparedMaintenance['context'];

/**
 * While a lost-drain alarm is up: whether a restore outside this wizard ended the drain (another
 * maintenance's take-over, or a run on this maintenance's own journal), by the drain marks. Then
 * this maintenance is over (`taken-over`), and `withdrawCommand` takes back a command waiting for
 * its y.
 */
export function useTakenOver(state: RunbookState, context: Context, withdrawCommand: (error: Error) => void): void {
	const {store} = context;
	// The latest callback, called when the marks say so: the watch is not restarted at each render.
	const withdrawRef = useRef(withdrawCommand);
	withdrawRef.current = withdrawCommand;
	// The drain is gone: another operator's restore (a take-over) says so in its mark, and then this
	// maintenance is over. Their mark is written right after HAProxy applied their ready, which a
	// poll may see first: read again every half second for a while after the alarm.
	const lost = state.alarms.find((alarm) => alarm.reapply);
	const lostId = lost ? `${lost.id}@${lost.at}` : null;
	useEffect(() => {
		if (lostId === null) {
			return;
		}

		let stopped = false;
		let timer: NodeJS.Timeout | undefined;
		const deadline = Date.now() + markWaitMs;
		const attempt = async () => {
			const ended = await endedElsewhere(context);
			const later = store.getState();
			if (stopped || later.finished || !later.alarms.some((alarm) => alarm.reapply)) {
				return;
			}

			if (!ended) {
				if (Date.now() < deadline) {
					timer = setTimeout(() => void attempt(), 500);
				}

				return;
			}

			// A command waiting for its y is not sent: the maintenance it belonged to is over.
			withdrawRef.current(new Error(ended.message));

			store.dispatch({type: 'taken-over', ...ended});
			if (ended.other) {
				// A restore run on this journal closed it there already.
				context.journal.appendGuarded({step: later.current, event: 'abandoned', detail: `the drain was taken over: ${ended.message}`});
			}
		};

		void attempt();
		return () => {
			stopped = true;
			clearTimeout(timer);
		};
	}, [lostId, context, store]);
}


/** How often, while this maintenance holds a drain, the drain marks are read for a take-over. */
const takeOverEveryMs = 3000;

/**
 * While this maintenance has the target drained: whether another maintenance took the drain over
 * (its wizard's "Take it over?", or `--take-over`), by the drain marks, read every few seconds.
 * Their restore may put the server back into rotation at any time, so the operator here is told
 * at once, as an alarm that stays, not once the server is back.
 */
export function useTakeOverWatch(state: RunbookState, context: Context): void {
	const {store} = context;
	const holding = state.drained && !state.finished && !state.alarms.some((alarm) => alarm.id === takeOverAlarm);
	useEffect(() => {
		if (!holding) {
			return;
		}

		let stopped = false;
		let timer: NodeJS.Timeout | undefined;
		const check = async () => {
			// Who claims the drain now: a mark that cannot be read claims it too, for a maintenance not known.
			const mark = await context.marks.read(context.target).catch(() => null);
			const now = store.getState();
			if (stopped || now.finished || !now.drained) {
				return;
			}

			const drainSetAt = now.facts.drainSetAt ?? now.facts.drainSentAt ?? now.startedAt;
			if (mark && !isOwnMark(mark, context.journal.file) && Date.parse(mark.since) > drainSetAt) {
				const label = formatTarget(context.target);
				const message = isUnreadable(mark)
					? `${unreadableClaimText(mark, label)}: whose maintenance is not known; this one's restore needs a take-over.`
					: `${tookOverText(mark, label)}: its restore, not this one, puts it back into rotation, at any time; agree with ${mark.user} before going on.`;
				store.dispatch({type: 'alarm-raised', alarm: {id: takeOverAlarm, kind: 'external-change', socket: context.clients[0]?.socket ?? '', message, at: Date.now()}});
				context.journal.appendGuarded({step: now.current, event: 'alarm', detail: `taken over by ${markText(mark)}`});
				return;
			}

			timer = setTimeout(() => void check(), takeOverEveryMs);
		};

		timer = setTimeout(() => void check(), takeOverEveryMs);
		return () => {
			stopped = true;
			clearTimeout(timer);
		};
	}, [holding, context, store]);
}

/** The alarm of a take-over: raised once, it stays (this maintenance no longer holds the drain). */
const takeOverAlarm = 'taken-over-by-another';

/** How long after a lost-drain alarm the drain marks are read for who ended it. */
const markWaitMs = 10_000;

/**
 * Why this maintenance is over when a restore outside this wizard ended its drain, by the newest
 * drain mark (written after this maintenance's last drain, by a `ready` drainboard applied):
 * another maintenance's (a take-over), or another run on this maintenance's own journal (the
 * restore command its refusal advises). Null when no mark says so.
 */
async function endedElsewhere(context: Context): Promise<{message: string; other: boolean} | null> {
	const {facts, startedAt} = context.store.getState();
	const drainSetAt = facts.drainSetAt ?? facts.drainSentAt ?? startedAt;
	const mark = await context.marks.latest(context.target).catch(() => null);
	const label = formatTarget(context.target);
	const ended = endedByOther(mark, context.journal.file, drainSetAt);
	if (ended) {
		return {message: `${label} is back in rotation: ${takenOverText(ended)}. This maintenance is over; the journal closes it.`, other: true};
	}

	const again = endedByOwnJournal(mark, context.journal.file, drainSetAt);
	if (again && facts.readySentAt === null) {
		return {message: `${label} is back in rotation: a restore run on this maintenance's journal put it back at ${markTime(again)}, with restore's checks. This maintenance is over.`, other: false};
	}

	return null;
}
