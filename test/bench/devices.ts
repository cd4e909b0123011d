/**
 * The performance devices of drainboard, each beside a plain version of itself, at 10,000
 * servers (`npm run bench`): what decided which of them stay (test/bench/README.md).
 */
import {isDeepStrictEqual} from 'node:util';
import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {performance} from 'node:perf_hooks';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import type {DumpReader} from '../../source/decode/dump-reader.js';
import {decodeInfo} from '../../source/decode/info.js';
import {decodeServersState, readServersState, serversStateReader} from '../../source/decode/servers-state.js';
import {decodeStat, readStat, statReader} from '../../source/decode/stat.js';
import {buildInstanceSnapshot, toInstance} from '../../source/model/build-snapshot.js';
import type {Backend} from '../../source/model/types.js';
import {createRuntimeClient} from '../../source/poll/client.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {splitReplies} from '../../source/runtime/replies.js';
import {sendLineBytes} from '../../source/runtime/transport.js';
import {bundleWithoutTextAliases} from '../../build.mjs';
import {median, timed} from './measure.js';
import {plainBackends, plainServersState, plainStat} from './plain-decode.js';
import {firstFrame, watchOpen} from './pty-runs.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const benchDist = path.join(root, 'dist', 'bench');

export type Report = (what: string, measured: string, reference: string, target: string, met: boolean | null) => void;
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** CPU (user + system, every thread of this process) and wall time of `run`, in ms. */
function cpuAndWall(run: () => unknown): {cpuMs: number; ms: number} {
	const cpu = process.cpuUsage();
	const started = performance.now();
	run();
	const used = process.cpuUsage(cpu);
	return {cpuMs: (used.user + used.system) / 1000, ms: performance.now() - started};
}

/**
 * Variants timed in blocks of `perBlock`, in turn, `pairs` times (each block's garbage is
 * collected in the next one's time, whichever it is): median CPU and wall of each.
 */
function inTurn(variants: Record<string, () => unknown>, pairs = 6, perBlock = 5): Record<string, {cpuMs: number; ms: number}> {
	const runs: Record<string, Array<{cpuMs: number; ms: number}>> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
	for (let pair = 0; pair < pairs; pair++) {
		for (const [name, run] of Object.entries(variants)) {
			for (let round = 0; round < perBlock; round++) {
				runs[name]!.push(cpuAndWall(run));
			}
		}
	}

	return Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, {cpuMs: median(list.map((run) => run.cpuMs)), ms: median(list.map((run) => run.ms))}]));
}

/** A reply fed in 64 KB chunks, as the socket hands it over. */
function fed<T>(reader: DumpReader<T>, reply: Buffer): T {
	for (let at = 0; at < reply.length; at += 65_536) {
		reader.push(reply.subarray(at, at + 65_536));
	}

	return reader.finish();
}

/**
 * The columnar decoder against a plain split-and-map one. (Its tables' buffers used to be kept
 * for the next read of the same dump; that was measured here and removed: test/bench/README.md.)
 */
export async function decoderDevices(socket: string, report: Report): Promise<void> {
	const endpoint = parseEndpoint(socket);
	const state = await sendLineBytes(endpoint, 'show servers state', {timeoutMs: 10_000});
	const stat = await sendLineBytes(endpoint, 'show stat -1 6 -1', {timeoutMs: 10_000});
	const instance = toInstance(socket, decodeInfo((await sendLineBytes(endpoint, 'show info', {timeoutMs: 10_000})).toString('utf8')));
	// The same records either way, or the comparison means nothing.
	if (!isDeepStrictEqual(plainServersState(state), decodeServersState(state)) || !isDeepStrictEqual(plainStat(stat), decodeStat(stat))) {
		throw new Error('The plain decoders disagree with the app\'s: fix test/bench/plain-decode.ts.');
	}

	// The model either way: the columnar tables read by build-snapshot.ts, or the plain records
	// matched by id (plainBackends); the same servers, but for the time each was read at.
	const columnarModel = () => buildInstanceSnapshot(instance, readServersState(state), readStat(stat)).backends;
	const withoutTime = (backends: Backend[]) => backends.map((backend) => ({...backend, servers: backend.servers.map(({changedAt: _, ...server}) => server)}));
	if (!isDeepStrictEqual(withoutTime(columnarModel()), withoutTime(plainBackends(socket, state, stat)))) {
		throw new Error('The plain model disagrees with the app\'s: fix test/bench/plain-decode.ts.');
	}

	const times = inTurn({
		plain: () => [plainServersState(state), plainStat(stat)],
		columnar: () => [decodeServersState(state), decodeStat(stat)],
		plainModel: () => plainBackends(socket, state, stat),
		columnarModel,
		streamed: () => [fed(serversStateReader(), state), fed(statReader(), stat)],
	});
	const gain = (device: {cpuMs: number}, plain: {cpuMs: number}) => {
		const less = (1 - device.cpuMs / plain.cpuMs) * 100;
		return less >= 0 ? `${less.toFixed(0)}% less CPU` : `${(-less).toFixed(0)}% more CPU`;
	};
	report('device: columnar decoder, both dumps to the model', `${ms(times['columnarModel']!.cpuMs)} CPU`, `plain split, records, model ${ms(times['plainModel']!.cpuMs)} CPU: ${gain(times['columnarModel']!, times['plainModel']!)}`, 'a gain', times['columnarModel']!.cpuMs < times['plainModel']!.cpuMs);
	report('  both dumps to records', `${ms(times['columnar']!.cpuMs)} CPU`, `plain split-and-map ${ms(times['plain']!.cpuMs)} CPU: ${gain(times['columnar']!, times['plain']!)}`, '', null);
	report('  both dumps streamed in 64 KB chunks, tables only', `${ms(times['streamed']!.cpuMs)} CPU`, 'what a poll decodes before the model', '', null);

	// The same, end to end: a poll (one line, three dumps, the model) as the client makes it,
	// and read whole then decoded plainly.
	const client = createRuntimeClient(endpoint, {timeoutMs: 10_000});
	const line = 'show info;show servers state;show stat -1 6 -1';
	const polls: Record<'app' | 'plain', () => Promise<unknown>> = {
		app: async () => client.snapshot(),
		async plain() {
			const replies = splitReplies(await sendLineBytes(endpoint, line, {timeoutMs: 10_000}), 3)!;
			return plainBackends(socket, replies[1]!, replies[2]!);
		},
	};
	const pollCpu: Record<string, number[]> = {app: [], plain: []};
	const pollWall: Record<string, number[]> = {app: [], plain: []};
	for (let pair = 0; pair < 6; pair++) {
		for (const [kind, poll] of Object.entries(polls)) {
			for (let round = 0; round < 5; round++) {
				const cpu = process.cpuUsage();
				const started = performance.now();
				await poll();
				const used = process.cpuUsage(cpu);
				pollCpu[kind]!.push((used.user + used.system) / 1000);
				pollWall[kind]!.push(performance.now() - started);
			}
		}
	}

	const poll = (kind: string) => `${ms(median(pollCpu[kind]!))} CPU, ${ms(median(pollWall[kind]!))}`;
	report('  a whole poll (streamed, columnar)', poll('app'), `read whole, plain decoder ${poll('plain')}`, '', null);
}

/** The `status --json` paths (test/bench/status-paths.ts), each a process of its own, run in turn. */
export async function statusPathDevices(socket: string, node: string, report: Report): Promise<void> {
	const esbuild = await import('esbuild');
	const bundle = path.join(benchDist, 'status-paths.mjs');
	await esbuild.build({
		entryPoints: [path.join(root, 'test/bench/status-paths.ts')],
		bundle: true,
		platform: 'node',
		format: 'esm',
		target: 'node20',
		outfile: bundle,
		define: {'process.env.NODE_ENV': '"production"'},
		logLevel: 'warning',
	});
	const paths = ['stream', 'plain'] as const;
	const outputs = paths.map((name) => JSON.parse(execFileSync(node, [bundle, name, socket], {encoding: 'utf8', maxBuffer: 256 * 1024 * 1024})) as {servers: unknown[]});
	if (!outputs.every((output) => isDeepStrictEqual(output.servers, outputs[0]!.servers))) {
		throw new Error('The status --json paths disagree: fix test/bench/status-paths.ts.');
	}

	const runs = Object.fromEntries(paths.map((name) => [name, [] as Array<{ms: number; cpuMs: number; peakMb: number}>]));
	for (let round = 0; round < 11; round++) {
		for (const name of paths) {
			runs[name]!.push(await timed(node, [bundle, name, socket]));
		}
	}

	const figure = (name: string) => {
		const list = runs[name]!;
		return {ms: median(list.map((run) => run.ms)), cpuMs: median(list.map((run) => run.cpuMs)), peakMb: median(list.map((run) => run.peakMb))};
	};

	const plain = figure('plain');
	for (const name of ['stream'] as const) {
		const device = figure(name);
		report(
			`device: status --json path "${name}"`,
			`${ms(device.cpuMs)} CPU, ${ms(device.ms)}, ${device.peakMb.toFixed(0)} MB`,
			`snapshot, one stringify ${ms(plain.cpuMs)} CPU, ${ms(plain.ms)}, ${plain.peakMb.toFixed(0)} MB`,
			'a gain',
			device.cpuMs < plain.cpuMs,
		);
	}
}

/**
 * The text replacements (source/ui/text/, build.mjs `textAliases`) against the packages they
 * replace: the same bundle built both ways, started in turn, then each left open a while.
 */
export async function textDevices(socket: string, node: string, haproxyPid: number, watchSeconds: number, report: Report): Promise<void> {
	const plainCli = await bundleWithoutTextAliases(path.join(benchDist, 'text-packages'));
	const appCli = path.join(root, 'dist', 'cli.js');
	const frames = {app: [] as Array<{ms: number; cpuMs: number}>, plain: [] as Array<{ms: number; cpuMs: number}>};
	for (let round = 0; round < 9; round++) {
		frames.app.push(await firstFrame(`${node} ${appCli} --socket ${socket}`));
		frames.plain.push(await firstFrame(`${node} ${plainCli} --socket ${socket}`));
	}

	const figure = (list: Array<{ms: number; cpuMs: number}>) => `${ms(median(list.map((run) => run.ms)))}, ${ms(median(list.map((run) => run.cpuMs)))} CPU`;
	report('device: text replacements, first painted grid', figure(frames.app), `string-width and ansi-tokenize packages: ${figure(frames.plain)}`, 'a gain', median(frames.app.map((run) => run.cpuMs)) < median(frames.plain.map((run) => run.cpuMs)));
	const app = await watchOpen(`${node} ${appCli} --socket ${socket}`, haproxyPid, watchSeconds);
	const plain = await watchOpen(`${node} ${plainCli} --socket ${socket}`, haproxyPid, watchSeconds);
	if (app && plain) {
		report('  the grid open, CPU share', `${app.cpu.toFixed(1)}%`, `with the packages ${plain.cpu.toFixed(1)}% (${watchSeconds} s each)`, '', null);
	}
}

/**
 * The executable's V8 code cache (build.mjs, `useCodeCache`) against the same executable
 * without it, built here from the same bundle: `--version` and `status --json`, in turn.
 */
export async function codeCacheDevice(socket: string, node: string, report: Report): Promise<void> {
	const config = JSON.parse(readFileSync(path.join(root, 'dist', 'sea', 'sea-config.json'), 'utf8')) as Record<string, unknown>;
	const withCache = String(config['output']);
	const without = path.join(benchDist, 'drainboard-without-code-cache');
	mkdirSync(benchDist, {recursive: true});
	writeFileSync(path.join(benchDist, 'sea-config.json'), JSON.stringify({...config, useCodeCache: false, output: without}));
	execFileSync(node, ['--build-sea', path.join(benchDist, 'sea-config.json')], {cwd: benchDist, stdio: 'ignore'});
	for (const args of [['--version'], ['status', '--json', '--socket', socket]]) {
		const runs = {cached: [] as Array<{ms: number; cpuMs: number}>, plain: [] as Array<{ms: number; cpuMs: number}>};
		for (let round = 0; round < 11; round++) {
			runs.cached.push(await timed(withCache, args));
			runs.plain.push(await timed(without, args));
		}

		const figure = (list: Array<{ms: number; cpuMs: number}>) => ({cpuMs: median(list.map((run) => run.cpuMs)), ms: median(list.map((run) => run.ms))});
		const cached = figure(runs.cached);
		const plain = figure(runs.plain);
		// The start (--version) decides; status --json shows what is left of it under a big read.
		const deciding = args[0] === '--version';
		report(`${deciding ? 'device' : ' '}: executable's code cache, ${args[0]}`.replace(/^ :/, ' '), `${ms(cached.cpuMs)} CPU, ${ms(cached.ms)}`, `without it ${ms(plain.cpuMs)} CPU, ${ms(plain.ms)}`, deciding ? 'a gain' : '', deciding ? cached.cpuMs < plain.cpuMs : null);
	}
}
