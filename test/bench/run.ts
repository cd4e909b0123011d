/**
 * `npm run bench`: drainboard's costs on real HAProxies of 1,000, 10,000 and 50,000 servers (20
 * per backend, no health checks), each beside the raw cost it is held to and its target; the
 * performance devices beside plain versions of themselves; and the requests a maintenance under
 * load loses, beside a naive restart. Method, targets and history: test/bench/README.md.
 *
 * Runs the built code: dist/drainboard-linux-x64 (the single executable, Node 26 inside),
 * dist/cli.js under the same Node 26 and under the Node running the bench, and dist/source/ in
 * this process. No timing assertions live in the tests; this prints figures.
 *   BENCH_SECONDS  how long an open grid is watched (default 60)
 *   BENCH_ONLY     sections to run, comma-separated: 1000, 10000, 50000, devices, zero-loss
 */
import {execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {register} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {executableNode, nodeBuild} from '../../build.mjs';
import type {LoadResult} from '../helpers/load.js';
import {cliPath} from '../helpers/run-cli.js';
import type {TestBed} from '../helpers/test-bed.js';
import {startBigHaproxy} from './big-haproxy.js';
import {firstPaint, liveGrid, statusJson, type Runner} from './cold-start.js';
import {codeCacheDevice, decoderDevices, statusPathDevices, textDevices} from './devices.js';
import {loadAverage, rawRead} from './measure.js';
import {measureZeroLoss} from './zero-loss.js';

// Ink measures and cuts text with the app's own functions, as in the bundle (see ink-text-hook.ts).
// Registered before anything imports Ink: a module resolved before the hook keeps its resolution.
register(new URL('ink-text-hook.ts', import.meta.url));
const {inProcess} = await import('./in-process.js');

const watchSeconds = Number(process.env['BENCH_SECONDS'] ?? 60);
const only = process.env['BENCH_ONLY']?.split(',').map((section) => section.trim());
const runs = (section: string) => only === undefined || only.includes(section);

const executable = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'drainboard-linux-x64');
if (!existsSync(executable)) {
	throw new Error(`${executable} is missing: npm run bench builds it (npm run package).`);
}

const node26 = await nodeBuild(executableNode);
const runners: Runner[] = [
	{name: 'executable', command: [executable], node: node26.binary},
	{name: `node ${node26.version} dist/cli.js`, command: [node26.binary, cliPath], node: node26.binary},
	{name: `node ${process.version.slice(1)} dist/cli.js`, command: [process.execPath, cliPath], node: process.execPath},
];

const rows: string[][] = [];
const report = (what: string, measured: string, reference: string, target: string, met: boolean | null) => {
	rows.push([what, measured, reference, target, met === null ? '' : met ? 'met' : 'MISSED']);
	const notes = [reference, target === '' ? '' : `target ${target}`].filter((note) => note !== '');
	console.error(`  ${what}: ${measured}${notes.length > 0 ? `  (${notes.join('; ')})` : ''}`);
};

const loads: string[] = [loadAverage()];
/** A HAProxy of `backends` x 20 servers for `measure`, stopped after it whatever happens. */
async function withHaproxy(backends: number, measure: (bed: TestBed) => Promise<void>): Promise<void> {
	console.error(`HAProxy with ${backends} backends x 20 servers (load average ${loadAverage()})…`);
	const bed = await startBigHaproxy(backends, 20);
	try {
		const state = await rawRead(bed.adminSocket, 'show servers state');
		const stat = await rawRead(bed.adminSocket, 'show stat -1 6 -1');
		console.error(`  dumps: show servers state ${(state / 1e6).toFixed(2)} MB, show stat ${(stat / 1e6).toFixed(2)} MB`);
		await measure(bed);
	} finally {
		await bed.stop();
		loads.push(loadAverage());
	}
}

if (runs('1000')) {
	await withHaproxy(50, async (bed) => {
		await statusJson(bed.adminSocket, 1000, bed.haproxy.childPid, runners, report);
	});
}

if (runs('10000') || runs('devices')) {
	await withHaproxy(500, async (bed) => {
		if (runs('10000')) {
			await statusJson(bed.adminSocket, 10_000, bed.haproxy.childPid, runners, report);
			await firstPaint(bed.adminSocket, 10_000, runners, report);
			await inProcess(bed.adminSocket, report);
		}

		if (runs('devices')) {
			await decoderDevices(bed.adminSocket, report);
			await statusPathDevices(bed.adminSocket, process.execPath, report);
			await codeCacheDevice(bed.adminSocket, node26.binary, report);
			await textDevices(bed.adminSocket, process.execPath, bed.haproxy.childPid, Math.min(watchSeconds, 20), report);
		}
	});
}

if (runs('50000')) {
	await withHaproxy(2500, async (bed) => {
		await statusJson(bed.adminSocket, 50_000, bed.haproxy.childPid, runners, report, 5);
		await firstPaint(bed.adminSocket, 50_000, runners, report, 7);
		console.error(`  watching the live grid for ${watchSeconds} s each…`);
		await liveGrid(bed.adminSocket, 50_000, bed.haproxy.childPid, runners.slice(0, 2), watchSeconds, report);
	});
}

if (runs('zero-loss')) {
	// Requests lost while a server's service restarts under load: inside a drainboard maintenance
	// (zero-loss.test.ts holds it to none), beside a naive restart (no drain). On its own small HAProxy.
	console.error('A maintenance under load, then a naive restart…');
	const {withDrainboard, naiveRestart} = await measureZeroLoss();
	const lost = (result: LoadResult) => `${result.failed} of ${result.ok + result.failed} failed in ${(result.ms / 1000).toFixed(1)} s${result.failed > 0 ? ` ${JSON.stringify(result.errors)}` : ''}`;
	report('requests lost: drain, stop, start, restore under load', lost(withDrainboard), `naive restart (no drain): ${lost(naiveRestart)}; 8 keep-alive clients, servers answering in 20 ms`, 'none', withDrainboard.failed === 0);
	loads.push(loadAverage());
}

const headings = ['measure', 'drainboard', 'beside', 'target', ''];
const widths = headings.map((heading, column) => Math.max(heading.length, ...rows.map((row) => row[column]!.length)));
const format = (row: string[]) => row.map((cell, index) => cell.padEnd(widths[index]!)).join('  ').trimEnd();
const haproxyVersion = execFileSync('haproxy', ['-v'], {encoding: 'utf8'}).split('\n')[0]!.split(' ')[2];
console.log(`\ndrainboard bench — HAProxy ${haproxyVersion}, Node ${process.version} and ${node26.version}, ${os.cpus().length} cores`);
console.log(`load average (1, 5, 15 min) at the start and after each part: ${loads.join(' | ')}\n`);
console.log(format(headings));
for (const row of rows) {
	console.log(format(row));
}
