import {describe, expect, it} from 'vitest';
import {runStatus} from '../../source/headless/status.js';
import {statusJsonPieces} from '../../source/headless/status-json.js';
import type {RuntimeClient} from '../../source/poll/client.js';
import type {PoolSnapshot, Server} from '../../source/model/types.js';
import {bigPool, makeBackend, makeInstance, makePool, makeServer} from '../helpers/model.js';

/** The `status --json` contract of DESIGN.md, written out here as the reference. */
function contract(pool: PoolSnapshot, differences: unknown[] = []) {
	const server = (one: Server) => ({
		socket: one.socket,
		backend: one.backend,
		server: one.server,
		address: one.address,
		port: one.port,
		opState: one.opState,
		opStateName: one.opStateName,
		adminState: one.adminState,
		adminFlags: one.adminFlags,
		userWeight: one.userWeight,
		initialWeight: one.initialWeight,
		status: one.status,
		checkStatus: one.checkStatus,
		currentSessions: one.currentSessions,
		totalSessions: one.totalSessions,
	});
	return {
		instances: pool.instances.map(({instance}) => ({socket: instance.socket, pid: instance.pid, version: instance.version, startTime: instance.startTime})),
		servers: pool.instances.flatMap(({backends}) => backends.flatMap((backend) => backend.servers.map((one) => server(one)))),
		differences,
	};
}

describe('status --json written in pieces', () => {
	it('is, joined, exactly the JSON of the contract object, across many pieces', () => {
		const pool = bigPool(60, 20);
		const pieces = [...statusJsonPieces(pool)];
		expect(pieces.length).toBeGreaterThan(2);
		expect(pieces.join('')).toBe(`${JSON.stringify(contract(pool))}\n`);
		const parsed = JSON.parse(pieces.join('')) as {servers: Array<{server: string}>; differences: unknown[]};
		expect(parsed.servers).toHaveLength(1200);
		expect(parsed.servers[401]!.server).toBe('srv01');
		expect(parsed.differences).toEqual([]);
	});

	it('keeps both instances and the differences between them', () => {
		const a = makeInstance([makeBackend('webapps', [makeServer({backend: 'webapps', server: 'app01', adminState: 8})])], '/run/a.sock', 1);
		const b = makeInstance([makeBackend('webapps', [makeServer({backend: 'webapps', server: 'app01', socket: '/run/b.sock'})], '/run/b.sock')], '/run/b.sock', 2);
		const pool = makePool([a, b]);
		const text = [...statusJsonPieces(pool)].join('');
		const differences = [{server: 'webapps/app01', states: [{socket: '/run/a.sock', state: 'drain'}, {socket: '/run/b.sock', state: 'ready'}]}];
		expect(text).toBe(`${JSON.stringify(contract(pool, differences))}\n`);
		const parsed = JSON.parse(text) as {instances: Array<{pid: number}>; servers: unknown[]};
		expect(parsed.instances.map((instance) => instance.pid)).toEqual([1, 2]);
		expect(parsed.servers).toHaveLength(2);
	});

	it('of one instance, made while its dump arrives, is byte for byte the contract, as from a whole snapshot', async () => {
		for (const pool of [bigPool(60, 20), bigPool(1, 399), bigPool(2, 200), makePool([makeInstance([])])]) {
			const {instance, backends} = pool.instances[0]!;
			// Only the read status --json makes of one instance: its servers handed on one by one.
			const client: Pick<RuntimeClient, 'streamServers'> = {
				async streamServers(onServer) {
					for (const server of backends.flatMap((backend) => backend.servers)) {
						onServer(server);
					}

					return instance;
				},
			};
			const written: Buffer[] = [];
			await runStatus([client as RuntimeClient], {json: true, width: 80}, (text) => written.push(Buffer.from(text)));
			expect(Buffer.concat(written).toString('utf8')).toBe(`${JSON.stringify(contract(pool))}\n`);
		}
	});

	it('is one piece for an empty pool', () => {
		expect([...statusJsonPieces(makePool([makeInstance([])]))]).toEqual(['{"instances":[{"socket":"/run/haproxy/admin.sock","pid":4242,"version":"2.6.12-1+deb12u4","startTime":1764000000}],"servers":[],"differences":[]}\n']);
	});
});
