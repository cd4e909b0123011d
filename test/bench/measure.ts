import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import {readFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import process from 'node:process';
import {performance} from 'node:perf_hooks';

export function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

export async function timeIt(run: () => Promise<unknown>, rounds: number): Promise<number[]> {
	const times: number[] = [];
	for (let round = 0; round < rounds; round++) {
		const started = performance.now();
		await run();
		times.push(performance.now() - started);
	}

	return times;
}

/** A plain socket client: one line, read to EOF, nothing else (the raw cost of a dump). */
export async function rawRead(socketPath: string, line: string): Promise<number> {
	return new Promise((resolve, reject) => {
		let bytes = 0;
		const socket = net.createConnection(socketPath);
		socket.on('connect', () => socket.write(`${line}\n`));
		socket.on('data', (chunk) => {
			bytes += chunk.length;
		});
		socket.on('end', () => {
			resolve(bytes);
		});
		socket.on('error', reject);
	});
}

/** A run of a command: wall time, CPU time (user + system) and peak RSS. */
export type Timed = {ms: number; cpuMs: number; peakMb: number};

/**
 * Runs a command to completion, its output discarded, under a small Python parent that forks,
 * `exec`s it and reads its `wait4` resource usage: wall and CPU time to the microsecond (GNU
 * time prints hundredths) and peak RSS. The wall time is taken around fork and wait, so Python's
 * own start is not in it.
 */
export async function timed(command: string, args: string[], env: Record<string, string> = {}): Promise<Timed> {
	const script = [
		'import os, sys, time',
		't = time.perf_counter()',
		'pid = os.fork()',
		'if pid == 0:',
		'    fd = os.open(os.devnull, os.O_RDWR)',
		'    os.dup2(fd, 0); os.dup2(fd, 1)',
		'    os.execvp(sys.argv[1], sys.argv[1:])',
		'_, status, usage = os.wait4(pid, 0)',
		'wall = time.perf_counter() - t',
		'print(wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))',
	].join('\n');
	return new Promise((resolve, reject) => {
		const child = spawn(python, ['-c', script, command, ...args], {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, ...env}});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk: Buffer) => {
			stdout += chunk.toString();
		});
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
		});
		child.on('error', reject);
		child.on('close', () => {
			const [ms, cpuMs, peakMb, code] = stdout.trim().split(' ').map(Number);
			if (code !== 0 || ms === undefined || Number.isNaN(ms)) {
				reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
				return;
			}

			resolve({ms, cpuMs: cpuMs!, peakMb: peakMb!});
		});
	});
}

/** Python 3 itself, not a version manager's shim (which would start a shell at every run). */
const python = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {encoding: 'utf8'}).trim();

/** The load average of the machine (1, 5, 15 minutes), as the bench prints it beside its figures. */
export const loadAverage = () => os.loadavg().map((load) => load.toFixed(2)).join(' ');

const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], {encoding: 'utf8'}).trim()) || 100;

/** CPU seconds a process used so far (user + system). */
export function cpuSeconds(pid: number): number {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

/** Resident memory of a process now, in MB. */
export function rssMb(pid: number): number {
	const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
	return match ? Number(match[1]) / 1024 : 0;
}

/** A command in a pseudo-terminal of a given size (util-linux `script`), its output as it comes. */
export function inPty(command: string, columns: number, rows: number, env: Record<string, string> = {}): {child: ChildProcess; output: () => string} {
	let output = '';
	const child = spawn('script', ['-qfec', `stty rows ${rows} cols ${columns}; exec ${command}`, '/dev/null'], {
		env: {...process.env, TERM: 'xterm-256color', ...env},
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	child.stdout?.on('data', (chunk: Buffer) => {
		output += chunk.toString('utf8');
	});
	return {child, output: () => output};
}

/** The first child of a process (the program `script` runs: it `exec`s it in its shell). */
export function childOf(pid: number): number | undefined {
	try {
		const pids = execFileSync('pgrep', ['-P', String(pid)], {encoding: 'utf8'}).trim();
		return pids ? Number(pids.split('\n')[0]) : undefined;
	} catch {
		return undefined;
	}
}
