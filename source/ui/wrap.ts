/** Wraps text to `width` columns at spaces; words longer than a line are cut. */
export function wrap(text: string, width: number): string[] {
	const limit = Math.max(8, width);
	const lines: string[] = [];
	for (const paragraph of text.split('\n')) {
		let line = '';
		for (const word of paragraph.split(' ')) {
			let rest = word;
			while (rest.length > limit) {
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
