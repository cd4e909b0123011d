import {runbookReducer, type RunbookAction, type RunbookState} from './state.js';

/**
 * The one owner of a maintenance's state: {@link runbookReducer} applied at once on each
 * action (a second Enter reads the step as running, with no render in between), and every
 * listener told. The wizard renders it (`useSyncExternalStore`), headless reads it, the checks
 * read their facts from it.
 */
export type RunbookStore = {
	getState(): RunbookState;
	dispatch(action: RunbookAction): void;
	subscribe(listener: () => void): () => void;
};

export function createRunbookStore(initial: RunbookState): RunbookStore {
	let state = initial;
	const listeners = new Set<() => void>();
	return {
		getState: () => state,
		dispatch(action) {
			const next = runbookReducer(state, action);
			if (next === state) {
				return;
			}

			state = next;
			for (const listener of [...listeners]) {
				listener();
			}
		},
		subscribe(listener) {
			listeners.add(listener);
			return () => {
				listeners.delete(listener);
			};
		},
	};
}
