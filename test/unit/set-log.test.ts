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

	it('keeps the last 300 lines', () => {
		let lines: string[] = [];
		for (let index = 0; index < 310; index++) {
			lines = withLine(lines, `webapps/app01 ✓ check ${index}`);
		}

		expect(lines).toHaveLength(300);
		expect(lines[0]).toBe('webapps/app01 ✓ check 10');
	});
});
