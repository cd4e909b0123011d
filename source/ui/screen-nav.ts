import {useCallback, useMemo, useState} from 'react';
import {sentenceOf} from '../errors.js';
import type {RuntimeClient} from '../poll/client.js';
import type {PreparedMaintenance} from '../runbook/prepare.js';
import type {SetRunner} from '../runbook/maintenance-set.js';
import type {ProxyName, Target} from '../runtime/names.js';
import type {Server} from '../model/types.js';
import {serverKey} from './grid/grid-rows.js';
import type {MachineChoice} from './machine-choices.js';

/** `resumeNow`: the operator chose to resume from the grid's banner; the wizard does not ask again. */
type Screen =
	| {kind: 'grid'}
	| {kind: 'preparing'; target: Target; resumeNow?: boolean}
	| {kind: 'wizard'; prepared: PreparedMaintenance; resumeNow?: boolean}
	| {kind: 'roll'}
	| {kind: 'set'; runner: SetRunner}
	| {kind: 'machine'; server: Server; choices: readonly MachineChoice[]};

/** Which screen shows, the one sentence above it, and where the grid's cursor and reads go when it opens. */
export type ScreenNav = {
	screen: Screen;
	/** The sentence the screen shows for what just went wrong (null: none). */
	problem: string | null;
	/** The backend the grid reads first (its filtered commands). */
	gridFocus: ProxyName | undefined;
	/** The row the grid's cursor starts on (`serverKey`). */
	gridCursor: string | undefined;
	/** Opens a screen other than the grid; the sentence of the last one goes. */
	open: (screen: Exclude<Screen, {kind: 'grid'}>) => void;
	/** Back to the grid, its cursor on `server` of `backend` (first instance) when given. */
	toGrid: (at?: {backend: ProxyName | undefined; server?: string}) => void;
	/** The sentence of an error (or a sentence) shown on the screen that stays. */
	say: (problem: unknown) => void;
	/** The backend the grid reads first, as the grid's cursor moves. */
	focusGrid: (backend: ProxyName | undefined) => void;
};

/** The screens' one owner of navigation: each change of screen goes through it. */
export function useScreenNav(clients: readonly RuntimeClient[], initial: Screen, at: {backend?: ProxyName; server?: string}): ScreenNav {
	const keyOf = useCallback((backend: ProxyName | undefined, server: string | undefined) => (backend !== undefined && server !== undefined && clients[0] ? serverKey(clients[0].socket, backend, server) : undefined), [clients]);
	const [screen, setScreen] = useState<Screen>(initial);
	const [problem, setProblem] = useState<string | null>(null);
	const [gridFocus, setGridFocus] = useState<ProxyName | undefined>(at.backend);
	const [gridCursor, setGridCursor] = useState<string | undefined>(() => keyOf(at.backend, at.server));
	const open = useCallback((next: Exclude<Screen, {kind: 'grid'}>) => {
		setProblem(null);
		setScreen(next);
	}, []);
	const toGrid = useCallback(
		(where?: {backend: ProxyName | undefined; server?: string}) => {
			if (where) {
				setGridFocus(where.backend);
				setGridCursor(keyOf(where.backend, where.server));
			}

			setScreen({kind: 'grid'});
		},
		[keyOf],
	);
	const say = useCallback((what: unknown) => {
		setProblem(what === null ? null : typeof what === 'string' ? what : sentenceOf(what));
	}, []);
	return useMemo(() => ({screen, problem, gridFocus, gridCursor, open, toGrid, say, focusGrid: setGridFocus}), [screen, problem, gridFocus, gridCursor, open, toGrid, say]);
}
