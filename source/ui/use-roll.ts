import {useCallback, useRef, useState} from 'react';
import type {ProxyName} from '../runtime/names.js';
import {rollServers, type RollLog} from '../runbook/roll-record.js';
import {journalTime} from '../time-format.js';
import {afterServer, currentServer, startRoll, type RollPlan} from './roll-plan.js';

/** How a server of the roll ended: its maintenance ended (restored and proven), was left before its drain, or was skipped. */
type ServerEnd = 'done' | 'left' | 'skipped';

type RollControls = {
	/** The roll under way; null when none. */
	roll: RollPlan | null;
	/** What the roll screen says above its choice: where a roll taken up stood, or a journal that could not be written. */
	note: string | null;
	/** Starts the roll of `backend`, or takes up the one the journal holds open (its servers done are passed over). */
	/** `names`: the backend's servers; `asked`: those of --servers (none: the open roll's, else all). */
	begin: (backend: ProxyName, names: readonly string[], asked?: readonly string[]) => void;
	/** The operator starts the current server's maintenance: the roll is journaled from its first start, and the server's begin (its maintenance is then the roll's). */
	starting: () => void;
	/** The current server's maintenance ended, was left before its drain, or was skipped. */
	ended: (how: ServerEnd) => void;
	/** The operator stopped the roll (or left it after its last server). */
	stop: () => void;
};

/**
 * The wizard's roll: its plan, and its place in the journal (`roll-started` or `roll-resumed`,
 * `roll-server-done`, `roll-stopped`, `roll-finished`), the same events the headless `roll`
 * writes and reads, so either takes up a roll the other left.
 */
export function useRoll(log: RollLog | undefined): RollControls {
	const [roll, setRoll] = useState<RollPlan | null>(null);
	const [note, setNote] = useState<string | null>(null);
	// A roll opened and left before any server was started leaves nothing in the journal.
	const opening = useRef<{backend: ProxyName; event: 'roll-started' | 'roll-resumed'; servers: string} | null>(null);
	const written = useRef(false);

	const begin = useCallback(
		(backend: ProxyName, names: readonly string[], asked: readonly string[] = []) => {
			const open = log?.open(backend);
			const servers = rollServers(open, names, asked);
			const done = open ? open.done.filter((server) => servers.includes(server)) : [];
			opening.current = {backend, event: open ? 'roll-resumed' : 'roll-started', servers: servers.join(',')};
			written.current = false;
			const plan = startRoll(backend, servers, done);
			setRoll(plan);
			const taken = open
				? `Taking up the roll of ${backend} that ${open.startedBy} started at ${journalTime(open.startedAt)}: ${done.length > 0 ? `${done.join(', ')} done then, not touched again` : 'no server was done'}.`
				: null;
			setNote(taken);
		},
		[log],
	);

	const starting = useCallback(() => {
		const first = opening.current;
		if (first && !written.current) {
			written.current = true;
			const problem = log?.append(first.backend, first.event, first.servers) ?? null;
			if (problem) {
				setNote(problem);
			}
		}

		const server = roll ? currentServer(roll) : undefined;
		if (roll && server !== undefined) {
			const problem = log?.beginServer(roll.backend, server) ?? null;
			if (problem) {
				setNote(problem);
			}
		}
	}, [log, roll]);

	const ended = useCallback(
		(how: ServerEnd) => {
			if (!roll) {
				return;
			}

			const server = currentServer(roll);
			const next = afterServer(roll, how);
			let problem = how === 'done' && server !== undefined ? (log?.append(roll.backend, 'roll-server-done', server) ?? null) : null;
			if (server !== undefined && currentServer(next) === undefined && written.current) {
				problem ??= log?.append(roll.backend, 'roll-finished', roll.servers.join(',')) ?? null;
			}

			setRoll(next);
			setNote(problem);
		},
		[roll, log],
	);

	const stop = useCallback(() => {
		const server = roll ? currentServer(roll) : undefined;
		if (roll && server !== undefined && written.current) {
			log?.append(roll.backend, 'roll-stopped', `${server}: the operator stopped the roll before it`);
		}

		setRoll(null);
		setNote(null);
	}, [roll, log]);

	return {roll, note, begin, starting, ended, stop};
}
