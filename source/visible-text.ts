/**
 * Characters that act on a terminal instead of being shown, or are not seen at all: C0 controls
 * (ESC, BEL, TAB, CR, LF…), DEL, C1 controls (U+0080–U+009F, which some terminals obey as 8-bit
 * CSI or OSC), the bidirectional marks, overrides and isolates (U+061C, U+200E–U+200F,
 * U+202A–U+202E, U+2066–U+2069) that reorder the rest of a line, the line and paragraph
 * separators (U+2028, U+2029), and the invisible ones (soft hyphen U+00AD, zero widths
 * U+200B–U+200D, U+2060–U+2064, U+FEFF) that make two different texts look alike.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const terminalControl = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const everyTerminalControl = new RegExp(terminalControl.source, 'g');

function shown(character: string): string {
	const code = character.charCodeAt(0);
	return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text from outside (HAProxy, a config, the journal) as it may reach a terminal: every
 * {@link terminalControl} character written out as `\x1b` or `\u202e`, so it is seen, not
 * obeyed; printable text comes back unchanged. Line breaks are made visible too: one string is
 * one line. `--json` output does not go through this (JSON escaping keeps it exact).
 */
export function visible(text: string): string {
	return terminalControl.test(text) ? text.replace(everyTerminalControl, shown) : text;
}

/** One line for a plain-text stream (stderr messages, the status table): made {@link visible}, then a newline. */
export function terminalLine(text: string): string {
	return `${visible(text)}\n`;
}

const rawInJson = /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;
const everyRawInJson = new RegExp(rawInJson.source, 'g');

/**
 * JSON text as `JSON.stringify` made it, with the controls it leaves raw (DEL, C1, and the bidi,
 * separator and invisible characters of {@link terminalControl}) written as `\u` escapes too: the
 * same value once parsed, and nothing a terminal obeys when the JSON is read on one
 * (JSON.stringify escapes only U+0000–U+001F).
 */
export function terminalSafeJson(json: string): string {
	return rawInJson.test(json) ? json.replace(everyRawInJson, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}
