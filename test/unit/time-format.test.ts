import {describe, expect, it} from 'vitest';
import {clockTime, shortDuration, shownSecondsApart} from '../../source/time-format.js';

describe('times as the summary shows them', () => {
	it('gives the seconds between two clock times as they read, not the whole seconds between the instants', () => {
		const drain = new Date(2026, 11, 7, 21, 46, 52, 900).getTime();
		const ready = new Date(2026, 11, 7, 21, 47, 10, 100).getTime();
		expect([clockTime(drain), clockTime(ready)]).toEqual(['21:46:52', '21:47:10']);
		expect(shortDuration(shownSecondsApart(drain, ready))).toBe('18s');
		expect(shownSecondsApart(ready, ready + 800)).toBe(0);
		expect(shownSecondsApart(ready, ready + 900)).toBe(1);
		expect(shortDuration(shownSecondsApart(drain, drain + 3_600_000))).toBe('1h00m');
	});
});
