import type {ChildProcess} from 'node:child_process';
import {mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {checkConfig} from '../config/check-config.js';
import {findHaproxy} from '../config/find-haproxy.js';
import {DrainboardError} from '../errors.js';
import {parseEndpoint} from '../runtime/endpoint.js';
import {lockDirectory} from '../runbook/backend-lock.js';
import {forgetMarksOf} from '../runbook/drain-mark.js';
import {startDemoBackend, type DemoBackend} from './demo-backend.js';
import {startOnFreePorts, type PortPicker} from './free-port.js';
import {startHaproxy, type HaproxyProcess} from './haproxy-process.js';
import {labConfig, labDemoNames} from './lab-config.js';
import {startWatchdog} from './watchdog.js';

/** A running lab: where things are, and how to drive and stop it. */
export type Lab = {
	dir: string;
	socket: string;
	configPath: string;
	url: string;
	journal: string;
	demos: Map<string, DemoBackend>;
	/** Stops or starts the demo server named `server`; says what it did. */
	toggle(server: string): Promise<string>;
	/**
	 * The demo servers of a maintenance of several (`s` on its screen): stops those that run, or,
	 * when none does, starts them all; says what it did to each, in one sentence.
	 */
	toggleAll(servers: readonly string[]): Promise<string>;
	/** Stops HAProxy and the demo servers and removes the temp dir (idempotent). */
	stop(): Promise<void>;
};

const prefix = 'drainboard-lab-';

/** What the lab starts with. */
type LabOptions = {
	/** The --haproxy flag: the binary to run (default: the one on PATH). */
	haproxy?: string;
	/** Where the frontend's port comes from (default: a free one; tests give a taken one first). */
	pickPort?: PortPicker;
};

/**
 * Starts a disposable lab: demo HTTP servers on free 127.0.0.1 ports, a configuration with an
 * admin stats socket in a temp dir, checked with `haproxy -c`, and a real HAProxy on it. When the
 * frontend's port was taken before HAProxy bound it, the lab starts again on another. Every
 * exit path removes it all; a lab killed with SIGKILL is cleaned up by its watchdog (watchdog.ts),
 * and swept on the next start should the watchdog be gone too.
 */
export async function startLab(options: LabOptions = {}): Promise<Lab> {
	const binary = await findHaproxy(options.haproxy);
	sweepStaleLabs();
	const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
	writeFileSync(path.join(dir, 'lab.pid'), String(process.pid));
	const demos = new Map<string, DemoBackend>();
	let haproxy: HaproxyProcess | undefined;
	let watchdog: ChildProcess | undefined;
	let stopped = false;
	const killNow = () => {
		haproxy?.kill();
		rmSync(dir, {recursive: true, force: true});
	};

	process.once('exit', killNow);
	const stop = async () => {
		if (stopped) {
			return;
		}

		stopped = true;
		process.removeListener('exit', killNow);
		watchdog?.kill('SIGKILL');
		// The lab's drains end with its HAProxy: so do the notes of whose they were.
		if (haproxy) {
			forgetMarksOf(lockDirectory(), haproxy.pid, path.join(dir, 'admin.sock'));
		}

		await haproxy?.stop();
		await Promise.all([...demos.values()].map(async (demo) => demo.stop()));
		rmSync(dir, {recursive: true, force: true});
	};

	try {
		for (const name of labDemoNames) {
			demos.set(name, await startDemoBackend(name));
		}

		const configPath = path.join(dir, 'haproxy.cfg');
		const socket = path.join(dir, 'admin.sock');
		const servers = Object.fromEntries([...demos].map(([name, demo]) => [name, demo.port]));
		const {frontend, started} = await startOnFreePorts(
			async (pick) => {
				const port = await pick();
				await writeFile(configPath, labConfig({frontend: port, dir, servers}));
				const check = await checkConfig(binary, configPath);
				if (!check.ok) {
					throw new DrainboardError(`The lab's configuration did not pass haproxy -c (${check.alerts[0] ?? check.output.split('\n').at(-1) ?? 'no output'}).`, 3);
				}

				return {frontend: port, started: await startHaproxy({binary, configPath, socket: parseEndpoint(socket), cwd: dir})};
			},
			{pick: options.pickPort},
		);
		haproxy = started;
		writeFileSync(path.join(dir, 'haproxy.pid'), String(started.childPid));
		// Ends HAProxy and the temp dir should this process be killed outright.
		watchdog = startWatchdog(dir, lockDirectory(), socket);
		const toggle = async (server: string): Promise<string> => {
			const demo = demos.get(server);
			if (!demo) {
				return `${server} is not a demo server of the lab.`;
			}

			if (demo.running) {
				await demo.stop();
				return `lab: ${server} stopped; HAProxy sees it DOWN within about 2 s. s starts it again.`;
			}

			try {
				await demo.start();
			} catch (error) {
				// A stopped service frees its port: another program may have taken it meanwhile.
				if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
					return `lab: ${server} cannot start: another program took port ${demo.port}. q ends the lab.`;
				}

				throw error;
			}

			return `lab: ${server} started; HAProxy sees it UP after two good checks (about 2 s).`;
		};

		return {
			dir,
			socket,
			configPath,
			url: `http://127.0.0.1:${frontend}/`,
			journal: path.join(dir, 'journal.jsonl'),
			demos,
			toggle,
			async toggleAll(servers) {
				const named = [...new Set(servers)].filter((server) => demos.has(server));
				const running = named.filter((server) => demos.get(server)?.running);
				if (named.length <= 1) {
					return toggle(named[0] ?? servers[0] ?? '');
				}

				if (running.length > 0) {
					await Promise.all(running.map(async (server) => demos.get(server)?.stop()));
					return `lab: ${running.join(', ')} stopped; HAProxy sees them DOWN within about 2 s. s starts them again.`;
				}

				const said = await Promise.all(named.map(async (server) => toggle(server)));
				const refused = said.filter((text) => !text.endsWith('(about 2 s).'));
				return refused.length === 0 ? `lab: ${named.join(', ')} started; HAProxy sees them UP after two good checks (about 2 s).` : said.join(' ');
			},
			stop,
		};
	} catch (error) {
		await stop();
		throw error;
	}
}

/** Removes labs whose drainboard process is gone (killed with SIGKILL), and their HAProxy and its drain marks. */
function sweepStaleLabs(): void {
	let entries: string[];
	try {
		entries = readdirSync(os.tmpdir()).filter((name) => name.startsWith(prefix));
	} catch {
		return;
	}

	for (const name of entries) {
		const dir = path.join(os.tmpdir(), name);
		const owner = readPid(path.join(dir, 'lab.pid'));
		if (owner !== undefined && isAlive(owner)) {
			continue;
		}

		const haproxyPid = readPid(path.join(dir, 'haproxy.pid'));
		if (haproxyPid !== undefined && isAlive(haproxyPid) && isLabHaproxy(haproxyPid, dir)) {
			process.kill(haproxyPid, 'SIGKILL');
			forgetMarksOf(lockDirectory(), haproxyPid, path.join(dir, 'admin.sock'));
		}

		rmSync(dir, {recursive: true, force: true});
	}
}

function readPid(file: string): number | undefined {
	try {
		const pid = Number(readFileSync(file, 'utf8').trim());
		return Number.isInteger(pid) && pid > 0 ? pid : undefined;
	} catch {
		return undefined;
	}
}

/** A process that runs (a zombie, killed but not reaped by a parent that died too, does not). */
export function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}

	try {
		return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return true;
	}
}

/** The process is the lab's HAProxy, run on its config in `dir`: never another HAProxy that got the pid since (the host's own). */
function isLabHaproxy(pid: number, dir: string): boolean {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(path.join(dir, 'haproxy.cfg'));
	} catch {
		return false;
	}
}
