import * as real from '@alcalzone/ansi-tokenize';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {styledCharsFromTokens, styledCharsToString, tokenize} from '../../source/ui/text/ansi-tokenize.js';

/** Pieces of the lines Ink cuts into cells: drainboard's own text, colours, and everything else. */
const piece = fc.oneof(
	fc.constantFrom('●', '◐', '○', '✗', '✓', '▸', '·', '…', '—', '⠋', '⚠', '→', '↑↓', 'app01', ' ', 'UP', '127.0.0.1:8080'),
	fc.constantFrom('\u001B[31m', '\u001B[32m', '\u001B[39m', '\u001B[1m', '\u001B[2m', '\u001B[22m', '\u001B[7m', '\u001B[27m', '\u001B[0m', '\u001B[m', '\u001B[49m', '\u001B[41m'),
	// Compound, 256-colour and true-colour codes, links, and broken escapes: left to the package.
	fc.constantFrom('\u001B[1;31m', '\u001B[38;5;208m', '\u001B[38;2;1;2;3m', '\u001B]8;;http://x\u0007', '\u001B]8;;\u0007', '\u001B', '\u001B[', '\u001B[3', '\u009B31m', '\u001B[12x'),
	// What would join a narrow character's grapheme, or be wide.
	fc.constantFrom('e\u0301', '\u0301', '\u200D', '\uFE0F', '古', '👍', '🇫🇷', '\r\n', '\t', 'ｶﾞ'),
	fc.string({maxLength: 3}),
	fc.string({unit: 'grapheme', maxLength: 2}),
);
const line = fc.array(piece, {maxLength: 10}).map((pieces) => pieces.join(''));
const endChar = fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({min: 0, max: 12}));

describe('the cell functions bundled in place of @alcalzone/ansi-tokenize', () => {
	it('cut any line into the tokens the package gives, up to any length', () => {
		fc.assert(
			fc.property(line, endChar, (text, end) => {
				expect(tokenize(text, end)).toEqual(real.tokenize(text, end));
			}),
			{numRuns: 3000},
		);
	});

	it('give the package\'s cells and the package\'s text of a row of them', () => {
		fc.assert(
			fc.property(fc.array(line, {minLength: 1, maxLength: 4}), fc.integer({min: 0, max: 6}), (lines, blanks) => {
				const cells = lines.map((text) => styledCharsFromTokens(tokenize(text)));
				const realCells = lines.map((text) => real.styledCharsFromTokens(real.tokenize(text)));
				expect(cells).toEqual(realCells);
				// A row as Ink's Output builds it: lines written side by side, blank cells between.
				const blank = () => Array.from({length: blanks}, () => ({type: 'char' as const, value: ' ', fullWidth: false, styles: []}));
				const row = cells.flatMap((line) => [...line, ...blank()]);
				const realRow = realCells.flatMap((line) => [...line, ...blank()]);
				expect(styledCharsToString(row)).toBe(real.styledCharsToString(realRow));
			}),
			{numRuns: 2000},
		);
	});

	it('share one style list across a run of cells, and give the line back', () => {
		const text = '\u001B[32m●\u001B[39m app01 \u001B[2m·\u001B[22m UP …';
		const tokens = tokenize(text);
		expect(tokens.filter((token) => token.type === 'char').map((token) => (token.type === 'char' ? token.value : '')).join('')).toBe('● app01 · UP …');
		const cells = styledCharsFromTokens(tokens);
		// One style list per run of cells, not a copy per cell: the whole point of the fast path.
		expect(cells[1]!.styles).toBe(cells[2]!.styles);
		expect(styledCharsToString(cells)).toBe(text);
	});
});
