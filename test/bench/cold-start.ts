/**
 * The cold start (issue 21 §4): `status --json` and the first painted grid of the single
 * executable and of `node dist/cli.js`, run in turn on the same HAProxy, each beside the raw
 * dumps plus a bare start of the same Node, with the targets.
 */
import {performance} from 'node:perf_hooks';
import process from 'node:process';
import {cpuSeconds, median, rawRead, timed, type Timed} from './measure.js';
import {firstFrame, watchOpen} from './pty-runs.js';
import type {Report} from './devices.js';

/** A way to run drainboard: the executable, or a Node with dist/cli.js, and that Node's bare start. */
export type Runner = {name: string; command: string[]; node: string};

const ms = (value: number) => `${value.toFixed(1)} ms`;
const count = (servers: number) => servers.toLocaleString('en-US');

/** CPU time of a pid so far, in ms (clock ticks: 10 ms steps). */
const cpuMsOf = (pid: number) => cpuSeconds(pid) * 1000;

/**
 * The two dumps read raw and at once, as a socat would, in this process: wall time, and CPU time
 * (this process's and HAProxy's, which does most of the work of a dump).
 */
async function rawDumps(socket: string, haproxyPid: number): Promise<{ms: number; cpuMs: number}> {
	const haproxy = cpuMsOf(haproxyPid);
	const ours = process.cpuUsage();
	const started = performance.now();
	await Promise.all([rawRead(socket, 'show servers state'), rawRead(socket, 'show stat -1 6 -1')]);
	const used = process.cpuUsage(ours);
	return {ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 + cpuMsOf(haproxyPid) - haproxy};
}

/**
 * `status --json` of every runner against its bound: ≤ factor × (raw dumps + bare start of its
 * Node), in wall time (the target), and the same ratio in CPU time (the status process and the
 * HAProxy CPU it caused, against the raw dumps' and a bare start's), which a busy machine
 * inflates less.
 */
export async function statusJson(socket: string, servers: number, haproxyPid: number, runners: readonly Runner[], report: Report, rounds = 7): Promise<void> {
	const factor = servers <= 1000 ? 2 : 1.5;
	const nodes = [...new Set(runners.map((runner) => runner.node))];
	const bare = new Map<string, Timed[]>(nodes.map((node) => [node, []]));
	const status = new Map<string, Timed[]>(runners.map((runner) => [runner.name, []]));
	const raw: Array<{ms: number; cpuMs: number}> = [];
	// In turn, round by round: this shared machine's speed drifts from minute to minute.
	for (let round = 0; round < rounds; round++) {
		raw.push(await rawDumps(socket, haproxyPid));
		for (const node of nodes) {
			bare.get(node)!.push(await timed(node, ['-e', '0']));
		}

		for (const runner of runners) {
			const haproxy = cpuMsOf(haproxyPid);
			const run = await timed(runner.command[0]!, [...runner.command.slice(1), 'status', '--json', '--socket', socket]);
			status.get(runner.name)!.push({...run, cpuMs: run.cpuMs + cpuMsOf(haproxyPid) - haproxy});
		}
	}

	const dumps = median(raw.map((run) => run.ms));
	const dumpsCpu = median(raw.map((run) => run.cpuMs));
	for (const runner of runners) {
		const runs = status.get(runner.name)!;
		const bareRuns = bare.get(runner.node)!;
		const wall = median(runs.map((run) => run.ms));
		const cpu = median(runs.map((run) => run.cpuMs));
		const bareWall = median(bareRuns.map((run) => run.ms));
		const bareCpu = median(bareRuns.map((run) => run.cpuMs));
		const base = dumps + bareWall;
		const peak = Math.max(...runs.map((run) => run.peakMb));
		report(
			`status --json at ${count(servers)}: ${runner.name}`,
			`${ms(wall)}, ${ms(cpu)} CPU, ${peak.toFixed(0)} MB`,
			`raw dumps ${ms(dumps)} + bare start ${ms(bareWall)}: ${(wall / base).toFixed(2)}x; in CPU (HAProxy's too) ${ms(dumpsCpu)} + ${ms(bareCpu)}: ${(cpu / (dumpsCpu + bareCpu)).toFixed(2)}x`,
			`≤ ${factor}x`,
			wall <= factor * base,
		);
	}
}

/** Start to the first painted grid (a pseudo-terminal of 80x24) of every runner, in turn. */
export async function firstPaint(socket: string, servers: number, runners: readonly Runner[], report: Report, rounds = 9): Promise<void> {
	const target = servers >= 50_000 ? 700 : 300;
	const frames = new Map<string, Array<{ms: number; cpuMs: number}>>(runners.map((runner) => [runner.name, []]));
	for (let round = 0; round < rounds; round++) {
		for (const runner of runners) {
			frames.get(runner.name)!.push(await firstFrame(`${runner.command.join(' ')} --socket ${socket}`));
		}
	}

	for (const runner of runners) {
		const runs = frames.get(runner.name)!;
		const wall = median(runs.map((run) => run.ms));
		report(`first painted grid at ${count(servers)}: ${runner.name}`, ms(wall), `${ms(median(runs.map((run) => run.cpuMs)))} CPU to that frame; ${rounds} starts`, `< ${target} ms`, wall < target);
	}
}

/** The grid left open on a big HAProxy: its CPU share, the HAProxy CPU it causes, its RSS. */
export async function liveGrid(socket: string, servers: number, haproxyPid: number, runners: readonly Runner[], seconds: number, report: Report): Promise<void> {
	for (const runner of runners) {
		const watched = await watchOpen(`${runner.command.join(' ')} --socket ${socket}`, haproxyPid, seconds);
		if (!watched) {
			report(`live grid at ${count(servers)}: ${runner.name}`, 'did not start', '', '', false);
			continue;
		}

		report(`live grid at ${count(servers)}, CPU: ${runner.name}`, `${watched.cpu.toFixed(1)}% of a core`, `CPU time over ${seconds} s`, '≤ 3%', watched.cpu <= 3);
		report(`  HAProxy CPU it causes`, `${watched.haproxyCpu.toFixed(1)}%`, 'HAProxy\'s CPU time over the same seconds', '≤ 2%', watched.haproxyCpu <= 2);
		report(`  RSS of the open grid`, `${watched.rss.toFixed(0)} MB`, 'peak while watched', '< 150 MB', watched.rss < 150);
	}
}
