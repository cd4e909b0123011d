import path from 'node:path';
import process from 'node:process';
import type {ExitCode} from '../errors.js';
import type {Options} from '../options.js';
import {startLab} from './lab.js';
import {importInteractive} from '../ui/import-ui.js';
import {assertTerminal} from '../ui/terminal.js';
import {findHaproxy} from '../config/find-haproxy.js';

/**
 * `drainboard lab`: a disposable HAProxy and demo servers on loopback, and the app on them.
 * Whatever ends it (q, Ctrl-C, SIGTERM, SIGHUP, a crash), every process it started stops and
 * its temp dir goes.
 */
export async function runLab(options: Options): Promise<ExitCode> {
	// A missing HAProxy, then a missing terminal, said before any HAProxy or demo server starts.
	await findHaproxy(options.haproxy);
	assertTerminal();
	const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
	let lab: Awaited<ReturnType<typeof startLab>> | undefined;
	// Until the app is up, a signal ends the lab at once; once it is, the app ends on it and returns.
	const early = (signal: NodeJS.Signals) => {
		void (lab?.stop() ?? Promise.resolve()).finally(() => {
			process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGHUP' ? 129 : 143);
		});
	};

	for (const signal of signals) {
		process.once(signal, early);
	}

	try {
		lab = await startLab({haproxy: options.haproxy});
		for (const signal of signals) {
			process.removeListener(signal, early);
		}

		const {runInteractive} = await importInteractive();
		// No --url unless given: the probes are derived from the lab's configuration, as on a real host.
		const labOptions: Options = {...options, socket: [lab.socket], config: lab.configPath, journal: options.journal ?? lab.journal};
		const started = lab;
		return await runInteractive(labOptions, undefined, {lab: {dir: lab.dir, socket: lab.socket, journal: path.resolve(labOptions.journal ?? lab.journal), toggle: async (servers) => started.toggleAll(servers)}});
	} finally {
		for (const signal of signals) {
			process.removeListener(signal, early);
		}

		if (lab) {
			await lab.stop();
			// After the app's screen is gone: what the lab left behind (nothing), in one line.
			// The journal the wizard's summaries named went with it, unless --journal put it elsewhere.
			const journal = options.journal === undefined ? ' with the lab\'s journal' : `; the journal ${options.journal} stays`;
			process.stderr.write(`drainboard lab ended: HAProxy and the demo servers are stopped, ${lab.dir} is removed${journal}.\n`);
		}
	}
}
