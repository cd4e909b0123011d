import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import fullStringWidth from 'string-width';
import stringWidth, {narrowText} from '../../source/ui/string-width.js';

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
