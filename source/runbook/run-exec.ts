import {spawn} from 'node:child_process';
import process from 'node:process';

/** How the command of `roll --exec` ended. */
type ExecOutcome = {exitCode: number | null; signal: string | null; error?: string};

/** What the command is told about the server it works on. */
type ExecServer = {backend: string; server: string; address: string; port: number | null};

/** How long a command stopped with SIGTERM (drainboard itself stopped) has before SIGKILL. */
const killGraceMs = 5000;

/**
 * Where the command's output goes: passed straight through (`stdout`; `stderr` when stdout carries
 * the JSON object), or handed over as it comes, stdout and stderr alike (the wizard shows it).
 */
type ExecOutput = 'stdout' | 'stderr' | ((text: string) => void);

/**
 * Runs `command` with `/bin/sh -c`, its output sent to `output`. Its environment names the
 * server: DRAINBOARD_BACKEND, DRAINBOARD_SERVER, DRAINBOARD_ADDRESS, DRAINBOARD_PORT. It runs in a
 * process group of its own, so that `stop` ends everything it started, not only the shell
 * (`sleep`, `ssh`, `systemctl` would otherwise outlive drainboard and run again beside a resumed
 * roll): SIGTERM to the group, then SIGKILL after a grace period; `stop` resolves once the shell
 * has ended. Being its own group, it is not sent the terminal's Ctrl-C: drainboard stops it.
 */
export function runExec(command: string, server: ExecServer, output: ExecOutput): {done: Promise<ExecOutcome>; stop: () => Promise<void>; group: number | undefined} {
	const child = spawn('/bin/sh', ['-c', command], {
		detached: true,
		stdio: ['ignore', output === 'stdout' ? 1 : output === 'stderr' ? 2 : 'pipe', typeof output === 'function' ? 'pipe' : 2],
		env: {
			...process.env,
			DRAINBOARD_BACKEND: server.backend,
			DRAINBOARD_SERVER: server.server,
			DRAINBOARD_ADDRESS: server.address,
			DRAINBOARD_PORT: server.port === null ? '' : String(server.port),
		},
	});
	if (typeof output === 'function') {
		child.stdout?.setEncoding('utf8').on('data', output);
		child.stderr?.setEncoding('utf8').on('data', output);
	}

	let killTimer: NodeJS.Timeout | undefined;
	const done = new Promise<ExecOutcome>((resolve) => {
		child.once('error', (error) => {
			clearTimeout(killTimer);
			resolve({exitCode: null, signal: null, error: error.message});
		});
		child.once('exit', (exitCode, signal) => {
			clearTimeout(killTimer);
			resolve({exitCode, signal});
		});
	});
	const group = (signal: NodeJS.Signals) => {
		try {
			process.kill(-child.pid!, signal);
		} catch {
			// The group is gone already: nothing of the command is left to stop.
		}
	};

	let stopping: Promise<void> | undefined;
	const stop = async () => {
		stopping ??= (async () => {
			if (child.pid === undefined) {
				return;
			}

			if (child.exitCode === null && child.signalCode === null) {
				group('SIGTERM');
				killTimer = setTimeout(() => {
					group('SIGKILL');
				}, killGraceMs);
				await done;
			}

			// What the shell left behind in its group (a command it did not wait for) ends with it.
			group('SIGKILL');
		})();
		return stopping;
	};

	running.add(stop);
	void done.then(() => running.delete(stop));
	// Its own group's id is the shell's pid: the journal keeps it, so a run after a SIGKILL sees the command still going.
	return {done, stop, group: child.pid};
}

/** The stops of the commands running now, so that whoever ends drainboard can wait for them. */
const running = new Set<() => Promise<void>>();

/**
 * Stops every command still running (SIGTERM to its group, SIGKILL after {@link killGraceMs}) and
 * resolves once each has ended; true when there was one. The app awaits it before it returns, so a
 * command that ignores SIGTERM does not outlive drainboard.
 */
export async function stopRunningExecs(onWait?: () => void): Promise<boolean> {
	const stops = [...running];
	if (stops.length > 0) {
		onWait?.();
	}

	await Promise.all(stops.map(async (stop) => stop()));
	return stops.length > 0;
}

/** `exited with 3`, `was killed by SIGTERM`, `could not start (…)`. */
export function execOutcomeText(outcome: ExecOutcome): string {
	if (outcome.error !== undefined) {
		return `could not start (${outcome.error})`;
	}

	return outcome.signal ? `was killed by ${outcome.signal}` : `exited with ${outcome.exitCode ?? 'no code'}`;
}
