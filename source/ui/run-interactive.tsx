import process from 'node:process';
import {render} from 'ink';
import React from 'react';
import {defaultConfigPath, loadConfig} from '../config/load-config.js';
import {resolveSockets} from '../config/resolve-sockets.js';
import {UsageError, type ExitCode} from '../errors.js';
import type {Options} from '../options.js';
import {createRuntimeClient} from '../runtime/client.js';
import type {Target} from '../runtime/names.js';
import {prepareMaintenance} from '../runbook/prepare.js';
import {App, type LabControls} from './app.js';
import type {ExitNote} from './wizard/wizard-app.js';

/** `drainboard [<backend>/<server>]`: the live grid and the wizard, until the operator quits. */
export async function runInteractive(options: Options, target: Target | undefined, lab?: LabControls): Promise<ExitCode> {
	if (!process.stdin.isTTY) {
		throw new UsageError('The interactive app needs a terminal, and stdin is not one; use "drainboard status" for a snapshot, or drain/restore with --yes in scripts.');
	}

	const config = await loadConfig(options.config ?? defaultConfigPath);
	const {endpoints} = resolveSockets(options.socket, config);
	const clients = endpoints.map((endpoint) => createRuntimeClient(endpoint, {timeoutMs: options.timeout * 1000}));
	const exitNote: {current: ExitNote | null} = {current: null};
	const prepare = async (chosen: Target) => prepareMaintenance(options, chosen, {offerShutdown: true, clients});
	const instance = render(<App clients={clients} initialTarget={target} prepare={prepare} exitNote={exitNote} lab={lab} />, {exitOnCtrlC: true, patchConsole: true});
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
			process.stderr.write(`${note.target} is still drained (out of rotation). To resume: drainboard ${note.target} (journal: ${note.journal}).\n`);
		}
	}
}
