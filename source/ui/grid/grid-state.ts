import {isServerKey, type RowIndex} from './grid-rows.js';

/** The grid's interaction state: cursor, scroll, filter, overlays. Rendering is elsewhere. */
export type GridState = {
	/** Key of the row under the cursor (survives polls that add or remove rows). */
	cursorKey: string | null;
	cursor: number;
	/** First row shown. */
	offset: number;
	/** Rows that fit on screen. */
	pageSize: number;
	/** The rows the cursor moves over (their count, the key of one, where a key is). */
	rows: RowIndex;
	filter: string;
	filterEditing: boolean;
	help: boolean;
	/** The server chosen with Enter (key), shown in the detail panel or the wizard. */
	selected: string | null;
};

export type GridAction =
	| {type: 'rows-changed'; rows: RowIndex}
	| {type: 'page-resized'; size: number}
	| {type: 'cursor-moved'; by: number}
	| {type: 'page-moved'; by: 1 | -1}
	| {type: 'cursor-jumped'; to: 'first' | 'last'}
	| {type: 'cursor-placed'; key: string}
	| {type: 'filter-started'}
	| {type: 'filter-typed'; text: string}
	| {type: 'filter-erased'}
	| {type: 'filter-applied'}
	| {type: 'filter-cleared'}
	| {type: 'help-toggled'}
	| {type: 'server-selected'}
	| {type: 'selection-closed'};

const noRows: RowIndex = {length: 0, keyAt: () => null, indexOf: () => -1};

export function initialGridState(options: {pageSize: number; cursorKey?: string; selected?: string}): GridState {
	return {
		cursorKey: options.cursorKey ?? null,
		cursor: 0,
		offset: 0,
		pageSize: Math.max(1, options.pageSize),
		rows: noRows,
		filter: '',
		filterEditing: false,
		help: false,
		selected: options.selected ?? null,
	};
}

/** Puts the cursor on `index` (clamped) and scrolls just enough to keep it visible. */
function place(state: GridState, index: number): GridState {
	const last = state.rows.length - 1;
	const cursor = Math.max(0, Math.min(index, last));
	let offset = Math.min(state.offset, Math.max(0, state.rows.length - state.pageSize));
	if (cursor < offset) {
		offset = cursor;
	} else if (cursor >= offset + state.pageSize) {
		offset = cursor - state.pageSize + 1;
	}

	return {...state, cursor, offset: Math.max(0, offset), cursorKey: state.rows.keyAt(cursor)};
}

export function gridReducer(state: GridState, action: GridAction): GridState {
	switch (action.type) {
		case 'rows-changed': {
			const next = {...state, rows: action.rows};
			const kept = state.cursorKey === null ? -1 : action.rows.indexOf(state.cursorKey);
			return place(next, kept === -1 ? state.cursor : kept);
		}

		case 'page-resized': {
			return place({...state, pageSize: Math.max(1, action.size)}, state.cursor);
		}

		case 'cursor-moved': {
			return place(state, state.cursor + action.by);
		}

		case 'page-moved': {
			const moved = place(state, state.cursor + action.by * state.pageSize);
			const offset = Math.max(0, Math.min(state.offset + action.by * state.pageSize, state.rows.length - state.pageSize));
			return place({...moved, offset}, moved.cursor);
		}

		case 'cursor-jumped': {
			return place(state, action.to === 'first' ? 0 : state.rows.length - 1);
		}

		case 'cursor-placed': {
			const index = state.rows.indexOf(action.key);
			return index === -1 ? {...state, cursorKey: action.key} : place(state, index);
		}

		case 'filter-started': {
			// `/` starts a new filter: the one kept before is replaced, not typed onto.
			return {...state, filter: '', filterEditing: true, help: false};
		}

		case 'filter-typed': {
			return {...state, filter: state.filter + action.text};
		}

		case 'filter-erased': {
			return {...state, filter: state.filter.slice(0, -1)};
		}

		case 'filter-applied': {
			return {...state, filterEditing: false};
		}

		case 'filter-cleared': {
			return {...state, filter: '', filterEditing: false};
		}

		case 'help-toggled': {
			return {...state, help: !state.help};
		}

		case 'server-selected': {
			return isServerKey(state.cursorKey) ? {...state, selected: state.cursorKey} : state;
		}

		case 'selection-closed': {
			return {...state, selected: null};
		}
	}
}
