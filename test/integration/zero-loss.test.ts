import {setTimeout as delay} from 'node:timers/promises';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startLoad, type LoadResult} from '../helpers/load.js';
import {runCli} from '../helpers/run-cli.js';
import {waitFor} from '../helpers/wait-for.js';

let bed: TestBed;
const figures: Record<string, LoadResult> = {};

beforeAll(async () => {
	bed = await startTestBed({
		demos: ['app01', 'app02', 'app03'],
		// Like a real service, each answer takes a moment: a restart meets requests in flight.
		demoDelayMs: 20,
		config: (context) => `${context.global()}
${defaultsSection}
frontend web
    bind 127.0.0.1:${context.frontendPort}
    default_backend webapps

backend webapps
    option httpchk GET /
    default-server check inter 500 fall 2 rise 2
    server app01 127.0.0.1:${context.port('app01')}
    server app02 127.0.0.1:${context.port('app02')}
    server app03 127.0.0.1:${context.port('app03')}
`,
	});
});

afterAll(async () => {
	await bed?.stop();
	const line = (name: string) => {
		const result = figures[name];
		return result ? `${name}: ${result.ok + result.failed} requests in ${(result.ms / 1000).toFixed(1)} s, ${result.failed} failed ${JSON.stringify(result.errors)}` : `${name}: not run`;
	};

	console.log(`Zero lost requests (8 keep-alive clients through a real HAProxy, servers answering in 20 ms):\n  ${line('with drainboard')}\n  ${line('naive restart')}`);
});

const up = async (server: string) => waitFor(`${server} up`, async () => ((await bed.send(`show stat webapps 4 -1`)).split('\n').some((row) => row.startsWith(`webapps,${server},`) && row.includes(',UP,')) ? true : undefined), 15_000);
const down = async (server: string) => waitFor(`${server} down`, async () => ((await bed.send(`show stat webapps 4 -1`)).split('\n').some((row) => row.startsWith(`webapps,${server},`) && row.includes(',DOWN')) ? true : undefined), 15_000);

describe('maintenance under load', () => {
	it('loses no request: drain, stop the service, start it, restore', async () => {
		const common = ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/load.jsonl`, '--yes'];
		const load = startLoad(bed.url, {clients: 8, maxMs: 60_000});
		await delay(1000);
		const drain = await runCli(['drain', 'webapps/app01', ...common]);
		expect(drain.code, drain.stderr).toBe(0);
		await bed.demo('app01').stop();
		await down('app01');
		await delay(500);
		await bed.demo('app01').start();
		const restore = await runCli(['restore', 'webapps/app01', ...common]);
		expect(restore.code, restore.stderr).toBe(0);
		const before = load.result.perServer['app01'] ?? 0;
		await delay(1000);
		const result = await load.stop();
		figures['with drainboard'] = result;
		expect(result.errors).toEqual({});
		expect(result.failed).toBe(0);
		expect(result.ok).toBeGreaterThan(500);
		expect(result.perServer['app01'] ?? 0).toBeGreaterThan(before);
	});

	it('measures a naive restart (no drain) beside it', async () => {
		await bed.send('set server webapps/app01 state ready');
		await up('app01');
		const load = startLoad(bed.url, {clients: 8, maxMs: 60_000});
		await delay(1000);
		await bed.demo('app01').stop();
		await down('app01');
		await delay(500);
		await bed.demo('app01').start();
		await up('app01');
		await delay(1000);
		const result = await load.stop();
		figures['naive restart'] = result;
		expect(result.ok).toBeGreaterThan(500);
	});
});
