import {describe, expect, it} from 'vitest';
import {runStatus} from '../../source/headless/status.js';
import {statusJson} from '../../source/headless/status-json.js';
import {instanceFields, serverFields, statusJsonSchema} from '../../source/headless/status-schema.js';
import type {RuntimeClient} from '../../source/poll/client.js';
import type {PoolSnapshot} from '../../source/model/types.js';
import {summarizeBackend} from '../../source/model/server-condition.js';
import {bigPool, makeBackend, makeInstance, makePool, makeServer} from '../helpers/model.js';

/** Only the given fields of an object, in their order: what `status --json` prints of it. */
function pick<T extends object>(one: T, fields: ReadonlyArray<string>): Record<string, unknown> {
	return Object.fromEntries(fields.map((field) => [field, (one as Record<string, unknown>)[field]]));
}

/** The `status --json` object of a pool: the fields of `status-schema.ts`, checked by it. */
function contract(pool: PoolSnapshot, differences: unknown[] = [], drains: unknown[] = [], lostDrains: unknown[] = []) {
	return statusJsonSchema.parse({
		instances: pool.instances.map(({instance}) => pick(instance, instanceFields)),
		servers: pool.instances.flatMap(({backends}) => backends.flatMap((backend) => backend.servers.map((one) => pick(one, serverFields)))),
		differences,
		drains,
		lostDrains,
		unserved: pool.instances.flatMap(({instance, backends}) => backends.filter((backend) => summarizeBackend(backend).noneServing).map((backend) => ({socket: instance.socket, backend: backend.name}))),
	});
}

/** One instance whose backend `down` has one server in maintenance and one DOWN: none serves; `up` serves. */
const partlyUnserved = () =>
	makePool([
		makeInstance([
			makeBackend('down', [makeServer({backend: 'down', server: 'd1', adminState: 1}), makeServer({backend: 'down', server: 'd2', opState: 0, status: 'DOWN'})]),
			makeBackend('up', [makeServer({backend: 'up', server: 'u1'})]),
		]),
	]);

describe('status --json written in pieces', () => {
	it('is exactly the JSON of the contract object', () => {
		const pool = bigPool(60, 20);
		const text = statusJson(pool, []);
		expect(text).toBe(`${JSON.stringify(contract(pool))}\n`);
		const parsed = JSON.parse(text) as {servers: Array<{server: string}>; differences: unknown[]};
		expect(parsed.servers).toHaveLength(1200);
		expect(parsed.servers[401]!.server).toBe('srv01');
		expect(parsed.differences).toEqual([]);
	});

	it('keeps both instances and the differences between them', () => {
		const a = makeInstance([makeBackend('webapps', [makeServer({backend: 'webapps', server: 'app01', adminState: 8})])], '/run/a.sock', 1);
		const b = makeInstance([makeBackend('webapps', [makeServer({backend: 'webapps', server: 'app01', socket: '/run/b.sock'})], '/run/b.sock')], '/run/b.sock', 2);
		const pool = makePool([a, b]);
		const drains = [{socket: '/run/a.sock', server: 'webapps/app01', by: {user: 'alice', host: 'lb1', journal: '/home/alice/journal.jsonl', since: '2026-12-04T10:00:00.000Z'}}];
		const text = statusJson(pool, drains);
		const differences = [{server: 'webapps/app01', states: [{socket: '/run/a.sock', state: 'drain'}, {socket: '/run/b.sock', state: 'ready'}]}];
		expect(text).toBe(`${JSON.stringify(contract(pool, differences, drains))}\n`);
		const parsed = JSON.parse(text) as {instances: Array<{pid: number}>; servers: unknown[]};
		expect(parsed.instances.map((instance) => instance.pid)).toEqual([1, 2]);
		expect(parsed.servers).toHaveLength(2);
	});

	it('of one instance, made while its dump arrives, is byte for byte the contract, as from a whole snapshot', async () => {
		for (const pool of [bigPool(60, 20), bigPool(1, 399), bigPool(2, 200), makePool([makeInstance([])]), partlyUnserved()]) {
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

	it('of an empty pool has no servers', () => {
		expect(statusJson(makePool([makeInstance([])]), [])).toEqual('{"instances":[{"socket":"/run/haproxy/admin.sock","pid":4242,"version":"2.6.12-1+deb12u4","startTime":1764000000}],"servers":[],"differences":[],"drains":[],"lostDrains":[],"unserved":[]}\n');
	});

	it('names the backends with servers of which none serves', () => {
		const parsed = statusJsonSchema.parse(JSON.parse(statusJson(partlyUnserved(), [])));
		expect(parsed.unserved).toEqual([{socket: '/run/haproxy/admin.sock', backend: 'down'}]);
	});
});
