import {Box} from 'ink';
import React, {useEffect, useMemo, useReducer} from 'react';
import type {PollView} from '../../poll/pool-poller.js';
import {describeDifferences, differingServers} from '../../model/differences.js';
import type {Backend, Server} from '../../model/types.js';
import {cell} from '../format.js';
import {tint} from '../theme.js';
import {wrap} from '../../wrap.js';
import {Header} from '../header.js';
import {gridKeys, HelpOverlay, helpOpenKeys, useHelpScroll, withExtraKeys, type KeyHelp} from '../help-overlay.js';
import {bannerHeight, StaleBanner} from '../stale-banner.js';
import type {TerminalSize} from '../use-terminal-size.js';
import {DetailPanel, detailHeight} from './detail-panel.js';
import {gridLayout, tableWidth, titleText} from './grid-layout.js';
import {buildRows, type GridRow} from './grid-rows.js';
import {gridReducer, initialGridState} from './grid-state.js';
import {BackendLine, InstanceLine} from './group-lines.js';
import {ServerLine} from './server-line.js';
import {useGridKeys} from './use-grid-keys.js';
import {Text} from '../text/shown-text.js';

type Props = {
	view: PollView;
	size: TerminalSize;
	now: number;
	/** When HAProxy last answered (default: when the data shown was read). */
	freshAt?: number | null;
	onQuit: () => void;
	/** The backend under the cursor, to be polled every cycle. */
	onFocus: (backend: string | undefined) => void;
	/** Enter on a server; without it the grid shows a detail panel. */
	onSelect?: (server: Server) => void;
	/** Enter on a backend row (to roll it); without it Enter there does nothing. */
	onBackend?: (backend: Backend) => void;
	initialKey?: string;
	/** Keys the grid does not use, with what is under the cursor (the lab's `s`, `m`). */
	onExtraKey?: (char: string, under: UnderCursor) => void;
	/** What those keys do, for the help. */
	extraKeys?: readonly KeyHelp[];
	/** A problem to show above the key hints (a maintenance that could not start). */
	message?: string | null;
	/** The operator pressed a key the grid acted on: a message about an earlier key is past (e.g. "Esc clears it" once Esc did). */
	onMessagePast?: () => void;
	/** One line above the key hints that asks for the operator's attention (a drained server to resume). */
	banner?: string | null;
	active?: boolean;
};

/** What a key the grid does not use acts on: the server under the cursor, or why there is none to be under it. */
type UnderCursor = {
	server: Server | undefined;
	/** Set when the grid shows no row at all: why (the filter, or nothing read yet), for the key's message. */
	noRow?: string;
};

/** Lines the grid screen uses besides the rows: header, titles, footer, and Ink's last line. */
const chromeHeight = 4;

/** The live grid of every backend and server. */
export function GridScreen({view, size, now, freshAt, onQuit, onFocus, onSelect, onBackend, onExtraKey, extraKeys = [], initialKey, message, onMessagePast, banner, active = true}: Props) {
	const [state, dispatch] = useReducer(gridReducer, {pageSize: size.rows - chromeHeight, cursorKey: initialKey, selected: onSelect ? undefined : initialKey}, initialGridState);
	const differences = useMemo(() => differingServers(view.pool), [view.pool]);
	const rows = useMemo(() => buildRows(view.pool, state.filter, differences), [view.pool, state.filter, differences]);
	const differenceText = describeDifferences(differences);
	const longestName = useMemo(() => longestServerName(view.pool), [view.pool]);
	const layout = useMemo(() => gridLayout(size.columns, longestName), [size.columns, longestName]);

	const filterLine = state.filterEditing || state.filter !== '' ? 1 : 0;
	const detail = state.selected && !onSelect ? detailHeight(rows.serverOf(state.selected), size.columns) : 0;
	const messageLines = message ? wrap(message, size.columns - 1).slice(0, 3) : [];
	const differenceLine = differenceText ? 1 : 0;
	const bannerLine = banner ? 1 : 0;
	const pageSize = Math.max(1, size.rows - chromeHeight - bannerHeight(view.health) - filterLine - detail - messageLines.length - differenceLine - bannerLine);

	// Synced during render, not in an effect: a key pressed right after a poll must see these rows.
	if (state.rows !== rows) {
		dispatch({type: 'rows-changed', rows});
	}

	if (state.pageSize !== pageSize) {
		dispatch({type: 'page-resized', size: pageSize});
	}

	const cursorRow = rows.at(state.cursor);
	const focusedBackend = cursorRow?.kind === 'server' ? cursorRow.server.backend : cursorRow?.kind === 'backend' ? cursorRow.backend.name : undefined;
	useEffect(() => {
		onFocus(focusedBackend);
	}, [focusedBackend, onFocus]);

	const help = useHelpScroll(state.help, {letters: true});
	useGridKeys(state, dispatch, {
		onQuit,
		scrollHelp: help.scroll,
		active,
		onAction: message ? onMessagePast : undefined,
		onExtraKey(char, cursorKey) {
			onExtraKey?.(char, {server: rows.serverOf(cursorKey), noRow: rows.length === 0 ? (state.filter ? 'the filter matches none: Esc clears it' : 'none is shown yet') : undefined});
		},
		onSelect(key) {
			const server = rows.serverOf(key);
			if (server && onSelect) {
				onSelect(server);
			}
		},
		onBackend(key) {
			const row = rows.at(rows.indexOf(key));
			if (row?.kind === 'backend' && onBackend) {
				onBackend(row.backend);
			}
		},
	});

	const visible = rows.slice(state.offset, state.offset + pageSize);
	const matches = rows.servers;
	const position = rows.length > 0 ? `${state.cursor + 1}/${rows.length}` : '0/0';
	const hints = state.filterEditing ? 'type to filter · Enter keep · Esc clear' : state.help ? helpOpenKeys({letters: true}) : browseHints(extraKeys, size.columns - position.length - 2);
	return (
		<Box flexDirection="column" width={size.columns}>
			<Header view={view} now={now} freshAt={freshAt} width={size.columns} />
			<StaleBanner health={view.health} width={size.columns} />
			<Text dimColor>{titleText(layout)}</Text>
			{state.help ? (
				<HelpOverlay height={pageSize} width={size.columns} keys={withExtraKeys(gridKeys, extraKeys)} scroll={help} />
			) : (
				<Box flexDirection="column" height={pageSize}>
					{visible.length === 0
						? emptyLines(view, state.filter, size.columns - 1)
								.slice(0, pageSize)
								.map((line, index) => <Text key={`empty-${index}`}>{cell(line, size.columns - 1)}</Text>)
						: null}
					{visible.map((row) => (
						<RowLine key={row.key} row={row} cursor={row.key === state.cursorKey} layout={layout} now={layout.changed ? now : 0} stale={view.health.some((health) => !health.ok && health.socket === row.socket)} />
					))}
				</Box>
			)}
			{filterLine ? (
				<Text wrap="truncate-end">
					<Text bold>/ </Text>
					{state.filter}
					{state.filterEditing ? <Text inverse> </Text> : null}
					<Text dimColor>{`  ${matches} server${matches === 1 ? ' matches' : 's match'}${state.filterEditing ? '' : ' · Esc clears'}`}</Text>
				</Text>
			) : null}
			{detail ? <DetailPanel server={rows.serverOf(state.selected)} width={size.columns} /> : null}
			{differenceText ? (
				<Text color={tint('yellow')} bold wrap="truncate-end">
					{differenceText}
				</Text>
			) : null}
			{banner ? (
				<Text color={tint('yellow')} bold inverse wrap="truncate-end">
					{cell(banner, size.columns - 1)}
				</Text>
			) : null}
			{messageLines.map((line, index) => (
				<Text key={index} color={tint('red')} bold>
					{line}
				</Text>
			))}
			<Text dimColor wrap="truncate-end">
				{cell(hints, Math.max(0, size.columns - position.length - 2))} {position}
			</Text>
		</Box>
	);
}

function RowLine({row, cursor, layout, now, stale}: {row: GridRow; cursor: boolean; layout: ReturnType<typeof gridLayout>; now: number; stale: boolean}) {
	switch (row.kind) {
		case 'instance': {
			return <InstanceLine snapshot={row.snapshot} width={layout.width} cursor={cursor} />;
		}

		case 'backend': {
			return <BackendLine backend={row.backend} summary={row.summary} width={tableWidth(layout)} cursor={cursor} />;
		}

		case 'server': {
			return <ServerLine server={row.server} layout={layout} cursor={cursor} dimmed={stale} differs={row.differs} now={now} />;
		}
	}
}

/** What the grid says when it has no row to show: with no data yet, the whole reason (the banner cuts it to a line). */
function emptyLines(view: PollView, filter: string, width: number): string[] {
	if (view.pool === null) {
		const failing = view.health.filter((health) => !health.ok);
		if (failing.length === 0) {
			return [`Connecting to ${view.health.map((health) => health.socket).join(', ')}…`];
		}

		return ['No data from HAProxy yet; retrying every second.', ...failing.flatMap((health) => ['', ...wrap(health.error ?? `${health.socket} does not answer.`, width)])];
	}

	return [filter ? `No backend or server matches "${filter}". Esc clears the filter.` : 'HAProxy reports no backends with servers.'];
}

/** The longest server name HAProxy shows (the name column fits it, within its bounds). */
function longestServerName(pool: PollView['pool']): number {
	let longest = 0;
	for (const {backends} of pool?.instances ?? []) {
		for (const backend of backends) {
			for (const server of backend.servers) {
				longest = Math.max(longest, server.server.length);
			}
		}
	}

	return longest;
}

/** The grid's keys; `m` (a machine's maintenance, when the app offers it) where the line has room for it: at 80 columns, ? lists it. */
function browseHints(extraKeys: readonly KeyHelp[], room: number): string {
	const withMachine = '↑↓ jk move · PgUp/PgDn page · / filter · Enter select · m machine · ? help · q quit';
	return extraKeys.some((key) => key.keys === 'm') && withMachine.length <= room ? withMachine : '↑↓ jk move · PgUp/PgDn page · / filter · Enter select · ? help · q quit';
}
