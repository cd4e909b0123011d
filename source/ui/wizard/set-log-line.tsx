import {Box} from 'ink';
import React from 'react';
import {wrap} from '../../wrap.js';
import {tint} from '../theme.js';
import {Text} from '../text/shown-text.js';
import {useTerminalSize} from '../use-terminal-size.js';

/** A line of the set maintenance's log in its colour: a failure red, a warning yellow. */
export function setLineColor(line: string): string | undefined {
	return line.startsWith('✗') || line.includes(' ✗ ') ? tint('red') : line.startsWith('!') || line.includes(' ! ') ? tint('yellow') : undefined;
}

/**
 * One finished line of the set maintenance, printed once into the terminal's scrollback: wrapped
 * at word boundaries as the screen wraps it (Ink's own wrap starts the next row with the space).
 */
export function SetLogLine({line}: {line: string}) {
	const {columns} = useTerminalSize();
	const color = setLineColor(line);
	return (
		<Box flexDirection="column">
			{wrap(line, Math.max(20, columns - 1)).map((row, index) => (
				<Text key={index} color={color}>
					{row}
				</Text>
			))}
		</Box>
	);
}
