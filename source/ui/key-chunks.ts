import type {Key} from 'ink';

/** One keypress: the typed text and Ink's key flags. */
type Keypress = {input: string; key: Partial<Key>};

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
			return {input: '', key: {return: true}};
		}

		if (char === '\u007F' || char === '\b') {
			return {input: '', key: {backspace: true}};
		}

		return {input: char, key: {}};
	});
}
