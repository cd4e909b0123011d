import {Box} from 'ink';
import React from 'react';
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

const stateLegend = '● UP   ◐ DRAIN   ■ MAINT   ✗ DOWN   ↑ STARTING   ↓ STOPPING';

/** The key list, in place of the rows, exactly `height` lines tall. */
export function HelpOverlay({height, width, keys}: {height: number; width: number; keys: readonly KeyHelp[]}) {
	const lines = [
		'Keys',
		...keys.map((entry) => `  ${entry.keys.padEnd(16)}${entry.does}`),
		'',
		stateLegend,
		'Press ? or Esc to close.',
	];
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
