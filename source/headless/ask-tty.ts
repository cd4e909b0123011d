import process from 'node:process';
import {createInterface} from 'node:readline/promises';
import type {Prompt} from '../runbook/state.js';

/** Asks on the terminal (stderr, so stdout stays clean for --json); anything but y/yes is no. */
export async function askOnTerminal(prompt: Prompt): Promise<boolean> {
	const text =
		prompt.kind === 'command'
			? `\nSend this command to HAProxy (${prompt.sockets.join(', ')}):\n  ${prompt.command}\n${prompt.why}\nSend it? [y/N] `
			: `\n${prompt.question} [y/N] `;
	const reader = createInterface({input: process.stdin, output: process.stderr});
	try {
		const answer = await reader.question(text);
		return /^y(?:es)?$/i.test(answer.trim());
	} finally {
		reader.close();
	}
}
