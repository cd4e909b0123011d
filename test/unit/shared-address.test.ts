import {describe, expect, it} from 'vitest';
import {servingAtSameAddress} from '../../source/model/shared-address.js';
import type {Server} from '../../source/model/types.js';
import {makeBackend, makeInstance, makeServer} from '../helpers/model.js';

const at = (backend: string, server: string, address: string, port: number | null, extra: Partial<Server> = {}) => makeServer({...extra, backend, server, address, port});
const names = (servers: Server[]) => servers.map((server) => `${server.backend}/${server.server}`);
const target = {backend: 'web', server: 'a'};

describe('servingAtSameAddress', () => {
	it('names the servers of other backends at the same address and port that stay serving, not those leaving, tracking, or out of rotation', () => {
		const snapshot = makeInstance([
			makeBackend('web', [at('web', 'a', '10.0.0.5', 8080), at('web', 'b', '10.0.0.6', 8080)]),
			makeBackend('api', [at('api', 'a', '10.0.0.5', 8080), at('api', 'other-port', '10.0.0.5', 9090)]),
			makeBackend('cache', [at('cache', 'c', '10.0.0.5', 8080, {adminState: 0x01, status: 'MAINT'})]),
			makeBackend('trk', [at('trk', 't', '10.0.0.5', 8080, {tracked: 'web/a', checkConfigured: false, checkStatus: null})]),
			makeBackend('set', [at('set', 's', '10.0.0.5', 8080)]),
		]);
		expect(names(servingAtSameAddress(snapshot, target, [target]))).toEqual(['api/a', 'set/s']);
		// Leaving together with the target: not at risk.
		expect(names(servingAtSameAddress(snapshot, target, [target, {backend: 'set', server: 's'}]))).toEqual(['api/a']);
	});

	it('says nothing for an address not shared: unresolved (0.0.0.0, ::) or without a port of its own', () => {
		for (const [address, port] of [['0.0.0.0', 80], ['::', 80], ['10.0.0.5', null]] as const) {
			const snapshot = makeInstance([makeBackend('web', [at('web', 'a', address, port)]), makeBackend('api', [at('api', 'a', address, port)])]);
			expect(servingAtSameAddress(snapshot, target, [target])).toEqual([]);
		}
	});
});
