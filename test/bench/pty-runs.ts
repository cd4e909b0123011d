import process from 'node:process';
import {performance} from 'node:perf_hooks';
import {setTimeout as delay} from 'node:timers/promises';
import {childOf, cpuSeconds, inPty, rssMb} from './measure.js';

/** A start of the grid in a pseudo-terminal (80x24): wall time and CPU time to the first painted server. */
export type FirstFrame = {ms: number; cpuMs: number};

/** Starts `command` (the app, given a socket) in a pseudo-terminal; time to a grid showing a server. */
export async function firstFrame(command: string): Promise<FirstFrame> {
	const started = performance.now();
	const run = inPty(command, 80, 24);
	let pid: number | undefined;
	let cpuMs = Number.NaN;
	while (performance.now() - started < 15_000) {
		pid ??= run.child.pid === undefined ? undefined : childOf(run.child.pid);
		if (/srv0\d/.test(run.output())) {
			if (pid !== undefined) {
				cpuMs = cpuSeconds(pid) * 1000;
			}

			break;
		}

		await delay(2);
	}

	const ms = performance.now() - started;
	run.child.kill('SIGTERM');
	if (pid !== undefined) {
		try {
			process.kill(pid, 'SIGTERM');
		} catch {
			// Already gone with its terminal.
		}
	}

	await new Promise((resolve) => run.child.once('close', resolve));
	return {ms, cpuMs};
}

/** The grid left open: its CPU share of a core, the HAProxy CPU it causes, its peak RSS. */
export type Watched = {cpu: number; haproxyCpu: number; rss: number};

/** Opens `command` in a pseudo-terminal, lets it settle 4 s, then watches it for `seconds`. */
export async function watchOpen(command: string, haproxyPid: number, seconds: number): Promise<Watched | undefined> {
	const run = inPty(command, 80, 24);
	await delay(4000);
	const pid = run.child.pid === undefined ? undefined : childOf(run.child.pid);
	if (!pid) {
		run.child.kill('SIGKILL');
		await new Promise((resolve) => run.child.once('close', resolve));
		return undefined;
	}

	const cpu0 = cpuSeconds(pid);
	const haproxyCpu0 = cpuSeconds(haproxyPid);
	let peak = rssMb(pid);
	const started = performance.now();
	while (performance.now() - started < seconds * 1000) {
		peak = Math.max(peak, rssMb(pid));
		await delay(1000);
	}

	const elapsed = (performance.now() - started) / 1000;
	const result = {cpu: ((cpuSeconds(pid) - cpu0) / elapsed) * 100, haproxyCpu: ((cpuSeconds(haproxyPid) - haproxyCpu0) / elapsed) * 100, rss: peak};
	run.child.kill('SIGTERM');
	try {
		process.kill(pid, 'SIGTERM');
	} catch {
		// Already gone with its terminal.
	}

	await new Promise((resolve) => run.child.once('close', resolve));
	return result;
}
