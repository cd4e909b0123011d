import {execFileSync, spawn, type ChildProcess} from 'node:child_process';
import {readFileSync} from 'node:fs';
import net from 'node:net';
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

/** Runs a command under /usr/bin/time; returns wall ms and peak RSS in MB. */
export async function wallAndPeak(command: string, args: string[]): Promise<{ms: number; peakMb: number}> {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const child = spawn('/usr/bin/time', ['-f', '%M', command, ...args], {stdio: ['ignore', 'ignore', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (chunk: Buffer) => {
			stderr += chunk.toString();
		});
		child.on('error', reject);
		child.on('close', (code) => {
			const ms = performance.now() - started;
			const kb = Number(stderr.trim().split('\n').at(-1));
			if (code !== 0) {
				reject(new Error(`${command} exited ${code}: ${stderr}`));
				return;
			}

			resolve({ms, peakMb: kb / 1024});
		});
	});
}

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
