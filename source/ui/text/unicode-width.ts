/*
 * The width of any text, as string-width 8.3.0 measures it: its algorithm, copied, with one
 * change. string-width builds a grapheme segmenter and Unicode-property regular expressions
 * when it is imported; the first Intl object starts ICU and `\p{RGI_Emoji}` compiles a set of
 * emoji strings, a cost of every interactive start (test/bench/README.md), for text the
 * grid never shows (its own text is measured by the fast path in string-width.ts). Here each is
 * built at its first use. test/unit/string-width.test.ts holds the result to string-width's own.
 *
 * string-width: MIT License, Copyright (c) Sindre Sorhus <sindresorhus@gmail.com>
 * (https://sindresorhus.com). Permission is hereby granted, free of charge, to any person
 * obtaining a copy of this software and associated documentation files (the "Software"), to deal
 * in the Software without restriction, including without limitation the rights to use, copy,
 * modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
 * permit persons to whom the Software is furnished to do so, subject to the following
 * conditions: The above copyright notice and this permission notice shall be included in all
 * copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT
 * WARRANTY OF ANY KIND.
 */
import {eastAsianWidth, type Options as EastAsianWidthOptions} from 'get-east-asian-width';
import stripAnsi from 'strip-ansi';

export type Options = {ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean};

type Tables = {
	segmenter: Intl.Segmenter;
	/** A visible (printing) character: finds the base of a cluster, or that it has none. */
	visibleCharacter: RegExp;
	spacingMark: RegExp;
	rgiEmoji: RegExp;
	extendedPictographic: RegExp;
};

let built: Tables | undefined;

function tables(): Tables {
	built ??= {
		segmenter: new Intl.Segmenter(),
		// Built from strings: the `v` flag is newer than the ES2022 that TypeScript checks against.
		visibleCharacter: new RegExp(String.raw`[^\p{Default_Ignorable_Code_Point}\p{Control}\p{Format}\p{Nonspacing_Mark}\p{Enclosing_Mark}\p{Surrogate}]`, 'v'),
		spacingMark: new RegExp(String.raw`\p{Spacing_Mark}`, 'v'),
		rgiEmoji: new RegExp(String.raw`^\p{RGI_Emoji}$`, 'v'),
		extendedPictographic: /\p{Extended_Pictographic}/gu,
	};
	return built;
}

const unqualifiedKeycap = /^[\d#*]\u20E3$/;

/** Minimally-qualified or unqualified emoji sequences (no VS16), still drawn two columns wide. */
function isDoubleWidthNonRgiEmojiSequence(segment: string): boolean {
	if (segment.length > 50) {
		return false;
	}

	if (unqualifiedKeycap.test(segment)) {
		return true;
	}

	if (segment.includes('\u200D')) {
		const pictographics = segment.match(tables().extendedPictographic);
		return pictographics !== null && pictographics.length >= 2;
	}

	return false;
}

/** The cluster from its first visible character, or undefined when the whole cluster is zero-width. */
function baseVisible(segment: string): string | undefined {
	const index = segment.search(tables().visibleCharacter);
	return index === -1 ? undefined : segment.slice(index);
}

function isHangulLeadingJamo(codePoint: number | undefined): boolean {
	return codePoint !== undefined && ((codePoint >= 0x11_00 && codePoint <= 0x11_5f) || (codePoint >= 0xa9_60 && codePoint <= 0xa9_7c));
}

function isHangulVowelJamo(codePoint: number | undefined): boolean {
	return codePoint !== undefined && ((codePoint >= 0x11_60 && codePoint <= 0x11_a7) || (codePoint >= 0xd7_b0 && codePoint <= 0xd7_c6));
}

function isHangulTrailingJamo(codePoint: number | undefined): boolean {
	return codePoint !== undefined && ((codePoint >= 0x11_a8 && codePoint <= 0x11_ff) || (codePoint >= 0xd7_cb && codePoint <= 0xd7_fb));
}

function hangulClusterWidth(visibleSegment: string, options: EastAsianWidthOptions): number | undefined {
	const codePoints: number[] = [];
	for (const character of visibleSegment) {
		if (tables().visibleCharacter.test(character)) {
			codePoints.push(character.codePointAt(0)!);
		}
	}

	if (codePoints.length === 0) {
		return undefined;
	}

	let width = 0;
	for (let index = 0; index < codePoints.length; index++) {
		const codePoint = codePoints[index]!;
		if (!isHangulLeadingJamo(codePoint) && !isHangulVowelJamo(codePoint) && !isHangulTrailingJamo(codePoint)) {
			if (width === 0) {
				return undefined;
			}

			for (let remaining = index; remaining < codePoints.length; remaining++) {
				width += eastAsianWidth(codePoints[remaining]!, options);
			}

			return width;
		}

		// Modern Hangul L+V(+T) is one syllable block; unmatched jamo stay additive.
		if (isHangulLeadingJamo(codePoint) && isHangulVowelJamo(codePoints[index + 1])) {
			width += 2;
			index += isHangulTrailingJamo(codePoints[index + 2]) ? 2 : 1;
			continue;
		}

		width += eastAsianWidth(codePoint, options);
	}

	return width;
}

/** Trailing spacing marks and Halfwidth/Fullwidth Forms add their own width. */
function trailingWidth(visibleSegment: string, options: EastAsianWidthOptions): number {
	let extra = 0;
	let first = true;
	for (const character of visibleSegment) {
		if (first) {
			first = false;
			continue;
		}

		if (tables().spacingMark.test(character) || (character >= '\uFF00' && character <= '\uFFEF')) {
			extra += eastAsianWidth(character.codePointAt(0)!, options);
		}
	}

	return extra;
}

export function unicodeWidth(input: string, options: Options = {}): number {
	if (typeof input !== 'string' || input.length === 0) {
		return 0;
	}

	const {ambiguousIsNarrow = true, countAnsiEscapeCodes = false} = options;
	let text = input;
	if (!countAnsiEscapeCodes && (text.includes('\u001B') || text.includes('\u009B'))) {
		text = stripAnsi(text);
	}

	if (text.length === 0) {
		return 0;
	}

	if (/^[\u0020-\u007E]*$/.test(text)) {
		return text.length;
	}

	let width = 0;
	const widthOptions = {ambiguousAsWide: !ambiguousIsNarrow};
	const {segmenter, rgiEmoji} = tables();
	for (const {segment} of segmenter.segment(text)) {
		const visibleSegment = baseVisible(segment);
		if (visibleSegment === undefined) {
			continue;
		}

		if (rgiEmoji.test(segment) || isDoubleWidthNonRgiEmojiSequence(segment)) {
			width += 2;
			continue;
		}

		const hangulWidth = hangulClusterWidth(visibleSegment, widthOptions);
		if (hangulWidth !== undefined) {
			width += hangulWidth;
			continue;
		}

		width += eastAsianWidth(visibleSegment.codePointAt(0)!, widthOptions);
		width += trailingWidth(visibleSegment, widthOptions);
	}

	return width;
}
