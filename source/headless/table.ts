import {visible} from '../visible-text.js';

/** A column of a plain-text table. */
export type Column = {
	title: string;
	align?: 'left' | 'right';
	/** May be cut with an ellipsis when the table is too wide: lower numbers are cut first. */
	shrink?: number;
	/** Narrowest this column is cut to. */
	min?: number;
};

/**
 * Lays out rows as an aligned plain-text table no wider than `width`: shrinkable columns lose
 * characters (lowest `shrink` first, then widest) and show an ellipsis. No terminal escape codes:
 * control characters in a cell are written out ({@link visible}) before it is measured.
 */
export function formatTable(columns: readonly Column[], outsideRows: readonly string[][], width: number): string {
	const rows = outsideRows.map((row) => row.map((text) => visible(text)));
	const widths = columns.map((column, index) => Math.max(column.title.length, ...rows.map((row) => (row[index] ?? '').length)));
	const gap = 2;
	const total = () => widths.reduce((sum, value) => sum + value, 0) + gap * (columns.length - 1);
	while (total() > width) {
		let widest = -1;
		for (const [index, column] of columns.entries()) {
			const candidate = widest === -1 ? undefined : columns[widest]!;
			const fits = column.shrink !== undefined && widths[index]! > Math.max(column.title.length, column.min ?? 6);
			if (fits && (candidate === undefined || column.shrink! < candidate.shrink! || (column.shrink === candidate.shrink && widths[index]! > widths[widest]!))) {
				widest = index;
			}
		}

		if (widest === -1) {
			break;
		}

		widths[widest]!--;
	}

	const line = (cells: readonly string[]) =>
		columns
			.map((column, index) => {
				const cell = fit(cells[index] ?? '', widths[index]!);
				return column.align === 'right' ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!);
			})
			.join(' '.repeat(gap))
			.trimEnd();
	return [line(columns.map((column) => column.title)), ...rows.map((row) => line(row))].join('\n');
}

/** Cuts `text` to `width` characters with a trailing ellipsis. */
function fit(text: string, width: number): string {
	if (text.length <= width) {
		return text;
	}

	return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}…`;
}
