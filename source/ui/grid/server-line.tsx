import React from 'react';
import {checkStatusLabels, failingCheckStatuses, type CheckStatusName} from '../../decode/labels.js';
import {addressOf, adminWords, secondsSinceChanged} from '../../model/describe.js';
import {conditionOf} from '../../model/server-condition.js';
import type {Server} from '../../model/types.js';
import {cell, nameCell, shortDuration} from '../format.js';
import {conditionStyle, tint} from '../theme.js';
import {columnsWidth, tableWidth, type GridLayout} from './grid-layout.js';
import {Text} from '../text/shown-text.js';

/** The state word, with HAProxy's health transition (`DOWN 1/2`) when one is under way. */
export function stateText(server: Server): string {
	if (server.status.startsWith('NOLB')) {
		return 'NOLB';
	}

	const condition = conditionOf(server);
	const transition = / ([0-9]+\/[0-9]+)$/.exec(server.status)?.[1];
	return transition ? `${conditionStyle[condition].word} ${transition}` : conditionStyle[condition].word;
}

export function adminText(server: Server): string {
	return [...adminWords(server), ...(server.backup ? ['backup'] : [])].join(', ');
}

type Props = {
	server: Server;
	layout: GridLayout;
	cursor: boolean;
	dimmed?: boolean;
	differs?: boolean;
	/** The time, for the UP/DOWN column (0 when it is hidden, so the line does not re-render each second). */
	now?: number;
};

/** One server of the grid, on one line as wide as the table ({@link tableWidth}); `≠` when instances disagree on it. */
export const ServerLine = React.memo(function ServerLine({server, layout, cursor, dimmed = false, differs = false, now = 0}: Props) {
	const condition = conditionOf(server);
	const style = conditionStyle[condition];
	// Under the cursor the whole line is inverse: coloured parts would turn into coloured blocks.
	const color = dimmed || cursor ? undefined : tint(style.color);
	const checkColor = !cursor && server.checkStatus !== null && failingCheckStatuses.has(server.checkStatus) ? tint('red') : undefined;
	const requests = server.requestsTotal ?? server.totalSessions;
	const columns = [
		cell(addressOf(server), layout.address),
		'',
		cell(adminText(server), layout.admin),
		cell(String(server.userWeight), layout.weight, 'right'),
		cell(String(server.currentSessions), layout.sessions, 'right'),
	];
	const used = columnsWidth(layout);
	return (
		<Text inverse={cursor} dimColor={dimmed} wrap="truncate-end">
			{differs ? (
				<Text color={cursor ? undefined : tint('yellow')} bold>
					≠{' '}
				</Text>
			) : (
				'  '
			)}
			<Text color={color}>{style.symbol}</Text> {nameCell(server.server, layout.name)} {columns[0]} <Text color={color}>{cell(stateText(server), layout.state)}</Text>{' '}
			{columns[2]} {columns[3]} {columns[4]} <Text color={checkColor}>{cell(server.checkDisabled ? 'off' : (server.checkStatus ?? '-'), layout.check)}</Text>
			{layout.requests ? ` ${cell(String(requests), layout.requests, 'right')}` : ''}
			{layout.changed ? ` ${cell(shortDuration(now > 0 ? secondsSinceChanged(server, now) : server.secondsSinceChange), layout.changed, 'right')}` : ''}
			{layout.description ? ' ' : ''}
			{layout.description ? <Text dimColor={server.checkDescription === null}>{cell(checkDetail(server), layout.description)}</Text> : ''}
			{' '.repeat(Math.max(0, tableWidth(layout) - used - 1))}
		</Text>
	);
});

/** What HAProxy says of a failing check; for a passing one, what its status means (dimmed). */
function checkDetail(server: Server): string {
	if (server.checkDescription !== null) {
		return server.checkDescription;
	}

	return server.checkStatus === null ? '' : (checkStatusLabels[server.checkStatus as CheckStatusName] ?? '');
}
