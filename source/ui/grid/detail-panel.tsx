import {Box} from 'ink';
import React from 'react';
import {addressOf, secondsSinceChanged} from '../../model/describe.js';
import {conditionOf} from '../../model/server-condition.js';
import type {Server} from '../../model/types.js';
import {cell, shortDuration} from '../format.js';
import {conditionStyle, tint} from '../theme.js';
import {adminText, stateText} from './server-line.js';
import {Text} from '../text/shown-text.js';

export const detailHeight = 5;

function checkText(server: Server): string {
	if (!server.checkConfigured) {
		return server.tracked ? `none of its own; follows ${server.tracked}` : 'none configured (HAProxy sends traffic without health checks)';
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
			<Box flexDirection="column" height={detailHeight}>
				<Text dimColor>{'─'.repeat(Math.max(0, width - 1))}</Text>
				<Text color={tint('yellow')}>{cell('The selected server is no longer in the runtime (removed, or HAProxy reloaded without it). Esc closes.', width - 1)}</Text>
			</Box>
		);
	}

	const style = conditionStyle[conditionOf(server)];
	const lines = [
		`admin: ${adminText(server) || 'none'} · weight ${server.userWeight} (config ${server.initialWeight}) · ${server.backup ? 'backup' : 'active'} server${server.tracked ? ` · tracks ${server.tracked}` : ''}`,
		`sessions ${server.currentSessions}${server.sessionLimit ? `/${server.sessionLimit}` : ''} now · ${server.totalSessions} total · ${server.requestsTotal === null ? 'TCP (no HTTP counters)' : `${server.requestsTotal} HTTP responses`} · state changed ${shortDuration(secondsSinceChanged(server, Date.now()))} ago`,
		`check: ${checkText(server)}`,
	];
	return (
		<Box flexDirection="column" height={detailHeight}>
			<Text dimColor>{'─'.repeat(Math.max(0, width - 1))}</Text>
			<Text wrap="truncate-end">
				<Text bold>{`${server.backend}/${server.server}`}</Text>
				{`  ${addressOf(server)}  `}
				<Text color={tint(style.color)}>{`${style.symbol} ${stateText(server)}`}</Text>
				<Text dimColor>{`  (${server.status})`}</Text>
			</Text>
			{lines.map((line, index) => (
				<Text key={index}>{cell(line, width - 1)}</Text>
			))}
		</Box>
	);
}
