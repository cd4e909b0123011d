import {narrowText} from './narrow.js';
import {unicodeWidth, type Options} from './unicode-width.js';

/** SGR sequences in the exact form string-width's ANSI stripping removes whole. */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const colourCodes = /\u001B\[(?:\d{1,4}(?:;\d{0,4})*)?m/g;

/**
 * string-width, with the text drainboard draws answered at once. Ink measures every line of
 * every frame with string-width, whose path for any character beyond ASCII (a grapheme
 * segmenter and an emoji regular expression) was a measurable part of the first frame
 * (test/bench/README.md), for lines
 * made of `●`, `·` and `…`. Bundled in its place (build.mjs, `textAliases`); any other
 * text goes to string-width's own algorithm (unicode-width.ts).
 */
export default function stringWidth(text: string, options?: Options): number {
	if (typeof text === 'string' && options?.countAnsiEscapeCodes !== true && options?.ambiguousIsNarrow !== false) {
		// Only colour codes (chalk's `ESC[…m`) are taken out here; any other escape is left in the
		// text, which then fails the test below and goes to the full algorithm, which knows them all.
		const plain = text.includes('\u001B') ? text.replace(colourCodes, '') : text;
		if (narrowText.test(plain)) {
			return plain.length;
		}
	}

	return unicodeWidth(text, options);
}
