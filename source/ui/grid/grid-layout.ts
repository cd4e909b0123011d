/** Widths of the grid's columns for a terminal width; 0 hides a column. */
export type GridLayout = {
	width: number;
	name: number;
	address: number;
	state: number;
	admin: number;
	weight: number;
	sessions: number;
	check: number;
	requests: number;
	/** HAProxy's lastchg: the time since the operational state (UP, DOWN) changed; a drain or a ready leaves it as it was. */
	changed: number;
	description: number;
};

const gap = 1;
const indent = 4;

/**
 * Fits the columns to `width`: at 80 columns name, address, state, admin words, weight,
 * sessions and check; wider terminals add requests, time since the last change and the check's
 * description. The name column is as wide as `longestName` (when known) within its bounds; on a
 * very wide terminal what is left goes to the check's description, up to 52 columns (HAProxy's
 * longest, `Layer4 connection problem, info: "Connection refused"`, fits; the detail panel gives
 * any longer one whole), so the table does not stretch across a 200-column terminal.
 */
export function gridLayout(width: number, longestName?: number): GridLayout {
	const wide = width >= 120;
	const veryWide = width >= 170;
	const layout: GridLayout = {
		width,
		name: 0,
		address: wide ? 22 : 15,
		state: 9,
		admin: wide ? 24 : 15,
		weight: 3,
		sessions: 5,
		check: wide ? 8 : 6,
		requests: wide ? 8 : 0,
		changed: wide ? 8 : 0,
		description: veryWide ? 28 : 0,
	};
	const fixed = [layout.address, layout.state, layout.admin, layout.weight, layout.sessions, layout.check, layout.requests, layout.changed, layout.description];
	const used = indent + fixed.reduce((sum, column) => sum + column + (column > 0 ? gap : 0), 0);
	const cap = Math.min(wide ? 40 : 30, longestName === undefined ? Number.POSITIVE_INFINITY : Math.max(8, longestName));
	layout.name = Math.max(8, Math.min(cap, width - used - 1));
	if (layout.description > 0) {
		layout.description += Math.max(0, Math.min(52 - layout.description, width - used - layout.name - 1));
	}

	return layout;
}

/** The columns a server line fills (its indent, columns and gaps), without the padding to the terminal's width. */
export function columnsWidth(layout: GridLayout): number {
	const columns = [layout.name, layout.address, layout.state, layout.admin, layout.weight, layout.sessions, layout.check, layout.requests, layout.changed, layout.description];
	return indent + columns.reduce((sum, column, index) => sum + column + (column > 0 && index > 0 ? gap : 0), 0);
}

/** The width a backend's line spans: the table's, so its mode and balance end where the columns do, not at a wide terminal's far edge. */
export function tableWidth(layout: GridLayout): number {
	return Math.min(layout.width, columnsWidth(layout) + 1);
}

/** The column titles, aligned with the server lines. */
export function titleText(layout: GridLayout): string {
	const pad = (text: string, width: number, right = false) => (width <= 0 ? '' : right ? text.padStart(width) : text.padEnd(width));
	const parts = [
		'    ' + pad('SERVER', layout.name),
		pad('ADDRESS', layout.address),
		pad('STATE', layout.state),
		pad('ADMIN', layout.admin),
		pad('WT', layout.weight, true),
		pad('SESS', layout.sessions, true),
		pad('CHECK', layout.check),
	];
	if (layout.requests) {
		parts.push(pad('REQS', layout.requests, true));
	}

	if (layout.changed) {
		parts.push(pad('UP/DOWN', layout.changed, true));
	}

	if (layout.description) {
		parts.push(pad('CHECK DETAIL', layout.description));
	}

	return parts.join(' ').slice(0, layout.width - 1);
}
