import {useCallback} from 'react';
import type {Backend, Instance} from '../model/types.js';
import type {PollView} from '../poll/pool-poller.js';
import type {OpenDrain} from '../runbook/resume.js';
import type {RollLog} from '../runbook/roll-record.js';
import {proxyNameSchema, targetOf} from '../runtime/names.js';
import {currentServer, rollBlocked, type RollPlan} from './roll-plan.js';
import type {RollChoice} from './roll-screen.js';
import type {ScreenNav} from './screen-nav.js';
import {useRoll} from './use-roll.js';

/**
 * A roll in the app (Enter on a backend's row, or `drainboard roll <backend>`): its plan and place
 * in the journal (useRoll), and what the roll screen's choices and a backend row's Enter do to the
 * screens (`view`: HAProxy's last poll, which says whether the next server may leave; `openDrains`:
 * the maintenances the journal holds open, which say how a server blocking it is put back).
 */
export function useRollChoices(nav: ScreenNav, log: RollLog | undefined, openDrains?: (polled?: readonly Instance[]) => OpenDrain[]) {
	const {roll, note, begin, starting, ended, stop} = useRoll(log);
	const {say, open, toGrid} = nav;

	// Enter on a backend's row: its servers in configuration order.
	const startRollOf = useCallback(
		(backend: Backend) => {
			const parsed = proxyNameSchema.safeParse(backend.name);
			if (!parsed.success || backend.servers.length === 0) {
				say(parsed.success ? `${backend.name} has no server to roll.` : `The backend name ${backend.name} cannot be put in a command line, so it cannot be rolled here.`);
				return;
			}

			begin(
				parsed.data,
				backend.servers.map((server) => server.server),
			);
			open({kind: 'roll'});
		},
		[say, open, begin],
	);

	const choose = useCallback(
		(plan: RollPlan, choice: RollChoice, view: PollView) => {
			const server = currentServer(plan);
			if (choice === 'stop' || server === undefined) {
				stop();
				say(null);
				toGrid({backend: plan.backend, server: server ?? plan.servers.at(-1)});
			} else if (choice === 'skip') {
				say(null);
				ended('skipped');
			} else {
				// Never a second server of the roll out of rotation: read from HAProxy's last poll; the journal
				// says whether a maintenance holds its drain (taken up from the grid) or not (put back by whoever drained it).
				const instances = view.pool?.instances ?? [];
				const openTargets = new Set((openDrains?.(instances.map((instance) => instance.instance)) ?? []).map((drain) => drain.target));
				const blocked = rollBlocked(plan, instances.map((instance) => instance.backends.find((candidate) => candidate.name === plan.backend)), openTargets);
				if (blocked) {
					say(blocked);
					return;
				}

				try {
					const target = targetOf(plan.backend, server);
					starting();
					open({kind: 'preparing', target});
				} catch (error) {
					say(error);
					ended('skipped');
				}
			}
		},
		[say, open, toGrid, stop, ended, starting, openDrains],
	);

	return {roll, note, begin, ended, startRollOf, choose};
}
