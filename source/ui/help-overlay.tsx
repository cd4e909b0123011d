import type {Key} from 'ink';
import {Box} from 'ink';
import React, {useEffect, useLayoutEffect, useRef, useState, type MutableRefObject} from 'react';
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

/** Where the help is: the keys it lists, its width, and how many lines it has on screen. */
type HelpLayout = {keys: readonly KeyHelp[]; width: number; height: number};

/** The help's text at `width`: a title, the keys (a long description goes on under itself), the state legend. */
function helpBody(keys: readonly KeyHelp[], width: number): string[] {
	const indent = 18;
	return [
		'Keys',
		...keys.flatMap((entry) =>
			wrap(entry.does, Math.max(10, width - 1 - indent)).map((part, index) => `${index === 0 ? `  ${entry.keys.padEnd(indent - 2)}` : ' '.repeat(indent)}${part}`),
		),
		'',
		...wrap(stateLegend, width - 1),
	];
}

/** How many lines of the body fit: all but the closing line, and, when they do not all fit, the line that says where the view is. */
function bodyRoom(bodyLength: number, height: number): number {
	const room = Math.max(0, height - 1);
	return bodyLength <= room ? room : Math.max(1, room - 1);
}

/** The furthest the help scrolls: 0 when it fits. */
function lastOffset({keys, width, height}: HelpLayout): number {
	const {length} = helpBody(keys, width);
	return Math.max(0, length - bodyRoom(length, height));
}

/** The lines the help shows from `offset` on, exactly `height` of them at most; how to close it is always the last. */
function helpLines({keys, width, height}: HelpLayout, offset: number): string[] {
	const body = helpBody(keys, width);
	const room = bodyRoom(body.length, height);
	if (body.length <= room) {
		return [...body, 'Press ? or Esc to close.'].slice(0, height);
	}

	// Taller than the room: a line says what is out of view and how to see it, rather than cutting it silently.
	const from = Math.min(Math.max(0, offset), body.length - room);
	const shown = body.slice(from, from + room);
	const below = body.length - from - shown.length;
	const where = [from > 0 ? `${from} above` : '', below > 0 ? `${below} more below` : ''].filter(Boolean).join(', ');
	const lines = [...shown, `… ${where}: ↑ ↓ PgUp PgDn scroll`, 'Press ? or Esc to close.'];
	// Fewer lines than that: the ones that say how to move and close stay.
	return lines.slice(Math.max(0, lines.length - Math.max(0, height)));
}

/** The help's scroll position, and what its overlay last showed (to know how far it scrolls). */
export type HelpScroll = {
	offset: number;
	/** A key the screen got while the help is shown: true when it scrolled the help (the screen does nothing else with it). */
	scroll: (input: string, key: Partial<Key>) => boolean;
	shown: MutableRefObject<HelpLayout | undefined>;
};

/** The keys' line of a screen while its help is shown (j k where they scroll it too). */
export const helpOpenKeys = ({letters = false}: {letters?: boolean} = {}) => `↑↓ ${letters ? 'jk ' : ''}PgUp/PgDn scroll the help · ? or Esc close it · q quit`;

/**
 * The help's scroll position while it is shown, back at the top each time it opens: ↑ ↓ and PgUp
 * PgDn scroll it, and j k where `letters` (where they move the cursor).
 */
export function useHelpScroll(open: boolean, {letters = false}: {letters?: boolean} = {}): HelpScroll {
	const [offset, setOffset] = useState(0);
	const shown = useRef<HelpLayout | undefined>(undefined);
	useEffect(() => {
		if (!open) {
			setOffset(0);
		}
	}, [open]);
	const scroll = (input: string, key: Partial<Key>): boolean => {
		const layout = shown.current;
		const by = key.upArrow || (letters && input === 'k') ? -1 : key.downArrow || (letters && input === 'j') ? 1 : key.pageUp || key.pageDown ? pageOf(layout) * (key.pageUp ? -1 : 1) : 0;
		if (by === 0) {
			return false;
		}

		const last = layout ? lastOffset(layout) : 0;
		setOffset((current) => Math.min(last, Math.max(0, Math.min(current, last) + by)));
		return true;
	};

	return {offset, scroll, shown};
}

function pageOf(layout: HelpLayout | undefined): number {
	return layout ? Math.max(1, bodyRoom(helpBody(layout.keys, layout.width).length, layout.height)) : 1;
}

/** The key list, in place of the rows, exactly `height` lines tall, scrolled where `scroll` says. */
export function HelpOverlay({height, width, keys, scroll}: HelpLayout & {scroll?: HelpScroll}) {
	const lines = helpLines({keys, width, height}, scroll?.offset ?? 0);
	// What is on screen is what the next key scrolls.
	useLayoutEffect(() => {
		if (scroll) {
			scroll.shown.current = {keys, width, height};
		}
	});
	return (
		<Box flexDirection="column" height={height}>
			{lines.map((line, index) => (
				<Text key={index} bold={index === 0 && line === 'Keys'}>
					{cell(line, width - 1)}
				</Text>
			))}
		</Box>
	);
}
