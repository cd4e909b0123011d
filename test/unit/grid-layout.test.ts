import {describe, expect, it} from 'vitest';
import {gridLayout, titleText} from '../../source/ui/grid/grid-layout.js';

describe('the grid\'s columns', () => {
	it('at 80 columns: no requests, change time or check detail; the name takes what is left', () => {
		const layout = gridLayout(80);
		expect([layout.requests, layout.changed, layout.description]).toEqual([0, 0, 0]);
		expect(titleText(layout).length).toBeLessThanOrEqual(79);
	});

	it('fits the name column to the longest name, within its bounds, and gives a very wide terminal\'s rest to the check detail', () => {
		const short = gridLayout(200, 5);
		expect(short.name).toBe(8);
		const long = gridLayout(200, 60);
		expect(long.name).toBe(40);
		// The detail column grows by what the name column gave up, up to 80.
		expect(short.description).toBeGreaterThan(long.description);
		expect(short.description).toBeLessThanOrEqual(80);
		for (const layout of [short, long, gridLayout(170, 12), gridLayout(120, 12)]) {
			expect(titleText(layout).length).toBeLessThanOrEqual(layout.width - 1);
		}
	});
});
