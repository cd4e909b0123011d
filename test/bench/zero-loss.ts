import {serverIs, servedMore, startBedLoad, startUnderLoadBed} from '../fixtures/under-load.cfg.js';
import type {LoadResult} from '../helpers/load.js';
import {runCli} from '../helpers/run-cli.js';

/** What the same load met in a maintenance with drainboard and in a naive restart. */
export type ZeroLoss = {withDrainboard: LoadResult; naiveRestart: LoadResult};

/**
 * Eight keep-alive clients through a real HAProxy to three servers that answer in 20 ms, while
 * app01's service is stopped and started: once inside `drainboard drain` … `drainboard restore`
 * (the zero-loss test asserts it loses nothing), once with no drain at all (a naive restart).
 */
export async function measureZeroLoss(): Promise<ZeroLoss> {
	const bed = await startUnderLoadBed();
	try {
		const common = ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/load.jsonl`, '--yes'];
		const withDrainboard = await underLoad(bed, async (stopAndStart) => {
			await runOrThrow(['drain', 'webapps/app01', ...common]);
			await stopAndStart();
			await runOrThrow(['restore', 'webapps/app01', ...common]);
		});
		const naiveRestart = await underLoad(bed, async (stopAndStart) => {
			await stopAndStart();
			await serverIs(bed, 'app01', 'UP');
		});
		return {withDrainboard, naiveRestart};
	} finally {
		await bed.stop();
	}

	async function runOrThrow(args: string[]): Promise<void> {
		const run = await runCli(args);
		if (run.code !== 0) {
			throw new Error(`drainboard ${args[0]} ended with ${run.code}: ${run.stderr}`);
		}
	}
}

/**
 * Runs `maintenance` under load, started once every server serves; its `stopAndStart` stops app01's
 * service, waits until HAProxy sees it DOWN and the others served 100 more requests, and starts it.
 * The load ends once app01 served 20 more requests after the maintenance.
 */
async function underLoad(bed: Awaited<ReturnType<typeof startUnderLoadBed>>, maintenance: (stopAndStart: () => Promise<void>) => Promise<void>): Promise<LoadResult> {
	const load = startBedLoad(bed);
	try {
		await Promise.all(['app01', 'app02', 'app03'].map(async (server) => servedMore(load, 20, server)));
		await maintenance(async () => {
			await bed.demo('app01').stop();
			await serverIs(bed, 'app01', 'DOWN');
			await servedMore(load, 100);
			await bed.demo('app01').start();
		});
		await servedMore(load, 20, 'app01');
	} finally {
		await load.stop();
	}

	return load.result;
}
