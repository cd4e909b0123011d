// By path, not by name: the bundle's alias turns every `@alcalzone/ansi-tokenize` import into
// this file. The package is a devDependency of drainboard's own, so these paths are where npm puts it.
import {ansiCodesToString, getEndCode} from '../../../node_modules/@alcalzone/ansi-tokenize/build/ansiCodes.js';
import {diffAnsiCodes} from '../../../node_modules/@alcalzone/ansi-tokenize/build/diff.js';
import {reduceAnsiCodesIncremental} from '../../../node_modules/@alcalzone/ansi-tokenize/build/reduce.js';
import type {StyledChar} from '../../../node_modules/@alcalzone/ansi-tokenize/build/styledChars.js';
import {tokenize as fullTokenize, type AnsiCode, type Token} from '../../../node_modules/@alcalzone/ansi-tokenize/build/tokenize.js';
import {isNarrow} from './narrow.js';

/*
 * The three functions of @alcalzone/ansi-tokenize that Ink's Output uses to turn every line of
 * every frame into cells and back, bundled in their place (build.mjs, `textAliases`).
 * They give the package's answers (test/unit/ansi-tokenize.test.ts holds them to it) at a
 * fraction of its cost on drainboard's text: the package walks each line with a grapheme
 * segmenter, copies the style list into every cell, and diffs the styles of every two
 * neighbouring cells with new Sets (its cost, measured: test/bench/README.md).
 */

const escape = 0x1b;
const bracket = 0x5b;
const letterM = 0x6d;

/**
 * Where the colour code starting at `start` (`ESC[` digits `m`, one style) ends, or -1 for any
 * other escape, compound codes included: those are left to the package.
 */
function simpleColourEnd(text: string, start: number): number {
	if (text.charCodeAt(start + 1) !== bracket) {
		return -1;
	}

	for (let index = start + 2; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code === letterM) {
			return index;
		}

		if (code < 0x30 || code > 0x39) {
			return -1;
		}
	}

	return -1;
}

/**
 * The tokens of text made only of narrow characters and simple colour codes, where each
 * character is a grapheme of its own; undefined for any other text.
 */
function narrowTokens(text: string, endChar: number): Token[] | undefined {
	const tokens: Token[] = [];
	let visible = 0;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (code === escape) {
			const end = simpleColourEnd(text, index);
			if (end === -1) {
				return undefined;
			}

			const colour = text.slice(index, end + 1);
			tokens.push({type: 'ansi', code: colour, endCode: getEndCode(colour)});
			index = end;
			continue;
		}

		if (!isNarrow(code)) {
			return undefined;
		}

		tokens.push({type: 'char', value: text[index]!, fullWidth: false});
		visible++;
		if (visible >= endChar) {
			// A mark after the last character would have joined its grapheme: only a narrow
			// character or an escape (a control, a grapheme of its own) may follow here.
			const next = text.charCodeAt(index + 1);
			return index + 1 === text.length || next === escape || isNarrow(next) ? tokens : undefined;
		}
	}

	return tokens;
}

export function tokenize(text: string, endChar = Number.POSITIVE_INFINITY): Token[] {
	return narrowTokens(text, endChar) ?? fullTokenize(text, endChar);
}

/** The package's cells, except that the cells of one style run share one style list (nothing writes to it). */
export function styledCharsFromTokens(tokens: Token[]): StyledChar[] {
	let codes: AnsiCode[] = [];
	const chars: StyledChar[] = [];
	for (const token of tokens) {
		if (token.type === 'ansi') {
			// A new list each time: the lists already handed out stay as they are.
			codes = reduceAnsiCodesIncremental(codes, [token]);
		} else {
			chars.push({type: 'char', value: token.value, fullWidth: token.fullWidth, styles: codes});
		}
	}

	return chars;
}

/** The same codes, in the same order (the package's diff of two such lists is empty). */
function sameStyles(a: AnsiCode[], b: AnsiCode[]): boolean {
	if (a === b) {
		return true;
	}

	if (a.length !== b.length) {
		return false;
	}

	for (let index = 0; index < a.length; index++) {
		if (a[index] !== b[index]) {
			return false;
		}
	}

	return true;
}

/** The package's text of a row of cells, with styles diffed only where they change. */
export function styledCharsToString(chars: StyledChar[]): string {
	let text = '';
	for (let index = 0; index < chars.length; index++) {
		const char = chars[index]!;
		if (index === 0) {
			text += ansiCodesToString(char.styles);
		} else {
			const before = chars[index - 1]!.styles;
			if (!sameStyles(before, char.styles)) {
				text += ansiCodesToString(diffAnsiCodes(before, char.styles));
			}
		}

		text += char.value;
		if (index === chars.length - 1 && char.styles.length > 0) {
			text += ansiCodesToString(diffAnsiCodes(char.styles, []));
		}
	}

	return text;
}
