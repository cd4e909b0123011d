import type {Key} from 'ink';

/** One keypress: the typed text and Ink's key flags. */
type Keypress = {input: string; key: Key};

/** No key flag set: a plain character. */
const plain: Key = {
	upArrow: false,
	downArrow: false,
	leftArrow: false,
	rightArrow: false,
	pageDown: false,
	pageUp: false,
	home: false,
	end: false,
	return: false,
	escape: false,
	ctrl: false,
	shift: false,
	tab: false,
	backspace: false,
	delete: false,
	meta: false,
	super: false,
	hyper: false,
	capsLock: false,
	numLock: false,
};

/**
 * Splits what Ink delivers as one input into single keypresses. Over a slow link (SSH, tmux)
 * several keys arrive in one chunk, and Ink then reports `jj\r` as text without `return` set.
 * Special keys Ink recognised (arrows, Escape, …) come through as they are.
 */
export function splitKeys(input: string, key: Key): Keypress[] {
	const special = key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.pageUp || key.pageDown || key.home || key.end || key.escape || key.tab;
	if (special || key.ctrl || key.meta || input.length <= 1) {
		return [{input, key}];
	}

	return [...input].map((char) => {
		if (char === '\r' || char === '\n') {
			return {input: '', key: {...plain, return: true}};
		}

		if (char === '\u007F' || char === '\b') {
			return {input: '', key: {...plain, backspace: true}};
		}

		return {input: char, key: {...plain, shift: /[A-Z]/.test(char)}};
	});
}

/**
 * Esc then a letter (or Enter), typed quickly or sent in one packet over SSH, reaches Ink as one
 * Alt-key (`\x1by`, `\x1b\r`: meta set). drainboard uses no Alt keys, so it is taken for what the
 * operator typed: Esc, then the key. Anything else (Esc alone, arrows) comes through as it is.
 */
export function unglueEscape(input: string, key: Key): Keypress[] {
	if (!key.meta || key.escape || key.ctrl || !(key.return || /^[a-zA-Z0-9]$/.test(input))) {
		return [{input, key}];
	}

	return [
		{input: '', key: {...key, meta: false, return: false, escape: true, shift: false}},
		{input, key: {...key, meta: false}},
	];
}

/** Every keypress in what Ink delivered as one input: keys that came in one chunk, and Esc glued to the key after it. */
export function keypressesOf(input: string, key: Key): Keypress[] {
	return splitKeys(input, key).flatMap((press) => unglueEscape(press.input, press.key));
}
