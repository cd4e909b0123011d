/** `14:02:11` in local time. */
export function clockTime(ms: number): string {
	const date = new Date(ms);
	return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
}

/**
 * The seconds between two times as their clock times ({@link clockTime}) show them: 21:46:52.9 and
 * 21:47:10.1 are 18 s apart on the screen, not the 17 whole seconds between them.
 */
export function shownSecondsApart(fromMs: number, toMs: number): number {
	return Math.floor(toMs / 1000) - Math.floor(fromMs / 1000);
}

/** A short duration: `42s`, `3m12s`, `2h05m`, `3d04h`. */
export function shortDuration(seconds: number): string {
	const s = Math.max(0, Math.floor(seconds));
	if (s < 60) {
		return `${s}s`;
	}

	if (s < 3600) {
		return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
	}

	if (s < 86_400) {
		return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
	}

	return `${Math.floor(s / 86_400)}d${String(Math.floor((s % 86_400) / 3600)).padStart(2, '0')}h`;
}

/** An ISO time from the journal as `2026-11-25 14:02:11 UTC`. */
export function journalTime(iso: string): string {
	return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : iso;
}

/**
 * When a journal time (ISO) was, in local time as the screen's clocks are: `22:20:08` on the day
 * `now` is, else `2026-12-04 22:20`; the text as it is when it is no time.
 */
export function sinceTime(iso: string, now: number): string {
	const ms = Date.parse(iso);
	if (!/^\d{4}-\d\d-\d\dT/.test(iso) || Number.isNaN(ms)) {
		return iso;
	}

	const date = new Date(ms);
	const today = new Date(now);
	if (date.getFullYear() === today.getFullYear() && date.getMonth() === today.getMonth() && date.getDate() === today.getDate()) {
		return clockTime(ms);
	}

	const day = [date.getFullYear(), date.getMonth() + 1, date.getDate()].map((part) => String(part).padStart(2, '0')).join('-');
	return `${day} ${clockTime(ms).slice(0, 5)}`;
}
