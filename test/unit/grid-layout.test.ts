import {describe, expect, it} from 'vitest';
import {columnsWidth, gridLayout, tableWidth, titleText} from '../../source/ui/grid/grid-layout.js';

describe('the grid\'s columns', () => {
	it('at 80 columns: no requests, change time or check detail; the name takes what is left', () => {
		const layout = gridLayout(80);
		expect([layout.requests, layout.changed, layout.description]).toEqual([0, 0, 0]);
		expect(titleText(layout).length).toBeLessThanOrEqual(79);
	});

	it('fits the name column to the longest name, within its bounds, and gives a very wide terminal\'s rest to the check detail', () => {
		const short = gridLayout(170, 5);
		expect(short.name).toBe(8);
		const long = gridLayout(170, 60);
		expect(long.name).toBe(40);
		// The detail column grows by what the name column gave up, up to 52.
		expect(short.description).toBeGreaterThan(long.description);
		expect(short.description).toBe(52);
		for (const layout of [short, long, gridLayout(200, 12), gridLayout(120, 12)]) {
			expect(titleText(layout).length).toBeLessThanOrEqual(layout.width - 1);
		}
	});

	it('ends the table where its columns end on a 200-column terminal, not at the far edge', () => {
		const layout = gridLayout(200, 5);
		expect(layout.description).toBe(52);
		expect(columnsWidth(layout)).toBe(titleText(layout).trimEnd().length + 52 - 'CHECK DETAIL'.length);
		expect(tableWidth(layout)).toBe(columnsWidth(layout) + 1);
		expect(tableWidth(layout)).toBeLessThan(170);
		// At 80 columns the name column takes what is left: the table is the terminal's width.
		expect(tableWidth(gridLayout(80))).toBe(80);
	});
});
