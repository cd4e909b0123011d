/**
 * What an app left open pays at 10,000 servers, measured in this process on the built code
 * (dist/source/): a poll cycle beside the raw read of the same reply, the decoders alone, one
 * grid re-render, and what the wizard asks of HAProxy while it watches one backend.
 * Ink must resolve string-width to drainboard's own, as in the bundle: run.ts registers
 * ink-text-hook.ts before this module loads Ink.
 */
import {performance} from 'node:perf_hooks';
import {setTimeout as delay} from 'node:timers/promises';
import React from 'react';
import type {GridScreen as GridScreenType} from '../../source/ui/grid/grid-screen.js';
import type {PoolPoller as PoolPollerType} from '../../source/poll/pool-poller.js';
import type {createRuntimeClient as CreateRuntimeClient} from '../../source/poll/client.js';
import type {parseEndpoint as ParseEndpoint} from '../../source/runtime/endpoint.js';
import type {parseName as ParseName} from '../../source/runtime/names.js';
import type {readServersState as ReadServersState} from '../../source/decode/servers-state.js';
import type {readStat as ReadStat} from '../../source/decode/stat.js';
import type {sendLineBytes as SendLineBytes} from '../../source/runtime/transport.js';
import type {Report} from './devices.js';
import {median, rawRead, timeIt} from './measure.js';

const ms = (value: number) => `${value.toFixed(1)} ms`;

export async function inProcess(socket: string, report: Report): Promise<void> {
	const {renderAt} = await import('../helpers/render-ink.js');
	const dist = new URL('../../dist/source/', import.meta.url);
	const load = async <T>(file: string) => (await import(new URL(file, dist).href)) as T;
	const {createRuntimeClient} = await load<{createRuntimeClient: typeof CreateRuntimeClient}>('poll/client.js');
	const {parseEndpoint} = await load<{parseEndpoint: typeof ParseEndpoint}>('runtime/endpoint.js');
	const {parseName} = await load<{parseName: typeof ParseName}>('runtime/names.js');
	const {PoolPoller} = await load<{PoolPoller: typeof PoolPollerType}>('poll/pool-poller.js');
	const {GridScreen} = await load<{GridScreen: typeof GridScreenType}>('ui/grid/grid-screen.js');
	const {readServersState} = await load<{readServersState: typeof ReadServersState}>('decode/servers-state.js');
	const {readStat} = await load<{readStat: typeof ReadStat}>('decode/stat.js');
	const {sendLineBytes} = await load<{sendLineBytes: typeof SendLineBytes}>('runtime/transport.js');
	const fullDumpBytes = (await rawRead(socket, 'show servers state')) + (await rawRead(socket, 'show stat -1 6 -1'));

	// In-process poll cycle against the raw read of the same reply (one line, as the client reads it),
	// in the steady state of an app that stays open: after 3 polls the cycle still pays for warming up
	// (here the next 14 polls carried 117 ms of garbage collection, the ones after them ~2 ms each).
	const client = createRuntimeClient(parseEndpoint(socket), {timeoutMs: 10_000});
	const rawSnapshot = async () => rawRead(socket, 'show info;show servers state;show stat -1 6 -1');
	const firstPolls = await timeIt(async () => client.snapshot(), 3);
	for (let round = 0; round < 10; round++) {
		await client.snapshot();
		await rawSnapshot();
	}

	// In pairs of blocks, not one of each in turn: a poll's garbage is collected during the next read,
	// and in turn that would be the raw read, which would then pay for drainboard's garbage. The
	// ratio is taken within each pair (the same minute of this shared machine), and its median kept.
	const rawCycle: number[] = [];
	const ourCycle: number[] = [];
	const ratios: number[] = [];
	for (let pair = 0; pair < 8; pair++) {
		const raw = await timeIt(rawSnapshot, 5);
		const ours = await timeIt(async () => client.snapshot(), 5);
		rawCycle.push(...raw);
		ourCycle.push(...ours);
		ratios.push(median(ours) / median(raw));
	}

	const ratio = median(ratios);
	report('poll cycle at 10,000 (read + decode + model)', ms(median(ourCycle)), `raw read of the same replies ${ms(median(rawCycle))}, decoding adds ${((ratio - 1) * 100).toFixed(0)}% (median of 8 paired blocks)`, 'adds ≤ 30%', ratio <= 1.3);
	report('  the first poll of a process', ms(firstPolls[0]!), `then ${ms(firstPolls[1]!)}, ${ms(firstPolls[2]!)}: cold code, a growing young heap (not the target)`, '', null);
		const stateBytesRead = await sendLineBytes(parseEndpoint(socket), 'show servers state', {timeoutMs: 10_000});
	const statBytesRead = await sendLineBytes(parseEndpoint(socket), 'show stat -1 6 -1', {timeoutMs: 10_000});
	const decodeOnly = median(await timeIt(async () => [readServersState(stateBytesRead), readStat(statBytesRead)], 15));
	report('  CPU to decode both dumps', ms(decodeOnly), 'decoders alone, whole replies (streamed, this overlaps the read)', '', null);

	const snapshotA = await client.snapshot();
	const snapshotB = await client.snapshot();
	const view = (snapshot: typeof snapshotA) => ({pool: {instances: [snapshot], takenAt: Date.now()}, cycles: 1, health: [{socket, ok: true, failingSince: null, error: null, lastSuccess: Date.now()}]});
	const ui = renderAt(React.createElement(GridScreen, {view: view(snapshotA), size: {columns: 80, rows: 24}, now: Date.now(), onQuit: () => undefined, onFocus: () => undefined}));
	await ui.waitForFrame('srv00');
	// The app re-renders at every poll for as long as it is open: the first 15 re-renders warm
	// the JIT up (7 to 47 ms each here), the next 30 are the steady cost; both are reported.
	const renders: number[] = [];
	for (let round = 0; round < 45; round++) {
		const next = view(round % 2 === 0 ? snapshotB : snapshotA);
		const before = ui.stdout.frames.length;
		const started = performance.now();
		ui.instance.rerender(React.createElement(GridScreen, {view: next, size: {columns: 80, rows: 24}, now: Date.now(), onQuit: () => undefined, onFocus: () => undefined}));
		while (ui.stdout.frames.length === before && performance.now() - started < 2000) {
			await Promise.resolve();
		}

		renders.push(performance.now() - started);
	}

	ui.unmount();
	const rerender = median(renders.slice(15));
	const warmingUp = median(renders.slice(0, 15));
	report('one grid re-render at 10,000', ms(rerender), `new poll data in, frame out (visible rows); the first 15: ${ms(warmingUp)}`, '< 16 ms', rerender < 16);

	// What the wizard asks of HAProxy while it watches one backend.
	let bytes = 0;
	let commands = 0;
	const counting = createRuntimeClient(parseEndpoint(socket), {
		timeoutMs: 10_000,
		onExchange(_line, replyBytes) {
			bytes += replyBytes;
			commands++;
		},
	});
	const poller = new PoolPoller({clients: [counting], onChange: () => undefined});
	poller.focus(parseName('backend250', 'backend'), {only: true});
	poller.start();
	await delay(1500);
	bytes = 0;
	commands = 0;
	const wizardStart = performance.now();
	await delay(10_000);
	poller.stop();
	const wizardSeconds = (performance.now() - wizardStart) / 1000;
	report('wizard watching one backend of 10,000: bytes asked of HAProxy', `${Math.round(bytes / wizardSeconds)} B/s`, `${(commands / wizardSeconds).toFixed(1)} polls/s of filtered commands; a full dump is ${(fullDumpBytes / 1e6).toFixed(1)} MB`, 'filtered, every second', commands / wizardSeconds <= 1.2 && bytes / wizardSeconds < 100_000);
}
