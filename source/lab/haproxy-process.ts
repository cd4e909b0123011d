import {spawn, type ChildProcess} from 'node:child_process';
import {once} from 'node:events';
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import {DrainboardError} from '../errors.js';
import {createRuntimeClient} from '../poll/client.js';
import type {Endpoint} from '../runtime/endpoint.js';

/** A HAProxy started by drainboard (lab) or by the tests, in the foreground, as a child process. */
export type HaproxyProcess = {
	/** The pid `show info` reports (the worker's in master-worker mode). */
	readonly pid: number;
	/** The pid of the child process drainboard started (the master in master-worker mode). */
	readonly childPid: number;
	/** What HAProxy printed (warnings, alerts), last 64 KiB. */
	output(): string;
	/** Graceful reload: `-sf <old pid>` (or SIGUSR2 to the master); waits until the new process answers. */
	reload(): Promise<void>;
	/** Stops HAProxy (SIGTERM, then SIGKILL after 3 s) and waits for it to exit. */
	stop(): Promise<void>;
	/** Synchronous SIGKILL, for exit handlers that cannot wait. */
	kill(): void;
};

type HaproxyStartOptions = {
	binary: string;
	/** One `-f` each (a file or a directory), in order. */
	configPath: string | readonly string[];
	/** The admin socket of the config, used to see HAProxy is up. */
	socket: Endpoint;
	/** Start in master-worker mode with this master CLI socket path. */
	masterSocket?: string;
	cwd?: string;
	/** Variables added to HAProxy's environment. */
	env?: Record<string, string>;
	readyTimeoutMs?: number;
	/**
	 * Listen with SO_REUSEPORT, as HAProxy does by default. Off unless asked (`-dR`): the ports of a
	 * HAProxy started here are picked free, and one that another HAProxy took meanwhile must fail
	 * the start (new ports are picked) rather than be shared with it, half its connections each.
	 */
	reusePort?: boolean;
};

/** HAProxy exited while it started; `portTaken` when a port it was to listen on was taken. */
class HaproxyStartError extends DrainboardError {
	readonly portTaken: boolean;

	constructor(sentence: string, output: string) {
		super(sentence, 3);
		this.name = 'HaproxyStartError';
		this.portTaken = /cannot bind socket \(Address already in use\)/.test(output);
	}
}

/** Starts HAProxy on `options.configPath` and waits until it answers on its admin socket. */
export async function startHaproxy(options: HaproxyStartOptions): Promise<HaproxyProcess> {
	let output = '';
	const children = new Set<ChildProcess>();
	const spawnOne = (extra: string[]) => {
		const files = (typeof options.configPath === 'string' ? [options.configPath] : options.configPath).flatMap((file) => ['-f', file]);
		const flags = options.reusePort ? ['-db'] : ['-db', '-dR'];
		const args = options.masterSocket ? ['-W', ...flags, '-S', options.masterSocket, ...files, ...extra] : [...flags, ...files, ...extra];
		const child = spawn(options.binary, args, {cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], ...(options.env ? {env: {...process.env, ...options.env}} : {})});
		const collect = (chunk: Buffer) => {
			output = (output + chunk.toString('utf8')).slice(-65_536);
		};

		child.stdout?.on('data', collect);
		child.stderr?.on('data', collect);
		children.add(child);
		child.once('exit', () => {
			children.delete(child);
		});
		return child;
	};

	const client = createRuntimeClient(options.socket, {timeoutMs: 1000});
	const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;
	const exitError = async (child: ChildProcess) => {
		// What it printed last (why it exited) may still be on its way through the pipes.
		if (child.stdout?.closed === false || child.stderr?.closed === false) {
			await once(child, 'close');
		}

		return new HaproxyStartError(`HAProxy exited at start (code ${child.exitCode ?? child.signalCode}): ${lastLines(output)}`, output);
	};

	const waitForPid = async (child: ChildProcess, notPid?: number) => {
		const deadline = Date.now() + (options.readyTimeoutMs ?? 10_000);
		while (Date.now() < deadline) {
			if (exited(child)) {
				throw await exitError(child);
			}

			try {
				const info = await client.info();
				if (info.pid !== notPid) {
					return info.pid;
				}
			} catch {
				// Not up yet.
			}

			await delay(50);
		}

		// An exit that lands with the deadline is said as the exit it is (and a port taken is retried).
		if (!exited(child)) {
			await Promise.race([once(child, 'exit'), delay(500)]);
		}

		if (exited(child)) {
			throw await exitError(child);
		}

		throw new HaproxyStartError(`HAProxy did not answer on ${options.socket.label} within ${(options.readyTimeoutMs ?? 10_000) / 1000} s: ${lastLines(output)}`, output);
	};

	let main = spawnOne([]);
	let pid = await waitForPid(main).catch(async (error: unknown) => {
		await stopChildren(children);
		throw error;
	});

	return {
		get pid() {
			return pid;
		},
		get childPid() {
			return main.pid ?? -1;
		},
		output: () => output,
		async reload() {
			const old = pid;
			if (options.masterSocket) {
				main.kill('SIGUSR2');
			} else {
				main = spawnOne(['-sf', String(old)]);
			}

			pid = await waitForPid(main, old);
		},
		async stop() {
			await stopChildren(children);
		},
		kill() {
			for (const child of children) {
				child.kill('SIGKILL');
			}
		},
	};
}

async function stopChildren(children: Set<ChildProcess>): Promise<void> {
	await Promise.all(
		[...children].map(async (child) => {
			if (child.exitCode !== null || child.signalCode !== null) {
				return;
			}

			const exited = new Promise<void>((resolve) => {
				child.once('exit', () => {
					resolve();
				});
			});
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
			await exited;
			clearTimeout(timer);
		}),
	);
}

function lastLines(text: string): string {
	const lines = text.trim().split('\n').filter(Boolean).slice(-3);
	return lines.length > 0 ? lines.join(' / ') : 'no output';
}
