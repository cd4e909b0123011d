import {Static} from 'ink';
import React, {createContext, useCallback, useContext, useRef, useState, type ReactNode} from 'react';

type Print = (node: ReactNode) => void;

const ScrollbackContext = createContext<Print | undefined>(undefined);

/**
 * What the app prints once into the terminal's scrollback (each finished step's evidence), above
 * the live screen. One Ink `<Static>` for the app's whole life, above every screen: Ink keeps the
 * Static it saw last and reads its layout at every frame, so a Static that unmounted with its
 * screen (a wizard left for the grid, or for the next server of a roll) was read after Yoga had
 * freed it, and its garbage height made Ink draw gigabytes of blank rows.
 */
export function ScrollbackProvider({children}: {children?: ReactNode}) {
	const [entries, setEntries] = useState<Array<{id: number; node: ReactNode}>>([]);
	const next = useRef(0);
	const print = useCallback<Print>((node) => {
		const id = next.current++;
		setEntries((list) => [...list, {id, node}]);
	}, []);
	return (
		<ScrollbackContext.Provider value={print}>
			<Static items={entries}>{(entry) => <React.Fragment key={entry.id}>{entry.node}</React.Fragment>}</Static>
			{children}
		</ScrollbackContext.Provider>
	);
}

/** The app's printer into the scrollback; undefined outside a {@link ScrollbackProvider} (a screen rendered on its own). */
export function usePrint(): Print | undefined {
	return useContext(ScrollbackContext);
}
