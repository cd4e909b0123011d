// By path, not by name: the bundle's alias turns every `string-width` import into this file.
// string-width is a devDependency of its own, so this path is where npm puts it.
import fullStringWidth, {type Options} from '../../node_modules/string-width/index.js';

/**
 * Characters one column wide whatever the terminal: printable ASCII and the symbols drainboard's
 * screens use (dots, arrows, ticks, lines, the spinner's braille). A unit test holds each one to
 * string-width's own answer.
 */
export const narrowText = /^[\u0020-\u007E\u00B5\u00B7\u00D7\u2013\u2014\u2026\u203A\u2190-\u2193\u2260\u2500\u2502\u2550\u2580-\u258F\u25A0\u25B6\u25B8\u25CB\u25CF\u25D0\u26A0\u2713\u2717\u2800-\u28FF]*$/;

/** SGR sequences in the exact form string-width's ANSI stripping removes whole. */
// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const colourCodes = /\u001B\[(?:\d{1,4}(?:;\d{0,4})*)?m/g;

/**
 * string-width, with the text drainboard draws answered at once. Ink measures every line of
 * every frame with string-width, whose path for any character beyond ASCII (a grapheme
 * segmenter and an emoji regular expression, compiled on first use) took about 40 ms of the
 * first frame, for lines made of `●`, `·` and `…`. Bundled in its place (see package.json's
 * build); any other text goes to string-width itself.
 */
export default function stringWidth(text: string, options?: Options): number {
	if (typeof text === 'string' && options?.countAnsiEscapeCodes !== true && options?.ambiguousIsNarrow !== false) {
		// Only colour codes (chalk's `ESC[…m`) are taken out here; any other escape is left in the
		// text, which then fails the test below and goes to string-width, which knows them all.
		const plain = text.includes('\u001B') ? text.replace(colourCodes, '') : text;
		if (narrowText.test(plain)) {
			return plain.length;
		}
	}

	return fullStringWidth(text, options);
}
