import {useCallback, useRef} from 'react';
import type {Server} from '../model/types.js';
import type {PollView} from '../poll/pool-poller.js';
import type {SetRunner} from '../runbook/maintenance-set.js';
import {proxyNameSchema, targetOf} from '../runtime/names.js';
import {machineChoices} from './machine-choices.js';
import type {MachinePick} from './machine-screen.js';
import type {ScreenNav} from './screen-nav.js';

/**
 * The grid's `m` on a server: the maintenances of several servers that include it (from HAProxy's
 * last poll), and what the machine screen's choice opens: that maintenance (its servers read from
 * HAProxy again, one opened at a time), the server's own, or the grid again.
 */
export function useMachineChoices(nav: ScreenNav, view: PollView, prepareSet: ((label: string) => Promise<SetRunner>) | undefined) {
	const {say, open, toGrid} = nav;
	const opening = useRef(false);

	const offerMachine = useCallback(
		(server: Server | undefined, noRow?: string) => {
			if (!prepareSet) {
				return;
			}

			if (!server) {
				say(noRow ? `m takes out a machine from one of its servers, and ${noRow}.` : 'm takes out a machine from one of its servers: move the cursor onto a server row (↓ or j), then press m.');
				return;
			}

			const choices = machineChoices(view.pool, server);
			if (choices.length === 0) {
				say(`${server.backend}/${server.server} shares its address and its name with no other server HAProxy shows: Enter starts its own maintenance.`);
				return;
			}

			open({kind: 'machine', server, choices});
		},
		[view.pool, prepareSet, say, open],
	);

	const pickMachine = useCallback(
		(server: Server, pick: MachinePick) => {
			if (pick.kind === 'back') {
				toGrid({backend: proxyNameSchema.safeParse(server.backend).data, server: server.server});
				return;
			}

			if (pick.kind === 'one') {
				try {
					open({kind: 'preparing', target: targetOf(server.backend, server.server)});
				} catch (error) {
					say(error);
				}

				return;
			}

			if (!prepareSet || opening.current) {
				return;
			}

			opening.current = true;
			say(`Reading from HAProxy the servers ${pick.label} names…`);
			prepareSet(pick.label).then(
				(runner) => {
					opening.current = false;
					open({kind: 'set', runner});
				},
				(error: unknown) => {
					opening.current = false;
					say(error);
				},
			);
		},
		[prepareSet, say, open, toGrid],
	);

	return {offerMachine, pickMachine};
}
