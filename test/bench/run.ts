/**
 * `npm run bench`: measures drainboard's own costs on the built code (dist/), so the figures are
 * those of what users run. No timing assertions live in the tests; targets are printed here.
 */
import {performance} from 'node:perf_hooks';
import type {decodeServersState as DecodeServersState} from '../../source/decode/servers-state.js';
import type {decodeStat as DecodeStat} from '../../source/decode/stat.js';
import {fixture} from '../helpers/fixtures.js';
import {syntheticDumps} from './synthetic-dump.js';

type Decoders = {
	decodeServersState: typeof DecodeServersState;
	decodeStat: typeof DecodeStat;
};

const dist = new URL('../../dist/source/', import.meta.url);
const {decodeServersState} = (await import(new URL('decode/servers-state.js', dist).href)) as Decoders;
const {decodeStat} = (await import(new URL('decode/stat.js', dist).href)) as Decoders;

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

function measure(run: () => unknown, rounds = 15): {first: number; median: number} {
	const times: number[] = [];
	for (let round = 0; round < rounds; round++) {
		const started = performance.now();
		run();
		times.push(performance.now() - started);
	}

	return {first: times[0]!, median: median(times)};
}

const header = fixture('stat.csv').split('\n')[0]!;
const dumps = syntheticDumps(500, 20, header);
const stateTime = measure(() => decodeServersState(dumps.serversState));
const statTime = measure(() => decodeStat(dumps.stat, {kinds: ['backend', 'server']}));
console.log('Decoding 10,000 servers (500 backends x 20), synthetic 2.6-shaped dumps');
console.log(`  show servers state  ${(dumps.serversState.length / 1e6).toFixed(1)} MB  first ${stateTime.first.toFixed(1)} ms  median ${stateTime.median.toFixed(1)} ms`);
console.log(`  show stat           ${(dumps.stat.length / 1e6).toFixed(1)} MB  first ${statTime.first.toFixed(1)} ms  median ${statTime.median.toFixed(1)} ms`);
