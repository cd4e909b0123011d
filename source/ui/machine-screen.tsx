import {Box} from 'ink';
import React from 'react';
import type {Server} from '../model/types.js';
import type {PollView} from '../poll/pool-poller.js';
import {wrap} from '../wrap.js';
import {Choice} from './choice.js';
import {cell} from './format.js';
import {Header} from './header.js';
import {useKeys} from './keys.js';
import type {MachineChoice} from './machine-choices.js';
import {tint} from './theme.js';
import type {TerminalSize} from './use-terminal-size.js';
import {Text} from './text/shown-text.js';

/** What the operator takes from the machine screen: a pattern's maintenance, the server's own, or the grid. */
export type MachinePick = {kind: 'set'; label: string} | {kind: 'one'} | {kind: 'back'};

type Props = {
	server: Server;
	choices: readonly MachineChoice[];
	view: PollView;
	size: TerminalSize;
	now: number;
	freshAt: number | null;
	onPick: (pick: MachinePick) => void;
	onQuit: () => void;
	/** Why the last choice could not open (one sentence). */
	message?: string | null;
};

/**
 * The grid's `m` on a server: the maintenances of several servers that include it (its address
 * and port in every backend, its whole machine, its name everywhere), chosen with ↑↓ and Enter.
 * Nothing is sent from here: the chosen maintenance starts at its validate, with its own checks.
 */
export function MachineScreen({server, choices, view, size, now, freshAt, onPick, onQuit, message}: Props) {
	const width = size.columns - 1;
	const name = `${server.backend}/${server.server}`;
	useKeys((input, key) => {
		if (input === 'q') {
			onQuit();
		} else if (key.escape) {
			onPick({kind: 'back'});
		}
	});
	const explain = `Servers taken out together are one maintenance: capacity is checked with all of them out at once, one y drains them all, one y brings them back, and traffic is proven for each.`;
	const items: Array<{label: string; value: MachinePick}> = [
		...choices.map((choice) => ({label: `${choice.label}  ${choice.what} (${choice.servers.length} servers)`, value: {kind: 'set', label: choice.label} as const})),
		{label: `Only ${name} (its own maintenance)`, value: {kind: 'one'}},
		{label: 'Back to the grid', value: {kind: 'back'}},
	];
	const messageLines = message ? wrap(message, width) : [];
	const lines = [...wrap(explain, width), ...(message ? ['', ...messageLines] : [])];
	// Header, title, blank, text, blank, choices, blank, then what each covers in the room left above the keys' line.
	const room = Math.max(0, size.rows - 1 - (3 + lines.length + 1 + items.length + 1) - 1);
	const covers = choices.flatMap((choice) => wrap(`${choice.label}: ${choice.servers.join(', ')}`, width)).slice(0, room);
	const spare = Math.max(0, room - covers.length);
	return (
		<Box flexDirection="column" width={size.columns}>
			<Header view={view} now={now} freshAt={freshAt} width={size.columns} title={`drainboard · with ${name}`} />
			<Text bold color={tint('cyan')}>
				{cell(`TAKE OUT TOGETHER WITH ${name}`, width)}
			</Text>
			<Text> </Text>
			{lines.map((line, index) => (
				<Text key={`text-${index}`} color={index >= lines.length - messageLines.length ? tint('yellow') : undefined}>
					{line}
				</Text>
			))}
			<Text> </Text>
			<Choice items={items} onChoose={onPick} />
			<Text> </Text>
			{covers.map((line, index) => (
				<Text key={`covers-${index}`} dimColor>
					{line}
				</Text>
			))}
			{spare > 0 ? <Box height={spare} /> : null}
			<Text dimColor>{cell('↑↓ choose · Enter take it · Esc back to the grid · q quit', width)}</Text>
		</Box>
	);
}
