import {Box} from 'ink';
import React from 'react';
import {summarizeBackend} from '../model/server-condition.js';
import type {PollView} from '../poll/pool-poller.js';
import {wrap} from '../wrap.js';
import {gridLayout, tableWidth} from './grid/grid-layout.js';
import {Header} from './header.js';
import {BackendLine} from './grid/group-lines.js';
import {ServerLine} from './grid/server-line.js';
import {Choice} from './choice.js';
import {cell} from './format.js';
import {useKeys} from './keys.js';
import {currentServer, rollEnd, rollSummary, skipWarning, type RollPlan} from './roll-plan.js';
import {tint} from './theme.js';
import type {TerminalSize} from './use-terminal-size.js';
import {Text} from './text/shown-text.js';

/** What the operator can choose between two servers of a roll. */
export type RollChoice = 'start' | 'skip' | 'stop';

type Props = {
	plan: RollPlan;
	size: TerminalSize;
	onChoose: (choice: RollChoice) => void;
	onQuit: () => void;
	/** Why the last server could not start (one sentence), shown above the choice. */
	message?: string | null;
	/** The roll's --exec, run at each server's maintain. */
	exec?: string;
	/** What HAProxy shows now: the backend's servers are listed under the choice. */
	view?: PollView;
	now?: number;
	freshAt?: number | null;
};

/**
 * Before each server of a roll (and once after the last): where the roll stands and what comes
 * next, chosen with ↑↓ and Enter. Nothing is sent from here: the server's own maintenance, with
 * its checks and its y before each state change, starts when it is chosen.
 */
export function RollScreen({plan, size, onChoose, onQuit, message, exec, view, now = 0, freshAt}: Props) {
	const width = size.columns - 1;
	const server = currentServer(plan);
	useKeys((input, key) => {
		if (input === 'q') {
			onQuit();
		} else if (key.escape) {
			onChoose('stop');
		}
	});
	const count = plan.servers.length;
	// The header names the backend: `drainboard · roll <backend>`.
	const head = `ROLL · ${count} server${count === 1 ? '' : 's'}, one at a time`;
	// The backend as HAProxy shows it now on every instance; the first's servers are listed in the rows the text leaves.
	const backends = (view?.pool?.instances ?? []).map((instance) => instance.backends.find((candidate) => candidate.name === plan.backend));
	const backend = backends[0];
	const explain =
		server === undefined
			? rollEnd(plan, backends)
			: `Next: ${server} (${plan.index + 1} of ${count}). Each server goes through the whole maintenance (validate … restore${exec === undefined ? '' : `; at maintain it runs --exec: ${exec}`}); the next is offered only once it is back in rotation, so one server of the roll at most is ever out.${skipWarning(plan, backends)}`;
	const layout = gridLayout(size.columns, Math.max(0, ...(backend?.servers ?? []).map((row) => row.server.length)));
	const used = 2 + wrap(rollSummary(plan), width).length + wrap(explain, width).length + (message ? wrap(message, width).length : 0) + 4 + (server === undefined ? 1 : 3);
	const shown = backend ? backend.servers.slice(0, Math.max(1, size.rows - used - 4)) : [];
	// The rows above drawn so far (header, text, choices, backend and its servers), and the keys' line.
	const drawn = used - 2 + (view ? 1 : 0) + (backend ? 1 + shown.length : 0) + 1;
	const spare = Math.max(0, size.rows - 1 - drawn);
	const items: Array<{label: string; value: RollChoice}> =
		server === undefined
			? [{label: 'Back to the grid', value: 'stop'}]
			: [
					{label: `Start the maintenance of ${server}`, value: 'start'},
					{label: `Skip ${server}`, value: 'skip'},
					{label: 'Stop the roll (back to the grid)', value: 'stop'},
				];
	return (
		<Box flexDirection="column" width={size.columns}>
			{view ? <Header view={view} now={now} freshAt={freshAt} width={size.columns} title={`drainboard · roll ${plan.backend}`} /> : null}
			<Text bold color={tint('cyan')}>
				{cell(head, width)}
			</Text>
			{wrap(rollSummary(plan), width).map((line, index) => (
				<Text key={`summary-${index}`}>{line}</Text>
			))}
			<Text> </Text>
			{wrap(explain, width).map((line, index) => (
				<Text key={`explain-${index}`}>{line}</Text>
			))}
			{message
				? wrap(message, width).map((line, index) => (
						<Text key={`message-${index}`} color={tint('yellow')}>
							{line}
						</Text>
					))
				: null}
			<Text> </Text>
			{/* A new list for each offer: the cursor starts on its first option, never where the last one was left. */}
			<Choice key={`${plan.index}:${plan.outcomes.size}`} items={items} onChoose={onChoose} />
			<Text> </Text>
			{backend ? (
				<>
					<BackendLine backend={backend} summary={summarizeBackend(backend)} width={tableWidth(layout)} cursor={false} />
					{shown.map((row) => (
						<ServerLine key={row.server} server={row} layout={layout} cursor={row.server === server} now={layout.changed ? now : 0} />
					))}
				</>
			) : null}
			{/* The room left goes above the keys' line, which stays at the bottom as on the other screens. */}
			{spare > 0 ? <Box height={spare} /> : null}
			<Text dimColor>{cell('↑↓ choose · Enter take it · Esc stop the roll · q quit', width)}</Text>
		</Box>
	);
}
