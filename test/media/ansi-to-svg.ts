/** A run of characters with one style, at a column of a screen line. */
export type Run = {column: number; text: string; fg: string; bg: string | null; bold: boolean; dim: boolean};

const palette: Record<number, string> = {
	30: '#3b4252',
	31: '#e06c75',
	32: '#98c379',
	33: '#e5c07b',
	34: '#61afef',
	35: '#c678dd',
	36: '#56b6c2',
	37: '#dcdfe4',
	90: '#7f848e',
	91: '#ff7b86',
	92: '#b5e890',
	93: '#ffd68a',
	94: '#82c4ff',
	95: '#e09cff',
	96: '#7fd4e0',
	97: '#ffffff',
};

export const defaultForeground = '#dcdfe4';
export const defaultBackground = '#1f232a';

/** Parses one line of `tmux capture-pane -e` output (SGR escapes only) into styled runs. */
export function parseAnsiLine(line: string, state = {fg: null as string | null, bg: null as string | null, bold: false, dim: false, inverse: false}): Run[] {
	const runs: Run[] = [];
	let column = 0;
	let text = '';
	const flush = () => {
		if (text === '') {
			return;
		}

		const fg = state.fg ?? defaultForeground;
		const bg = state.bg;
		runs.push({column: column - [...text].length, text, fg: state.inverse ? (bg ?? defaultBackground) : fg, bg: state.inverse ? fg : bg, bold: state.bold, dim: state.dim});
		text = '';
	};

	for (let index = 0; index < line.length; index++) {
		const match = /^\u001B\[([0-9;]*)m/.exec(line.slice(index));
		if (match) {
			flush();
			const codes = match[1] === '' ? [0] : match[1]!.split(';').map(Number);
			for (let at = 0; at < codes.length; at++) {
				const code = codes[at]!;
				if (code === 0) {
					Object.assign(state, {fg: null, bg: null, bold: false, dim: false, inverse: false});
				} else if (code === 1) {
					state.bold = true;
				} else if (code === 2) {
					state.dim = true;
				} else if (code === 7) {
					state.inverse = true;
				} else if (code === 22) {
					state.bold = false;
					state.dim = false;
				} else if (code === 27) {
					state.inverse = false;
				} else if (code === 39) {
					state.fg = null;
				} else if (code === 49) {
					state.bg = null;
				} else if (palette[code]) {
					state.fg = palette[code]!;
				} else if (code >= 40 && code <= 47) {
					state.bg = palette[code - 10]!;
				} else if ((code === 38 || code === 48) && codes[at + 1] === 5) {
					const color = palette[30 + ((codes[at + 2] ?? 7) % 8)]!;
					if (code === 38) {
						state.fg = color;
					} else {
						state.bg = color;
					}

					at += 2;
				}
			}

			index += match[0].length - 1;
			continue;
		}

		const char = line[index]!;
		if (char === '\u001B') {
			continue;
		}

		text += char;
		column++;
	}

	flush();
	return runs;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const cellWidth = 8.43;
export const lineHeight = 17;

/** The SVG elements (no <svg> wrapper) that draw a screen of `columns` x `rows`. */
export function screenElements(screen: string, rows: number): string {
	const state = {fg: null as string | null, bg: null as string | null, bold: false, dim: false, inverse: false};
	const parts: string[] = [];
	for (const [row, line] of screen.split('\n').slice(0, rows).entries()) {
		for (const run of parseAnsiLine(line, state)) {
			const x = (12 + run.column * cellWidth).toFixed(2);
			const y = 12 + row * lineHeight;
			if (run.bg) {
				parts.push(`<rect x="${x}" y="${y}" width="${([...run.text].length * cellWidth).toFixed(2)}" height="${lineHeight}" fill="${run.bg}"/>`);
			}

			if (run.text.trim() !== '') {
				const style = `${run.bold ? ' font-weight="bold"' : ''}${run.dim ? ' opacity="0.6"' : ''}`;
				parts.push(`<text x="${x}" y="${y + 13}" fill="${run.fg}"${style} xml:space="preserve">${escapeXml(run.text)}</text>`);
			}
		}
	}

	return parts.join('');
}

function frame(columns: number, rows: number, body: string): {width: number; height: number; open: string} {
	const width = Math.ceil(24 + columns * cellWidth);
	const height = 24 + rows * lineHeight;
	const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14"><rect width="100%" height="100%" rx="6" fill="${defaultBackground}"/>${body}`;
	return {width, height, open};
}

/** One screen as a standalone SVG. */
export function screenSvg(screen: string, columns: number, rows: number): string {
	return `${frame(columns, rows, screenElements(screen, rows)).open}</svg>\n`;
}

/**
 * Screens shown one after another, each for its duration, looping (CSS animation, no script).
 * Where CSS animations do not run, the last screen shows.
 */
export function animatedSvg(frames: Array<{screen: string; ms: number}>, columns: number, rows: number): string {
	const total = frames.reduce((sum, entry) => sum + entry.ms, 0);
	let start = 0;
	const styles: string[] = [
		`g.f{opacity:0;animation-duration:${total}ms;animation-iteration-count:infinite;animation-timing-function:steps(1,end)}g.f${frames.length - 1}{opacity:1}`,
	];
	const groups: string[] = [];
	for (const [index, entry] of frames.entries()) {
		const from = ((start / total) * 100).toFixed(3);
		const to = (((start + entry.ms) / total) * 100).toFixed(3);
		styles.push(`@keyframes k${index}{0%{opacity:0}${from}%{opacity:1}${to}%{opacity:0}100%{opacity:0}}g.f${index}{animation-name:k${index}}`);
		groups.push(`<g class="f f${index}">${screenElements(entry.screen, rows)}</g>`);
		start += entry.ms;
	}

	return `${frame(columns, rows, `<style>${styles.join('')}</style>${groups.join('')}`).open}</svg>\n`;
}
