import process from 'node:process';
import {render} from 'ink';
import React from 'react';
import {clientsFor} from '../config/clients.js';
import type {ExitCode} from '../errors.js';
import type {InstanceSnapshot} from '../model/types.js';
import type {Options} from '../options.js';
import type {RuntimeClient} from '../runtime/client.js';
import type {Target} from '../runtime/names.js';
import {prepareMaintenance} from '../runbook/prepare.js';
import {terminalLine} from '../visible-text.js';
import {App, type LabControls} from './app.js';
import {assertTerminal} from './terminal.js';
import type {ExitNote} from './wizard/wizard-app.js';

/** What the caller may have started before the UI was loaded. */
export type InteractiveStart = {clients?: RuntimeClient[]; prefetched?: ReadonlyMap<string, Promise<InstanceSnapshot>>; lab?: LabControls};

/** `drainboard [<backend>/<server>]`: the live grid and the wizard, until the operator quits. */
export async function runInteractive(options: Options, target: Target | undefined, start: InteractiveStart = {}): Promise<ExitCode> {
	assertTerminal();
	const clients = start.clients ?? (await clientsFor(options)).clients;
	const {lab, prefetched} = start;
	const exitNote: {current: ExitNote | null} = {current: null};
	const prepare = async (chosen: Target) => prepareMaintenance(options, chosen, {offerShutdown: true, clients});
	const instance = render(<App clients={clients} initialTarget={target} prepare={prepare} exitNote={exitNote} lab={lab} prefetched={prefetched} />, {
		exitOnCtrlC: true,
		patchConsole: true,
	});
	const stop = () => {
		instance.clear();
		instance.unmount();
	};

	const signals = ['SIGTERM', 'SIGHUP', 'SIGINT'] as const;
	for (const signal of signals) {
		process.once(signal, stop);
	}

	try {
		const result = await instance.waitUntilExit();
		return typeof result === 'number' ? (result as ExitCode) : 0;
	} finally {
		for (const signal of signals) {
			process.removeListener(signal, stop);
		}

		const note = exitNote.current;
		if (note?.drained) {
			// After SIGHUP the terminal may be gone: the note is best effort, the journal has it all.
			process.stderr.on('error', () => undefined);
			process.stderr.write(terminalLine(`${note.target} is still drained (out of rotation). To resume: drainboard ${note.target} (journal: ${note.journal}).`));
		}
	}
}
