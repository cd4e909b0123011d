/** `14:02:11` in local time. */
export function clockTime(ms: number): string {
	const date = new Date(ms);
	return [date.getHours(), date.getMinutes(), date.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
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
