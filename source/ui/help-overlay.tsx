import {Box} from 'ink';
import React from 'react';
import {wrap} from '../wrap.js';
import {cell} from './format.js';
import {Text} from './text/shown-text.js';

/** One key and what it does. */
export type KeyHelp = {keys: string; does: string};

export const gridKeys: KeyHelp[] = [
	{keys: '↑ ↓  j k', does: 'move'},
	{keys: 'PgUp PgDn', does: 'page up / down'},
	{keys: 'Home End  g G', does: 'first / last row'},
	{keys: '/', does: 'filter by backend or server name (a new filter each time)'},
	{keys: 'Esc', does: 'clear the filter, close a panel'},
	{keys: 'Enter', does: 'on a server: its maintenance; on a backend: roll it (each server in turn)'},
	{keys: 'r', does: 'resume the unfinished maintenance the ⚠ line names'},
	{keys: '?', does: 'show / hide this help'},
	{keys: 'q', does: 'quit'},
];

/** `keys` with `extra` (the lab's `s`, its socket) before `?` and `q`, which the footer names anyway. */
export function withExtraKeys(keys: readonly KeyHelp[], extra: readonly KeyHelp[]): KeyHelp[] {
	const at = keys.findIndex((entry) => entry.keys === '?');
	return at === -1 ? [...keys, ...extra] : [...keys.slice(0, at), ...extra, ...keys.slice(at)];
}

const stateLegend = '● UP   ◐ DRAIN   ■ MAINT   ✗ DOWN   ↑ STARTING   ↓ STOPPING';

/** The key list, in place of the rows, exactly `height` lines tall; how to close it is always the last line. */
export function HelpOverlay({height, width, keys}: {height: number; width: number; keys: readonly KeyHelp[]}) {
	const indent = 18;
	const body = [
		'Keys',
		// A description too long for the width goes on under itself, not off the edge.
		...keys.flatMap((entry) =>
			wrap(entry.does, Math.max(10, width - 1 - indent)).map((part, index) => `${index === 0 ? `  ${entry.keys.padEnd(indent - 2)}` : ' '.repeat(indent)}${part}`),
		),
		'',
		...wrap(stateLegend, width - 1),
	];
	const close = 'Press ? or Esc to close.';
	// Taller than the room: the last line that fits says how much is left out, rather than cutting it silently.
	const room = Math.max(0, height - 1);
	const shown = body.length <= room ? body : [...body.slice(0, Math.max(0, room - 1)), `… ${body.length - room + 1} more lines: a taller terminal shows them`];
	const lines = [...shown, close];
	return (
		<Box flexDirection="column" height={height}>
			{lines.slice(0, height).map((line, index) => (
				<Text key={index} bold={index === 0}>
					{cell(line, width - 1)}
				</Text>
			))}
		</Box>
	);
}
