import {Box} from 'ink';
import React from 'react';
import type {Prompt} from '../../runbook/state.js';
import {Choice} from '../choice.js';
import {cell} from '../format.js';
import {tint} from '../theme.js';
import {wrap} from '../../wrap.js';
import {Text} from '../text/shown-text.js';

/** Questions answered from a list (↑↓ Enter, or y / n): they send nothing to HAProxy. */
const choices: ReadonlySet<string> = new Set(['resume']);

/** The prompt is a {@link Choice}: Enter takes the option under the cursor. */
function isChoice(prompt: Prompt): boolean {
	return prompt.kind === 'question' && choices.has(prompt.id);
}

/** The lines of a prompt, so the screen can budget its height. */
export function promptLines(prompt: Prompt, width: number): Array<{text: string; kind: 'head' | 'command' | 'body' | 'choice'}> {
	if (prompt.kind === 'command') {
		return [
			// The sockets in full, on as many lines as they need: which HAProxy gets it is the point of the question.
			...wrap(`? Send ${prompt.commands ? 'these commands, in order,' : 'this command'} to HAProxy (${prompt.sockets.join(', ')}):`, width).map((text) => ({text, kind: 'head' as const})),
			...(prompt.commands ?? [prompt.command]).map((line) => ({text: `  ${line}`, kind: 'command' as const})),
			...wrap(prompt.why, width - 2).map((text) => ({text: `  ${text}`, kind: 'body' as const})),
		];
	}

	const head = wrap(`? ${prompt.question}`, width).map((text) => ({text, kind: 'head' as const}));
	if (isChoice(prompt)) {
		return [...head, {text: `y ${prompt.yes}`, kind: 'choice'}, {text: `n ${prompt.no}`, kind: 'choice'}];
	}

	// Its answers are the keys line under it (promptKeys), where every screen shows its keys: not said twice.
	return head;
}

/** The keys line under an open prompt (the same on every screen). */
export function promptKeys(prompt: Prompt): string {
	if (isChoice(prompt)) {
		return '↑↓ choose · Enter take it · or y / n';
	}

	return prompt.kind === 'command' ? 'y send it · n cancel' : `y ${prompt.yes} · n ${prompt.no}`;
}

/** A prompt waiting for y or n. Enter does nothing here, on purpose, but in a choice (which sends nothing). */
export function PromptBox({prompt, width, onAnswer}: {prompt: Prompt; width: number; onAnswer: (yes: boolean) => void}) {
	const lines = promptLines(prompt, width - 1);
	return (
		<Box flexDirection="column">
			{lines
				.filter((line) => line.kind !== 'choice')
				.map((line, index) => (
				<Text
					key={index}
					color={line.kind === 'head' ? tint('yellow') : line.kind === 'command' ? tint('cyan') : undefined}
					bold={line.kind !== 'body'}
					inverse={line.kind === 'command'}
				>
					{line.kind === 'command' ? line.text : cell(line.text, width - 1).trimEnd()}
				</Text>
			))}
			{isChoice(prompt) ? (
				<Box paddingLeft={2} width={width - 1}>
					<Choice items={lines.filter((line) => line.kind === 'choice').map((line, index) => ({label: line.text, value: index === 0}))} onChoose={onAnswer} />
				</Box>
			) : null}
		</Box>
	);
}
