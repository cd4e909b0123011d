import {visible} from '../visible-text.js';

export {clockTime, shortDuration} from '../time-format.js';

/**
 * Cuts or pads `text` to exactly `width` characters (ellipsis when cut). Control characters in
 * it are written out first ({@link visible}), so the cell is measured as it will be shown.
 */
export function cell(outside: string, width: number, align: 'left' | 'right' = 'left'): string {
	if (width <= 0) {
		return '';
	}

	const text = visible(outside);
	const cut = text.length > width ? (width === 1 ? text.slice(0, 1) : `${text.slice(0, width - 1)}…`) : text;
	return align === 'right' ? cut.padStart(width) : cut.padEnd(width);
}

/**
 * {@link cell} for a name: a long one keeps its start and its end (`app-frontend-…-blue-07`),
 * where names that share a long prefix differ.
 */
export function nameCell(outside: string, width: number): string {
	const text = visible(outside);
	if (text.length <= width || width < 8) {
		return cell(text, width);
	}

	const tail = Math.floor((width - 1) / 3);
	return `${text.slice(0, width - 1 - tail)}…${text.slice(text.length - tail)}`;
}

/** Shortens a path in its middle, keeping its start and its file name: `/tmp/dra…/admin.sock`. */
export function middleCut(outside: string, width: number): string {
	const text = visible(outside);
	if (text.length <= width) {
		return text;
	}

	if (width < 8) {
		return cell(text, width);
	}

	const tail = Math.min(text.length - text.lastIndexOf('/'), Math.floor(width * 0.6));
	const head = width - tail - 1;
	return `${text.slice(0, head)}…${text.slice(text.length - tail)}`;
}
