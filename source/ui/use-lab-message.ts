import {useCallback, useEffect, useState} from 'react';
import {sentenceOf} from '../errors.js';

/** What the lab lets the operator do from the app. */
export type LabControls = {dir: string; socket: string; journal: string; toggle: (servers: readonly string[]) => Promise<string>};

/** How long a lab message stays in place of the lab banner. */
const labMessageMs = 8000;

/**
 * In `drainboard lab`: `s` stops or starts a demo server (those of a maintenance of several, as
 * one), and what happened shows for a few seconds.
 */
export function useLabMessage(lab: LabControls | undefined): {labMessage: string | null; toggleDemo: (servers: readonly string[], noRow?: string) => void} {
	const [labMessage, setLabMessage] = useState<string | null>(null);
	const toggleDemo = useCallback(
		(servers: readonly string[], noRow?: string) => {
			if (!lab) {
				return;
			}

			// The grid's cursor on a backend row, or no row shown at all: no demo server under it.
			if (servers.length === 0) {
				setLabMessage(noRow ? `LAB · s works on a server row, and ${noRow}` : 'LAB · s works on a server row: move the cursor onto one (↓ or j) first');
				return;
			}

			void lab.toggle(servers).then(setLabMessage, (error: unknown) => {
				setLabMessage(sentenceOf(error));
			});
		},
		[lab],
	);
	// A lab message says what just happened (and what HAProxy will see in the next seconds): once
	// that is past, the banner's key help comes back rather than a stale "about 2 s".
	useEffect(() => {
		if (labMessage === null) {
			return undefined;
		}

		const timer = setTimeout(() => {
			setLabMessage(null);
		}, labMessageMs);
		return () => {
			clearTimeout(timer);
		};
	}, [labMessage]);
	return {labMessage, toggleDemo};
}
