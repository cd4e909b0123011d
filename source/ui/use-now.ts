import {useEffect, useRef, useState} from 'react';

/**
 * The current time for "updated 3s ago": taken whenever `changed` changes (a new poll renders
 * anyway), and by a timer every `everyMs` only while nothing else renders, so a live grid paints
 * once per poll, not twice.
 */
export function useNow(everyMs = 1000, changed?: unknown): number {
	const [tick, setTick] = useState(Date.now);
	const last = useRef({changed, at: Date.now()});
	if (last.current.changed !== changed) {
		last.current = {changed, at: Date.now()};
	}

	useEffect(() => {
		const timer = setInterval(() => {
			if (Date.now() - last.current.at >= everyMs * 1.5) {
				setTick(Date.now());
			}
		}, everyMs);
		return () => {
			clearInterval(timer);
		};
	}, [everyMs]);
	return Math.max(tick, last.current.at);
}
