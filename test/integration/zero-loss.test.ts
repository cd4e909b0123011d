import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {serverIs, servedMore, startBedLoad, startUnderLoadBed} from '../fixtures/under-load.cfg.js';
import {runCli} from '../helpers/run-cli.js';
import type {TestBed} from '../helpers/test-bed.js';

let bed: TestBed;

beforeAll(async () => {
	bed = await startUnderLoadBed();
});

afterAll(async () => {
	await bed?.stop();
});

describe('maintenance under load', () => {
	it('loses no request: drain, stop the service, start it, restore', async () => {
		const common = ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/load.jsonl`, '--yes'];
		const load = startBedLoad(bed);
		let before = 0;
		try {
			await Promise.all(['app01', 'app02', 'app03'].map(async (server) => servedMore(load, 20, server)));
			const drain = await runCli(['drain', 'webapps/app01', ...common]);
			expect(drain.code, drain.stderr).toBe(0);
			await bed.demo('app01').stop();
			await serverIs(bed, 'app01', 'DOWN');
			// The others carry the load while app01 is down.
			await servedMore(load, 100);
			await bed.demo('app01').start();
			const restore = await runCli(['restore', 'webapps/app01', ...common]);
			expect(restore.code, restore.stderr).toBe(0);
			before = load.result.perServer['app01'] ?? 0;
			// Back in rotation: app01 serves again, and the others go on meanwhile.
			await servedMore(load, 20, 'app01');
			await servedMore(load, 100);
		} finally {
			await load.stop();
		}

		const {result} = load;
		expect(result.errors).toEqual({});
		expect(result.failed).toBe(0);
		expect(result.ok).toBeGreaterThan(500);
		expect(result.perServer['app01'] ?? 0).toBeGreaterThan(before);
	});
});
