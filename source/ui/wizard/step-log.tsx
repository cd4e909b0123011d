import {Box, Static} from 'ink';
import React, {useEffect, useRef} from 'react';
import type {LogItem, RunbookState} from '../../runbook/state.js';
import {clockTime} from '../../time-format.js';
import {tint} from '../theme.js';
import {checkLines, type PanelLine} from './check-lines.js';
import {Text} from '../text/shown-text.js';
import {usePrint} from '../scrollback.js';

export const toneColor: Record<PanelLine['tone'], string | undefined> = {
	pass: 'green',
	warn: 'yellow',
	fail: 'red',
	skip: undefined,
	info: undefined,
	live: 'cyan',
	title: undefined,
};

/**
 * Each finished step attempt, printed once above the live screen: it stays in the terminal's
 * scrollback (and in an SSH session log) as the evidence of the maintenance. Each ends with a
 * blank line: the live screen is one line shorter than the terminal, so the log's last line
 * shows above it, and a fragment of evidence there read like a stray duplicate.
 */
export function StepLog({items, state, width}: {items: LogItem[]; state: RunbookState; width: number}) {
	const print = usePrint();
	const printed = useRef(new Set<string>());
	// In the app: handed to its one Static (see scrollback.tsx), each item once.
	useEffect(() => {
		if (!print) {
			return;
		}

		for (const item of items) {
			if (!printed.current.has(item.key)) {
				printed.current.add(item.key);
				print(<LogEntry item={item} state={state} width={width} />);
			}
		}
	}, [print, items, state, width]);
	// A wizard rendered on its own (component tests) has a Static of its own.
	return print ? null : <Static items={items}>{(item) => <LogEntry key={item.key} item={item} state={state} width={width} />}</Static>;
}

function LogEntry({item, state, width}: {item: LogItem; state: RunbookState; width: number}) {
	const step = state.steps[item.step];
	return (
		<Box flexDirection="column" marginBottom={1}>
			<Text bold color={tint(item.passed ? 'green' : 'red')}>
				{`${item.passed ? '✓' : '✗'} ${item.step} ${item.passed ? 'passed' : 'blocked'} at ${clockTime(item.finishedAt)} — ${state.target}`}
			</Text>
			{step.checks
				.flatMap((check) => checkLines(check, width - 3))
				.map((line, index) => (
					<Text key={index} color={toneColor[line.tone] ? tint(toneColor[line.tone]!) : undefined} dimColor={line.tone === 'info'}>
						{`  ${line.text}`}
					</Text>
				))}
		</Box>
	);
}
