import {visible} from './visible-text.js';

/**
 * Wraps text to `width` columns at spaces; words longer than a line are cut, unless `keepWords`
 * (a path or a name stays whole on a line of its own, for text a person copies). Control
 * characters (a line break too) are written out first ({@link visible}): outside text never breaks a line.
 */
export function wrap(text: string, width: number, {keepWords = false}: {keepWords?: boolean} = {}): string[] {
	const limit = Math.max(8, width);
	const lines: string[] = [];
	for (const paragraph of [visible(text)]) {
		let line = '';
		for (const word of paragraph.split(' ')) {
			let rest = word;
			while (!keepWords && rest.length > limit) {
				if (line) {
					lines.push(line);
					line = '';
				}

				lines.push(rest.slice(0, limit));
				rest = rest.slice(limit);
			}

			if (line === '') {
				line = rest;
			} else if (line.length + 1 + rest.length <= limit) {
				line += ` ${rest}`;
			} else {
				lines.push(line);
				line = rest;
			}
		}

		lines.push(line);
	}

	return lines;
}
