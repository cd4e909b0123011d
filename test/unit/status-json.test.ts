import {describe, expect, it} from 'vitest';
import {statusJsonPieces, statusObject} from '../../source/headless/status-json.js';
import {bigPool, makeBackend, makeInstance, makePool, makeServer} from '../helpers/model.js';

describe('status --json written in pieces', () => {
	it('is, joined, exactly the JSON of the whole object, across many pieces', () => {
		const pool = bigPool(60, 20);
		const pieces = [...statusJsonPieces(pool)];
		expect(pieces.length).toBeGreaterThan(2);
		expect(pieces.join('')).toBe(`${JSON.stringify(statusObject(pool))}\n`);
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
		expect(text).toBe(`${JSON.stringify(statusObject(pool))}\n`);
		const parsed = JSON.parse(text) as {instances: Array<{pid: number}>; servers: unknown[]; differences: Array<{server: string}>};
		expect(parsed.instances.map((instance) => instance.pid)).toEqual([1, 2]);
		expect(parsed.servers).toHaveLength(2);
		expect(parsed.differences.map((difference) => difference.server)).toEqual(['webapps/app01']);
	});

	it('is one piece for an empty pool', () => {
		expect([...statusJsonPieces(makePool([makeInstance([])]))]).toEqual(['{"instances":[{"socket":"/run/haproxy/admin.sock","pid":4242,"version":"2.6.12-1+deb12u4","startTime":1764000000}],"servers":[],"differences":[]}\n']);
	});
});
