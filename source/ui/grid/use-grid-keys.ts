import type {Key} from 'ink';
import {useRef, type Dispatch} from 'react';
import {splitKeys} from '../key-chunks.js';
import {useKeys} from '../keys.js';
import {isServerKey} from './grid-rows.js';
import {gridReducer, type GridAction, type GridState} from './grid-state.js';

type Handlers = {
	onQuit: () => void;
	/** Enter on a server row (after the reducer marked it selected). */
	onSelect?: (key: string) => void;
	/** Enter on a backend row, with its key. */
	onBackend?: (key: string) => void;
	/** A typed character the grid does not use, with the row key under the cursor at that moment. */
	onExtraKey?: (char: string, cursorKey: string | null) => void;
	/** Any key the grid acted on (cursor, filter, help): the operator has moved on from the last message. */
	onAction?: () => void;
	/** A key pressed while the help is shown: true when it scrolled the help (then it does nothing else). */
	scrollHelp?: (input: string, key: Partial<Key>) => boolean;
	active?: boolean;
};

const charActions: Record<string, GridAction> = {
	k: {type: 'cursor-moved', by: -1},
	j: {type: 'cursor-moved', by: 1},
	g: {type: 'cursor-jumped', to: 'first'},
	G: {type: 'cursor-jumped', to: 'last'},
	'/': {type: 'filter-started'},
	'?': {type: 'help-toggled'},
};

/** What one keypress does to the grid, given its state; 'quit' and 'select' go to the handlers. */
function gridActionFor(state: GridState, input: string, key: Partial<Key>): GridAction | 'quit' | undefined {
	if (key.upArrow || key.downArrow) {
		return {type: 'cursor-moved', by: key.upArrow ? -1 : 1};
	}

	if (key.pageUp || key.pageDown) {
		return {type: 'page-moved', by: key.pageUp ? -1 : 1};
	}

	if (key.home || key.end) {
		return {type: 'cursor-jumped', to: key.home ? 'first' : 'last'};
	}

	if (state.filterEditing) {
		if (key.escape) {
			return {type: 'filter-cleared'};
		}

		if (key.return) {
			return {type: 'filter-applied'};
		}

		if (key.backspace || key.delete) {
			return {type: 'filter-erased'};
		}

		return input && !key.ctrl && !key.meta && !key.tab ? {type: 'filter-typed', text: input} : undefined;
	}

	if (key.escape) {
		if (state.help) {
			return {type: 'help-toggled'};
		}

		if (state.selected) {
			return {type: 'selection-closed'};
		}

		return state.filter ? {type: 'filter-cleared'} : undefined;
	}

	if (key.return) {
		return isServerKey(state.cursorKey) ? {type: 'server-selected'} : undefined;
	}

	if (key.ctrl || key.meta) {
		return undefined;
	}

	return input === 'q' ? 'quit' : charActions[input];
}

/**
 * Turns keys into grid actions; only listens where raw mode is supported. Keys are handled one
 * by one, each seeing the state the previous one left: a fast typist, a paste or a slow SSH
 * link delivers several in one chunk.
 */
export function useGridKeys(state: GridState, dispatch: Dispatch<GridAction>, handlers: Handlers): void {
	// Keys can arrive faster than frames: carry the state they produced to the next key.
	const latest = useRef(state);
	const rendered = useRef(state);
	if (rendered.current !== state) {
		rendered.current = state;
		latest.current = state;
	}

	useKeys(
		(input, key) => {
			let current = latest.current;
			for (const press of splitKeys(input, key)) {
				if (current.help && !current.filterEditing && handlers.scrollHelp?.(press.input, press.key)) {
					handlers.onAction?.();
					continue;
				}

				const action = gridActionFor(current, press.input, press.key);
				if (action === 'quit') {
					handlers.onQuit();
					return;
				}

				if (!action) {
					if (press.key.return && !current.filterEditing && !current.help && current.cursorKey?.startsWith('b:')) {
						handlers.onBackend?.(current.cursorKey);
						return;
					}

					if (press.input.length === 1 && !current.filterEditing && !press.key.ctrl && !press.key.meta) {
						handlers.onExtraKey?.(press.input, current.cursorKey);
					}

					continue;
				}

				handlers.onAction?.();
				dispatch(action);
				current = gridReducer(current, action);
				latest.current = current;
				if (action.type === 'server-selected' && current.selected) {
					handlers.onSelect?.(current.selected);
				}
			}
		},
		{active: handlers.active ?? true},
	);
}
