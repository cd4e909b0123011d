import {useCallback, useEffect, useRef, useState} from 'react';
import type {Instance} from '../model/types.js';
import type {PollView} from '../poll/pool-poller.js';
import type {SetRunner} from '../runbook/maintenance-set.js';
import type {OpenDrain} from '../runbook/resume.js';
import {parseTarget} from '../runtime/names.js';
import {drainedInView, inMaintenanceInView, inRotationInView, lostDrainBanner, resumeBanner, underWayBanner} from './open-drains.js';
import type {ScreenNav} from './screen-nav.js';

/** How often the grid reads the journal again for its banner. */
const journalReadMs = 5000;
/** How long before the grid tries again to journal a lost drain it could not. */
const retryMs = 5000;

type Options = {
	/** The maintenances the journal holds open after their drain; `polled`, the instances the grid's poll read. */
	openDrains?: (polled?: readonly Instance[]) => OpenDrain[];
	/** A maintenance of several servers by its pattern, to take it up again as one. */
	prepareSet?: (label: string) => Promise<SetRunner>;
	/** Whether a maintenance can be opened at all (the app was given a way to prepare one). */
	canPrepare: boolean;
	/** Journals that the grid saw an open maintenance's server in rotation (its drain gone). */
	drainLost?: (drain: OpenDrain, polled?: readonly Instance[]) => Promise<{done: boolean; problem: string | null}>;
};

/**
 * The grid's banner for servers HAProxy shows drained by a maintenance the journal holds open, and
 * `r`: the first of them taken up again (a server's wizard, or the whole maintenance of several).
 * With none, the banner names a maintenance the journal holds open whose server HAProxy shows in
 * rotation or in maintenance (its drain is gone); `r` opens that server's wizard then, which says so.
 */
export function useResumeBanner(nav: ScreenNav, view: PollView, {openDrains, prepareSet, canPrepare, drainLost}: Options): {banner: string | null; resumeFirst: () => void} {
	const {say, open} = nav;
	const onGrid = nav.screen.kind === 'grid';
	// Read when the grid opens, and again every few seconds while it shows: other drainboards open,
	// close and lose maintenances meanwhile. The screen is painted again only when what it says changes.
	// The journal is matched to the instances as the last poll read them (their `show info`), read
	// through a ref so that a poll does not restart the timer.
	const polled = useRef<readonly Instance[] | undefined>(undefined);
	polled.current = view.pool?.instances.map((snapshot) => snapshot.instance);
	const read = useCallback(() => (onGrid && canPrepare ? (openDrains?.(polled.current) ?? []) : []), [onGrid, canPrepare, openDrains]);
	const [drains, setDrains] = useState<OpenDrain[]>(read);
	useEffect(() => {
		const update = () => {
			const next = read();
			setDrains((previous) => (JSON.stringify(previous) === JSON.stringify(next) ? previous : next));
		};

		update();
		if (!onGrid) {
			return undefined;
		}

		const timer = setInterval(update, journalReadMs);
		return () => {
			clearInterval(timer);
		};
	}, [read, onGrid]);
	// A maintenance another drainboard still runs is not this grid's to take up: said, with no r.
	const resumable = drains.filter((drain) => drain.underWay === undefined && drainedInView(view, drain.target));
	const busy = drains.filter((drain) => drain.underWay !== undefined && drainedInView(view, drain.target));
	const [first] = resumable;
	// Its drain gone: in rotation, or in maintenance (state maint cleared it) before any drainboard journaled that.
	const lost = drains.filter((drain) => inRotationInView(view, drain.target) || inMaintenanceInView(view, drain.target));
	const [firstLost] = lost;
	// Seen in rotation on a fresh poll of every instance: journaled once, so that a drain made later
	// (by hand, say) is not taken up as that maintenance's, whose confirm it never passed.
	const fresh = view.health.length > 0 && view.health.every((instance) => instance.ok);
	// One another drainboard runs now is that one's to watch (and journal).
	const seenLost = fresh ? lost.filter((drain) => !drain.lostSeen && drain.underWay === undefined && inRotationInView(view, drain.target)) : [];
	const seenKeys = seenLost.map((drain) => `${drain.target} ${drain.startedAt}`).join('\n');
	// Per drain: when it was last tried and could not be journaled (an unwritable journal), or Infinity once done or under way.
	const tried = useRef(new Map<string, number>());
	const said = useRef(new Set<string>());
	useEffect(() => {
		for (const drain of seenLost) {
			const key = `${drain.target} ${drain.startedAt}`;
			const last = tried.current.get(key);
			if (last !== undefined && Date.now() - last < retryMs) {
				continue;
			}

			tried.current.set(key, Number.POSITIVE_INFINITY);
			void drainLost?.(drain, polled.current).then(({done, problem}) => {
				if (!done) {
					tried.current.set(key, Date.now());
				}

				if (problem && !said.current.has(key)) {
					said.current.add(key);
					say(problem);
				}
			});
		}
		// Each poll (cycles) tries again what could not be journaled, once every few seconds; the keys say which.
	}, [seenKeys, view.cycles, drainLost, say]);
	const resumeFirst = useCallback(() => {
		if (!first) {
			// A maintenance whose drain is gone: its server's wizard says so, and its next maintenance closes it.
			if (firstLost) {
				try {
					open({kind: 'preparing', target: parseTarget(firstLost.target)});
				} catch (error) {
					say(error);
				}
			}

			return;
		}

		if (first.set !== undefined && prepareSet) {
			// The servers the pattern names now, read from HAProxy: the maintenance of them all, as it was started.
			prepareSet(first.set).then(
				(runner) => {
					open({kind: 'set', runner});
				},
				(error: unknown) => {
					say(error);
				},
			);
			return;
		}

		try {
			open({kind: 'preparing', target: parseTarget(first.target), resumeNow: true});
		} catch (error) {
			say(error);
		}
	}, [first, firstLost, prepareSet, open, say]);
	return {banner: resumeBanner(resumable, Date.now()) ?? underWayBanner(busy) ?? lostDrainBanner(lost, Date.now(), (label) => inMaintenanceInView(view, label)), resumeFirst};
}
