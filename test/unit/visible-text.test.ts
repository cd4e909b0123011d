import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {terminalLine, terminalSafeJson, visible} from '../../source/visible-text.js';

/** Every code point a terminal obeys rather than shows, listed out (not the sanitizer's own pattern). */
const range = (from: number, to: number) => Array.from({length: to - from + 1}, (_, index) => from + index);
const controls = [
	...range(0x00, 0x1f),
	...range(0x7f, 0x9f),
	// Soft hyphen, the Arabic letter mark, zero widths and bidi marks, line and paragraph separators,
	// bidi embeddings and overrides, invisible operators and isolates, the zero-width no-break space.
	0xad,
	0x06_1c,
	...range(0x20_0b, 0x20_0f),
	...range(0x20_28, 0x20_2e),
	...range(0x20_60, 0x20_69),
	0xfe_ff,
];
const isControl = (text: string) => [...text].some((character) => controls.includes(character.codePointAt(0)!));

const anyText = fc.oneof(
	fc.string({unit: 'binary', maxLength: 200}),
	fc.string({unit: fc.constantFrom(...controls.map((code) => String.fromCodePoint(code)), 'a', '\\', 'x', '[', ']', '0', ';', 'é', '界'), maxLength: 200}),
);
const printableText = fc.string({unit: 'binary', maxLength: 200}).filter((text) => !isControl(text));

describe('visible: outside text as it may reach a terminal', () => {
	it('never contains a control character, whatever it is given', () => {
		fc.assert(
			fc.property(anyText, (text) => !isControl(visible(text))),
			{numRuns: 2000},
		);
	});

	it('is the identity on printable text', () => {
		fc.assert(
			fc.property(printableText, (text) => visible(text) === text),
			{numRuns: 2000},
		);
	});

	it('writes each control character as its code and keeps everything else, in order; twice is once', () => {
		const written = (character: string) => {
			const code = character.codePointAt(0)!;
			return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
		};

		fc.assert(
			fc.property(anyText, (text) => {
				const once = visible(text);
				const expected = [...text].map((character) => (isControl(character) ? written(character) : character)).join('');
				return once === expected && visible(once) === once;
			}),
			{numRuns: 1000},
		);
	});

	it('writes the hostile reply out as text: a title change, a screen clear, blinking red, C1 and bidi', () => {
		expect(visible('\u001B]0;PWNED\u0007\u001B[2J\u001B[5;31mx')).toBe('\\x1b]0;PWNED\\x07\\x1b[2J\\x1b[5;31mx');
		expect(visible('a\u009B2Jb\u007F\tc\r\nd')).toBe('a\\x9b2Jb\\x7f\\x09c\\x0d\\x0ad');
		expect(visible('user\u202Egnp.exe')).toBe('user\\u202egnp.exe');
		expect(visible('webapps/app01 · ✓ 界')).toBe('webapps/app01 · ✓ 界');
	});

	it('makes one line of a message, ended by a newline', () => {
		expect(terminalLine('one\ntwo')).toBe('one\\x0atwo\n');
	});
});

describe('terminalSafeJson: --json stays exact', () => {
	it('parses back to the same value, and holds no character a terminal obeys', () => {
		fc.assert(
			fc.property(fc.array(fc.tuple(anyText, anyText)), (pairs) => {
				const value = {servers: pairs.map(([server, checkDescription]) => ({server, checkDescription}))};
				const json = terminalSafeJson(JSON.stringify(value));
				expect(JSON.parse(json)).toEqual(value);
				return !isControl(json);
			}),
			{numRuns: 500},
		);
	});
});
