import {useCallback, useSyncExternalStore} from 'react';
import type {RunbookState} from '../../runbook/state.js';
import type {RunbookStore} from '../../runbook/store.js';

/**
 * The maintenance's state from its store, rendered at most once per turn of the event loop:
 * actions a step sends a few promise hops apart (the prompt closed, then the step cancelled)
 * show as one frame, not a half-way one between them.
 */
export function useRunbookState(store: RunbookStore): RunbookState {
	const subscribe = useCallback(
		(onChange: () => void) => {
			let timer: ReturnType<typeof setImmediate> | undefined;
			const unsubscribe = store.subscribe(() => {
				timer ??= setImmediate(() => {
					timer = undefined;
					onChange();
				});
			});
			return () => {
				unsubscribe();
				clearImmediate(timer);
			};
		},
		[store],
	);
	return useSyncExternalStore(subscribe, store.getState);
}
