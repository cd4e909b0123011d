import {Box, Static} from 'ink';
import React from 'react';
import type {LogItem, RunbookState} from '../../runbook/state.js';
import {clockTime} from '../../time-format.js';
import {tint} from '../theme.js';
import {checkLines, type PanelLine} from './check-lines.js';
import {Text} from '../text/shown-text.js';

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
	return (
		<Static items={items}>
			{(item) => {
				const step = state.steps[item.step];
				return (
					<Box key={item.key} flexDirection="column" marginBottom={1}>
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
			}}
		</Static>
	);
}
