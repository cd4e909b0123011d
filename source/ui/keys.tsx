import {useInput, useStdin, type Key} from 'ink';
import {keypressesOf} from './key-chunks.js';
import React, {createContext, useContext, useLayoutEffect, useRef, type ReactNode} from 'react';
import {unstable_NormalPriority as normalPriority, unstable_scheduleCallback as scheduleCallback} from 'scheduler';

/** What a screen does with a keypress. */
type KeyHandler = (input: string, key: Key) => void;

const KeysContext = createContext<{current: KeyHandler | undefined} | undefined>(undefined);

/**
 * The app's one keyboard listener. It holds raw mode for the app's whole life (between screens
 * the terminal would fall back to line mode, echo keys and turn Enter into "\n") and hands each
 * key to the screen that registered last with {@link useKeys}. Ctrl-C is no screen's: it goes to
 * `onInterrupt` (the app's exit owner), wherever the operator is.
 */
export function KeysProvider({children, onInterrupt}: {children: ReactNode; onInterrupt: () => void}) {
	const {isRawModeSupported} = useStdin();
	const handler = useRef<KeyHandler | undefined>(undefined);
	// Keys that arrived together (a slow link, Esc glued to the next key) wait their turn: each is
	// handed over after the screen rendered what the one before did (Esc closing a question, then q
	// reaching the screen without it), as if typed one at a time. What a key changes reaches the
	// screen two ways: a state update, rendered in a task of React's scheduler queued from a
	// microtask; and the maintenance's store, whose listener waits for the next setImmediate
	// (use-runbook-state.ts) and then renders at once. So the next key waits for a setImmediate
	// queued after the store's, then for a scheduler task queued after React's (the scheduler runs
	// tasks of one priority in order). A timer or setImmediate alone could run first when the
	// scheduler was idle, and hand the key to the screen as it was.
	const waiting = useRef<Array<{input: string; key: Key}>>([]);
	const handing = useRef(false);
	const handOne = useRef(() => {
		const press = waiting.current.shift();
		if (!press) {
			handing.current = false;
			return;
		}

		handler.current?.(press.input, press.key);
		if (waiting.current.length > 0) {
			setImmediate(() => {
				scheduleCallback(normalPriority, () => {
					handOne.current();
				});
			});
		} else {
			handing.current = false;
		}
	});
	useInput(
		(input, key) => {
			if (key.ctrl && input === 'c') {
				onInterrupt();
				return;
			}

			waiting.current.push(...keypressesOf(input, key));
			if (!handing.current) {
				handing.current = true;
				handOne.current();
			}
		},
		{isActive: isRawModeSupported},
	);
	return <KeysContext.Provider value={handler}>{children}</KeysContext.Provider>;
}

/**
 * Sends keys to `handler` while `active`. Registered in a layout effect, which runs right after
 * the frame is written: a key pressed as soon as a screen appears reaches that screen.
 */
export function useKeys(handler: KeyHandler, {active = true}: {active?: boolean} = {}): void {
	const slot = useContext(KeysContext);
	const {isRawModeSupported} = useStdin();
	const latest = useRef(handler);
	latest.current = handler;
	// Outside a KeysProvider (a screen rendered on its own) listen directly.
	useInput(
		(input, key) => {
			latest.current(input, key);
		},
		{isActive: !slot && active && isRawModeSupported},
	);
	useLayoutEffect(() => {
		if (!slot || !active) {
			return;
		}

		const forward: KeyHandler = (input, key) => {
			latest.current(input, key);
		};

		slot.current = forward;
		return () => {
			if (slot.current === forward) {
				slot.current = undefined;
			}
		};
	}, [slot, active]);
}
