import {Box} from 'ink';
import React from 'react';
import type {Prompt} from '../../runbook/state.js';
import {cell} from '../format.js';
import {tint} from '../theme.js';
import {wrap} from '../../wrap.js';
import {Text} from '../text/shown-text.js';

/** The lines of a prompt, so the screen can budget its height. */
export function promptLines(prompt: Prompt, width: number): Array<{text: string; kind: 'head' | 'command' | 'body' | 'keys'}> {
	if (prompt.kind === 'command') {
		return [
			{text: `? Send ${prompt.commands ? 'these commands, in order,' : 'this command'} to HAProxy (${prompt.sockets.join(', ')}):`, kind: 'head'},
			...(prompt.commands ?? [prompt.command]).map((line) => ({text: `  ${line}`, kind: 'command' as const})),
			...wrap(prompt.why, width - 2).map((text) => ({text: `  ${text}`, kind: 'body' as const})),
			{text: '  y send it · n cancel', kind: 'keys'},
		];
	}

	return [...wrap(`? ${prompt.question}`, width).map((text) => ({text, kind: 'head' as const})), {text: `  y ${prompt.yes} · n ${prompt.no}`, kind: 'keys'}];
}

/** A prompt waiting for y or n. Enter does nothing here, on purpose. */
export function PromptBox({prompt, width}: {prompt: Prompt; width: number}) {
	return (
		<Box flexDirection="column">
			{promptLines(prompt, width - 1).map((line, index) => (
				<Text
					key={index}
					color={line.kind === 'head' ? tint('yellow') : line.kind === 'command' ? tint('cyan') : undefined}
					bold={line.kind !== 'body'}
					inverse={line.kind === 'command'}
				>
					{line.kind === 'command' ? line.text : cell(line.text, width - 1).trimEnd()}
				</Text>
			))}
		</Box>
	);
}
