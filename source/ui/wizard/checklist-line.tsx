import Spinner from 'ink-spinner';
import React from 'react';
import type {RunbookState} from '../../runbook/state.js';
import {stepIds} from '../../runbook/steps.js';
import {tint} from '../theme.js';
import {Text} from '../text/shown-text.js';

/**
 * The six steps on one line: ✓ done, spinner running, ? waiting for the operator's answer (`asking`:
 * a question of the step is open, not the quit's: the step waits for the answer), ✗ blocked, ▶ current, · pending.
 */
export function ChecklistLine({state, asking = false}: {state: Pick<RunbookState, 'steps' | 'current' | 'finished'>; asking?: boolean}) {
	return (
		<Text wrap="truncate-end">
			{stepIds.map((id, index) => {
				const step = state.steps[id];
				const current = id === state.current && !state.finished;
				const separator = index > 0 ? <Text dimColor> › </Text> : ' ';
				if (step.status === 'running') {
					return (
						<Text key={id}>
							{separator}
							{asking ? <Text color={tint('yellow')}>?</Text> : <Text color={tint('cyan')}><Spinner type="dots" /></Text>}
							<Text bold> {id}</Text>
						</Text>
					);
				}

				const [symbol, color] =
					step.status === 'passed' ? ['✓', 'green'] : step.status === 'failed' ? ['✗', 'red'] : current ? ['▶', 'cyan'] : step.status === 'skipped' ? ['–', undefined] : ['·', undefined];
				return (
					<Text key={id}>
						{separator}
						<Text color={color ? tint(color) : undefined} dimColor={!color}>
							{symbol}
						</Text>
						<Text bold={current} dimColor={!current && (step.status === 'pending' || step.status === 'skipped')}>
							{` ${id}`}
						</Text>
					</Text>
				);
			})}
		</Text>
	);
}
