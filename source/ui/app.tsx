import {useApp} from 'ink';
import React, {useCallback, useEffect, useState} from 'react';
import {crashed} from '../crash.js';
import {CrashBoundary} from './crash-boundary.js';
import {ExitOwner, ExitOwnerContext, type Ending} from './exit-owner.js';
import {KeysProvider} from './keys.js';
import {Screens, type AppProps} from './screens.js';
import {ScrollbackProvider} from './scrollback.js';

export type {LabControls} from './use-lab-message.js';

/**
 * The interactive app: one keyboard listener around the screens. An error thrown while rendering
 * ends it with one sentence (the details in a crash file), never Ink's stack trace.
 */
export function App({owner: given, ...props}: AppProps) {
	const {exit} = useApp();
	const [owner] = useState(() => given ?? new ExitOwner());
	const [ending, setEnding] = useState<Ending | null>(null);
	useEffect(() => owner.attach(setEnding), [owner]);
	// The empty frame is written first (the screen is cleared), then Ink ends: here and only here.
	useEffect(() => {
		if (ending !== null) {
			exit(ending);
		}
	}, [ending, exit]);
	const onCrash = useCallback(
		(error: unknown, componentStack: string) => {
			owner.crash(crashed(error, {where: 'interactive app (render or effect)', componentStack}));
		},
		[owner],
	);
	// The scrollback's Static stays mounted to the end, even in the last, empty frame.
	return (
		<ScrollbackProvider>
			{ending === null ? (
				<ExitOwnerContext.Provider value={owner}>
					<CrashBoundary onCrash={onCrash}>
						<KeysProvider onInterrupt={() => owner.interrupt()}>
							<Screens {...props} />
						</KeysProvider>
					</CrashBoundary>
				</ExitOwnerContext.Provider>
			) : null}
		</ScrollbackProvider>
	);
}
