import {describe, expect, it} from 'vitest';
import {withLine} from '../../source/ui/wizard/use-set-maintenance.js';

describe('the log of a maintenance of several servers', () => {
	it('keeps one live line per server: the next line of that server replaces it', () => {
		let lines: string[] = [];
		lines = withLine(lines, 'webapps/app01 ✓ confirm · Drain holds: 3 s');
		lines = withLine(lines, 'webapps/app01 … maintain · app01: DOWN (0 s of 300 s)');
		lines = withLine(lines, 'webapps/app01 … maintain · app01: DOWN (1 s of 300 s)');
		expect(lines).toEqual(['webapps/app01 ✓ confirm · Drain holds: 3 s', 'webapps/app01 … maintain · app01: DOWN (1 s of 300 s)']);
		lines = withLine(lines, 'webapps/app01 ✓ maintain · Target healthy again');
		expect(lines).toEqual(['webapps/app01 ✓ confirm · Drain holds: 3 s', 'webapps/app01 ✓ maintain · Target healthy again']);
	});

	it("leaves another server's live line and every finished check in place", () => {
		let lines = withLine([], 'api/app01 … maintain · app01: DOWN (2 s of 300 s)');
		lines = withLine(lines, 'cache/c1 … maintain · c1: UP (0 s of 300 s)');
		lines = withLine(lines, 'cache/c1 ✓ maintain · Target healthy again');
		expect(lines).toEqual(['api/app01 … maintain · app01: DOWN (2 s of 300 s)', 'cache/c1 ✓ maintain · Target healthy again']);
	});

	it('keeps the rows of servers watched at once: each live line is replaced where it is, one per server', () => {
		let lines = withLine([], 'webapps/app01 ✓ confirm · Drain holds: 3 s');
		for (const second of [0, 1, 2]) {
			for (const server of ['webapps/app01', 'api/app01', 'cache/c1']) {
				lines = withLine(lines, `${server} … maintain · DOWN (${second} s of 300 s)`);
			}
		}

		expect(lines).toEqual(['webapps/app01 ✓ confirm · Drain holds: 3 s', 'webapps/app01 … maintain · DOWN (2 s of 300 s)', 'api/app01 … maintain · DOWN (2 s of 300 s)', 'cache/c1 … maintain · DOWN (2 s of 300 s)']);
		// A server's result takes the place of its live line at the end; the others stay where they are.
		lines = withLine(lines, 'api/app01 ✓ maintain · Target healthy again');
		lines = withLine(lines, 'webapps/app01 … maintain · UP (3 s of 300 s)');
		expect(lines).toEqual(['webapps/app01 ✓ confirm · Drain holds: 3 s', 'webapps/app01 … maintain · UP (3 s of 300 s)', 'cache/c1 … maintain · DOWN (2 s of 300 s)', 'api/app01 ✓ maintain · Target healthy again']);
	});

	it('keeps the last 300 lines', () => {
		let lines: string[] = [];
		for (let index = 0; index < 310; index++) {
			lines = withLine(lines, `webapps/app01 ✓ check ${index}`);
		}

		expect(lines).toHaveLength(300);
		expect(lines[0]).toBe('webapps/app01 ✓ check 10');
	});
});
