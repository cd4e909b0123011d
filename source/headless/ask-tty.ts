import process from 'node:process';
import {createInterface} from 'node:readline/promises';
import type {Prompt} from '../runbook/state.js';
import {terminalLine, visible} from '../visible-text.js';

/** Asks on the terminal (stderr, so stdout stays clean for --json); anything but y/yes is no; Ctrl-C is SIGINT. */
export async function askOnTerminal(prompt: Prompt): Promise<boolean> {
	const text =
		prompt.kind === 'command'
			? `\n${terminalLine(`Send ${prompt.commands ? 'these commands' : 'this command'} to HAProxy (${prompt.sockets.join(', ')}):`)}${(prompt.commands ?? [prompt.command]).map((line) => terminalLine(`  ${line}`)).join('')}${terminalLine(prompt.why)}Send ${prompt.commands ? 'them' : 'it'}? [y/N] `
			: `\n${visible(prompt.question)} [y/N] `;
	const reader = createInterface({input: process.stdin, output: process.stderr});
	// Ctrl-C at the question is the terminal's SIGINT, whoever reads the keys: the run stops as on any SIGINT.
	reader.on('SIGINT', () => {
		process.kill(process.pid, 'SIGINT');
	});
	try {
		const answer = await reader.question(text);
		return /^y(?:es)?$/i.test(answer.trim());
	} finally {
		reader.close();
	}
}
