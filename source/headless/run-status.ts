import process from 'node:process';
import {clientsFor} from '../poll/clients.js';
import type {ExitCode} from '../errors.js';
import type {Options} from '../options.js';
import {findBackend} from '../poll/find-target.js';
import {parseName} from '../runtime/names.js';
import {terminalLine} from '../visible-text.js';
import {runStatus} from './status.js';

/** `drainboard status [--backend B] [--json] [--journal F]`. */
export async function statusCommand(options: Options): Promise<ExitCode> {
	const named = options.backend === undefined ? undefined : parseName(options.backend, 'backend');
	const {clients, notes} = await clientsFor(options);
	for (const note of notes) {
		process.stderr.write(terminalLine(note));
	}

	const backend = named === undefined ? undefined : await findBackend(clients, named);
	const width = process.stdout.isTTY ? process.stdout.columns : Number(process.env['COLUMNS']) || 80;
	const said = await runStatus(clients, {backend, json: options.json, width, journal: options.journal, flags: options}, (text) => process.stdout.write(text));
	for (const note of said) {
		process.stderr.write(terminalLine(note));
	}

	return 0;
}
