import process from 'node:process';
import {clientsFor} from '../config/clients.js';
import type {ExitCode} from '../errors.js';
import type {Options} from '../options.js';
import {parseName} from '../runtime/names.js';
import {terminalLine} from '../visible-text.js';
import {runStatus} from './status.js';

/** `drainboard status [--backend B] [--json]`. */
export async function statusCommand(options: Options): Promise<ExitCode> {
	const backend = options.backend === undefined ? undefined : parseName(options.backend, 'backend');
	const {config, clients, notes} = await clientsFor(options);
	for (const note of notes) {
		process.stderr.write(terminalLine(note));
	}

	if (options.config !== undefined && config.sections === null) {
		process.stderr.write(terminalLine(`Note: ${config.problem}; using ${clients.map((client) => client.socket).join(', ')}.`));
	}

	const width = process.stdout.isTTY ? process.stdout.columns : Number(process.env['COLUMNS']) || 80;
	await runStatus(clients, {backend, json: options.json, width}, (text) => process.stdout.write(text));
	return 0;
}
