import {useEffect, useState} from 'react';

/** Data younger than this reads as "live" rather than as an age in seconds. */
export const liveForMs = 3000;

/**
 * The time the screen shows. It moves every second while something on screen counts seconds
 * (`perSecond`: the wide grid's UP/DOWN column), or while the data is older than
 * {@link liveForMs}; otherwise only when new data renders anyway. An unchanged screen is then
 * not repainted at all.
 */
export function useNow(lastSuccessAt: () => number | null, {perSecond, everyMs = 1000}: {perSecond: boolean; everyMs?: number}): number {
	const [, setNow] = useState(Date.now);
	useEffect(() => {
		const timer = setInterval(() => {
			const current = Date.now();
			const last = lastSuccessAt();
			if (perSecond || last === null || current - last >= liveForMs) {
				setNow(current);
			}
		}, everyMs);
		return () => {
			clearInterval(timer);
		};
	}, [everyMs, lastSuccessAt, perSecond]);
	// The tick only makes the screen render; whatever makes it render, it shows the time of now.
	return Date.now();
}
