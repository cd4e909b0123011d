import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import fullStringWidth from 'string-width';
import {isNarrow, narrowText} from '../../source/ui/text/narrow.js';
import stringWidth from '../../source/ui/text/string-width.js';
import {unicodeWidth} from '../../source/ui/text/unicode-width.js';

describe('the string width bundled in place of string-width', () => {
	it('counts one column only for characters string-width itself counts as one', () => {
		const narrow: string[] = [];
		for (let code = 0; code <= 0xff_ff; code++) {
			const character = String.fromCharCode(code);
			if (narrowText.test(character)) {
				narrow.push(character);
			}
		}

		expect(narrow).toEqual(expect.arrayContaining(['a', '●', '◐', '▸', '·', '…', '✓', '✗', '⚠', '─', '⠋']));
		expect(narrow.filter((character) => fullStringWidth(character) !== 1)).toEqual([]);
		// The table the cell splitter reads says the same as the expression.
		const tabled = Array.from({length: 0x1_00_00}, (_, code) => String.fromCharCode(code)).filter((character) => isNarrow(character.charCodeAt(0)));
		expect(tabled).toEqual(narrow);
	});

	it('measures any text as string-width does once it leaves the fast path', () => {
		const piece = fc.oneof(
			fc.string({unit: 'grapheme', maxLength: 4}),
			fc.string({unit: 'binary', maxLength: 4}),
			// Hangul jamo runs, keycaps, ZWJ emoji, halfwidth forms, marks: each rule of the algorithm.
			fc.constantFrom('\u1100\u1161', '\u1100\u1161\u11A8', '\u1100\u1100\u1161', '\uD7B0', '1\u20E3', '#\uFE0F\u20E3', '👨\u200D👩\u200D👧', '❤\u200D🔥', 'ｶﾞ', 'ｰ', 'क्षि', '\u0301', '\u200B', '🇫🇷', '\u001B[31m'),
		);
		fc.assert(
			fc.property(fc.array(piece, {maxLength: 8}), fc.boolean(), fc.boolean(), (pieces, ambiguousIsNarrow, countAnsiEscapeCodes) => {
				const text = pieces.join('');
				expect(unicodeWidth(text, {ambiguousIsNarrow, countAnsiEscapeCodes})).toBe(fullStringWidth(text, {ambiguousIsNarrow, countAnsiEscapeCodes}));
			}),
			{numRuns: 2000},
		);
	});

	it('gives string-width\'s answer for any mix of screen symbols, colours and other text', () => {
		const piece = fc.oneof(
			fc.constantFrom('●', '◐', '○', '✗', '✓', '▸', '·', '…', '—', '⠋', '⚠', '→', 'app01', ' ', '古', '👍', 'e\u0301', '\u001B[31m', '\u001B[39m', '\u001B[1m', '\u001B[22m', '\u001B]8;;http://x\u0007', '\t'),
			fc.string({maxLength: 4}),
			fc.string({unit: 'grapheme', maxLength: 3}),
			// Broken and unusual escape sequences: both must strip them alike.
			fc.string({unit: fc.constantFrom('\u001B', '\u009B', '[', ']', '(', '1', '3', '8', ';', 'm', 'K', '\u0007', '\\', '●', 'a'), maxLength: 8}),
		);
		fc.assert(
			fc.property(fc.array(piece, {maxLength: 12}), (pieces) => {
				const text = pieces.join('');
				expect(stringWidth(text)).toBe(fullStringWidth(text));
				expect(stringWidth(text, {ambiguousIsNarrow: false})).toBe(fullStringWidth(text, {ambiguousIsNarrow: false}));
				expect(stringWidth(text, {countAnsiEscapeCodes: true})).toBe(fullStringWidth(text, {countAnsiEscapeCodes: true}));
			}),
			{numRuns: 2000},
		);
	});
});
