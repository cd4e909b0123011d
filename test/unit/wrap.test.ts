import {describe, expect, it} from 'vitest';
import {failed, passed} from '../../source/runbook/check-result.js';
import {checkLines, lastLines} from '../../source/ui/wizard/check-lines.js';
import {wrap} from '../../source/wrap.js';

describe('wrap', () => {
	it('breaks at spaces and cuts words longer than a line', () => {
		expect(wrap('the quick brown fox jumps', 10)).toEqual(['the quick', 'brown fox', 'jumps']);
		expect(wrap('/a/very/long/path/without/spaces here', 10)).toEqual(['/a/very/lo', 'ng/path/wi', 'thout/spac', 'es here']);
	});

	it('keeps a word longer than a line whole on its own line with keepWords (a path someone copies)', () => {
		expect(wrap('journal /a/very/long/path/without/spaces here', 10, {keepWords: true})).toEqual(['journal', '/a/very/long/path/without/spaces', 'here']);
		expect(wrap('esc \u001b[2J', 10, {keepWords: true})).toEqual(['esc', '\\x1b[2J']);
	});

	it('never lets outside text break a line or reach the terminal raw: control characters are written out', () => {
		expect(wrap('two\nlines', 20)).toEqual(['two\\x0alines']);
		expect(wrap('HAProxy answered "\u001b]0;PWNED\u0007\u001b[2J" to it', 16)).toEqual(['HAProxy answered', '"\\x1b]0;PWNED\\x0', '7\\x1b[2J" to it']);
	});
});

describe('checkLines', () => {
	it('keeps every line, indentation included, within the width', () => {
		const long = failed('x', 'Traffic returns', 'word '.repeat(60), {meaning: 'meaning '.repeat(20), todo: 'do '.repeat(30)});
		for (const width of [40, 79, 120]) {
			const lines = checkLines(long, width);
			expect(lines.length).toBeGreaterThan(3);
			for (const line of lines) {
				expect(line.text.length).toBeLessThanOrEqual(width);
			}
		}
	});

	it('shows meaning and what to do only for warnings and failures', () => {
		expect(checkLines(passed('x', 'T', 'ok', {meaning: 'm', todo: 't'}), 80)).toEqual([{text: '✓ T: ok', tone: 'pass'}]);
		expect(checkLines(failed('x', 'T', 'bad', {meaning: 'm', todo: 't'}), 80).map((line) => line.text)).toEqual(['✗ T: bad', '    Means: m', '    Do: t']);
	});

	it('keeps the last lines and says how many are hidden', () => {
		const lines = Array.from({length: 10}, (_, index) => ({text: `line ${index}`, tone: 'info' as const}));
		expect(lastLines(lines, 4).map((line) => line.text)).toEqual(['… 7 earlier lines in the step log above (scroll back)', 'line 7', 'line 8', 'line 9']);
		expect(lastLines(lines, 20)).toHaveLength(10);
	});

	it('starts what it keeps at a check\'s first line, never with the wrapped end of one', () => {
		const lines = [
			...checkLines(passed('a', 'Socket can change state', `Level admin; HAProxy 3.4.0, pid 100, started ${'2026-12-05 '.repeat(8)}22:20:59 UTC.`), 60),
			...checkLines(passed('b', 'Capacity left', '2 other active servers stay in rotation.'), 60),
			...checkLines(failed('c', 'Config', 'haproxy -c failed.', {meaning: 'm', todo: 't'}), 60),
		];
		expect(lines[2]?.text).toMatch(/^ {2}\S/);
		const kept = lastLines(lines, lines.length - 1);
		expect(kept.map((line) => line.text)).toEqual([`… 3 earlier lines in the step log above (scroll back)`, '✓ Capacity left: 2 other active servers stay in rotation.', '✗ Config: haproxy -c failed.', '    Means: m', '    Do: t']);
		// The same checks indented under "✓ validate passed:", as the wizard shows the step before: the same cut.
		const indented = lastLines(lines.map((line) => ({...line, text: `  ${line.text}`})), lines.length - 1);
		expect(indented.map((line) => line.text.trim())).toEqual(kept.map((line) => line.text.trim()));
		// One long check fills what is kept, a blank line after it: its end is shown, not a blank panel.
		const long = [...checkLines(passed('a', 'Not in maintenance', `${'long-name.'.repeat(40)} is not in maintenance.`), 60), {text: '', tone: 'info' as const}];
		const end = lastLines(long, 4);
		expect(end).toHaveLength(4);
		expect(end.at(-2)?.text).toMatch(/ in maintenance\.$/);
	});
});
