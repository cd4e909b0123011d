import {describe, expect, it} from 'vitest';
import {resumeBanner} from '../../source/ui/open-drains.js';
import {sinceTime} from '../../source/time-format.js';

// Local times, as the screen shows them: noon on the day of the run, and the evening before.
const now = new Date(2026, 11, 5, 12, 0, 0).getTime();
const thisMorning = new Date(2026, 11, 5, 9, 5, 7).toISOString();
const yesterday = new Date(2026, 11, 4, 22, 20, 8).toISOString();

describe('the grid\'s resume banner', () => {
	it('names the key, the server and that it is drained first, then whose maintenance and when: 80 columns hold it all for a maintenance of today', () => {
		const banner = resumeBanner([{target: 'webapps/app01', startedBy: 'root', startedAt: thisMorning}], now);
		expect(banner).toBe('⚠ r resumes webapps/app01: left drained by root\'s maintenance of 09:05:07');
		expect([...banner ?? ''].length).toBeLessThanOrEqual(79);
	});

	it('keeps "left drained" within 80 columns when a long user name and a long server name cut the end', () => {
		const banner = resumeBanner([{target: 'payments-eu-west/payments-app-17', startedBy: 'alexandra.konstantinopoulou', startedAt: yesterday}], now)!;
		expect([...banner].length).toBeGreaterThan(79);
		expect([...banner].slice(0, 79).join('')).toContain('payments-eu-west/payments-app-17: left drained by alexandra');
	});

	it('gives the day when the maintenance began before today', () => {
		expect(resumeBanner([{target: 'webapps/app01', startedBy: 'ana', startedAt: yesterday}], now)).toBe('⚠ r resumes webapps/app01: left drained by ana\'s maintenance of 2026-12-04 22:20');
	});

	it('takes up a maintenance of several by its pattern, naming its servers, and counts the other open ones', () => {
		const banner = resumeBanner(
			[
				{target: 'webapps/app02', startedBy: 'ana', startedAt: thisMorning, set: '*/app02'},
				{target: 'static/app02', startedBy: 'ana', startedAt: thisMorning, set: '*/app02'},
				{target: 'api/api1', startedBy: 'bob', startedAt: yesterday},
			],
			now,
		);
		expect(banner).toBe('⚠ r resumes */app02: webapps/app02, static/app02 left drained by ana\'s maintenance of 09:05:07 (and 1 more)');
	});

	it('shows nothing when no maintenance is open', () => {
		expect(resumeBanner([], now)).toBeNull();
	});

	it('keeps a time it cannot read as it is', () => {
		expect(sinceTime('yesterday', now)).toBe('yesterday');
	});
});
