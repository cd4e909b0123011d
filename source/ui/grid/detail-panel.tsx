import {Box} from 'ink';
import React from 'react';
import {addressOf, secondsSinceChanged} from '../../model/describe.js';
import {conditionOf} from '../../model/server-condition.js';
import type {Server} from '../../model/types.js';
import {cell, shortDuration} from '../format.js';
import {conditionStyle, tint} from '../theme.js';
import {wrap} from '../../wrap.js';
import {adminText, stateText} from './server-line.js';
import {Text} from '../text/shown-text.js';

/** Most lines a long name takes in the panel; a longer one says how long it is. */
const maxNameLines = 6;

/** The server's whole `backend/server` in lines of `width`, when it does not fit beside its state. */
function nameLines(server: Server | undefined, width: number): string[] {
	if (!server) {
		return [];
	}

	const name = `${server.backend}/${server.server}`;
	if (name.length + 40 <= width) {
		return [];
	}

	const lines = wrap(name, width);
	if (lines.length <= maxNameLines) {
		return lines;
	}

	const note = `… (${name.length} characters)`;
	return [...lines.slice(0, maxNameLines - 1), `${lines[maxNameLines - 1]!.slice(0, Math.max(0, width - note.length))}${note}`];
}

/** Lines of the panel: five, and the lines a long name needs. */
export function detailHeight(server: Server | undefined, width: number): number {
	return 5 + nameLines(server, width - 1).length;
}

function checkText(server: Server): string {
	if (!server.checkConfigured) {
		return server.tracked ? `none of its own; follows ${server.tracked}` : 'none configured (HAProxy sends traffic without health checks)';
	}

	if (server.checkDisabled) {
		return 'disabled ("disable health"): no result until "enable health"';
	}

	if (server.checkStatus === null) {
		return 'no result (checks pause while the server is in maintenance)';
	}

	return `${server.checkStatus}${server.checkDescription ? ` (${server.checkDescription})` : ''}`;
}

/** Everything about one server, under the grid. */
export function DetailPanel({server, width}: {server: Server | undefined; width: number}) {
	if (!server) {
		return (
			<Box flexDirection="column" height={detailHeight(server, width)}>
				<Text dimColor>{'─'.repeat(Math.max(0, width - 1))}</Text>
				<Text color={tint('yellow')}>{cell('The selected server is no longer in the runtime (removed, or HAProxy reloaded without it). Esc closes.', width - 1)}</Text>
			</Box>
		);
	}

	const style = conditionStyle[conditionOf(server)];
	const longName = nameLines(server, width - 1);
	const lines = [
		`admin: ${adminText(server) || 'none'} · weight ${server.userWeight} (config ${server.initialWeight}) · ${server.backup ? 'backup' : 'active'} server${server.tracked ? ` · tracks ${server.tracked}` : ''}`,
		`sessions ${server.currentSessions}${server.sessionLimit ? `/${server.sessionLimit}` : ''} now · ${server.totalSessions} total · ${server.requestsTotal === null ? 'TCP (no HTTP counters)' : `${server.requestsTotal} HTTP responses`} · up/down changed ${shortDuration(secondsSinceChanged(server, Date.now()))} ago`,
		`check: ${checkText(server)}`,
	];
	return (
		<Box flexDirection="column" height={detailHeight(server, width)}>
			<Text dimColor>{'─'.repeat(Math.max(0, width - 1))}</Text>
			{longName.map((line, index) => (
				<Text key={`name-${index}`} bold>
					{line}
				</Text>
			))}
			<Text wrap="truncate-end">
				{longName.length > 0 ? null : <Text bold>{`${server.backend}/${server.server}`}</Text>}
				{`${longName.length > 0 ? '' : '  '}${addressOf(server)}  `}
				<Text color={tint(style.color)}>{`${style.symbol} ${stateText(server)}`}</Text>
				<Text dimColor>{`  (${server.status})`}</Text>
			</Text>
			{lines.map((line, index) => (
				<Text key={index}>{cell(line, width - 1)}</Text>
			))}
		</Box>
	);
}
