import {describe, expect, it} from 'vitest';
import {capacityAfter, emptiedReasons} from '../../source/model/capacity.js';
import {failingChecks, staysServing} from '../../source/model/server-condition.js';
import type {Server} from '../../source/model/types.js';
import {makeBackend, makeInstance, makeServer} from '../helpers/model.js';

const up = (backend: string, server: string, extra: Partial<Server> = {}) => makeServer({...extra, backend, server});

describe('capacityAfter', () => {
	it('counts servers that track the target, through a chain, as leaving with it, in every backend they serve', () => {
		const snapshot = makeInstance([
			makeBackend('webapps', [up('webapps', 's1'), up('webapps', 's2')]),
			makeBackend('solo', [up('solo', 'w1', {tracked: 'webapps/s1', checkConfigured: false, checkStatus: null})]),
			makeBackend('chain', [up('chain', 'c1', {tracked: 'solo/w1', checkConfigured: false, checkStatus: null}), up('chain', 'c2')]),
		]);
		const capacity = capacityAfter(snapshot, [{backend: 'webapps', server: 's1'}]);
		expect(capacity.map((backend) => [backend.backend, backend.trackers.map((server) => server.server), backend.staying.map((server) => server.server), backend.emptied])).toEqual([
			['webapps', [], ['s2'], false],
			['solo', ['w1'], [], true],
			['chain', ['c1'], ['c2'], false],
		]);
		expect(emptiedReasons(capacity[1]!)).toEqual(['solo/w1 tracks webapps/s1 and leaves rotation with it']);
	});

	it('a tracker in the target’s own backend does not stay; read after the drain (IDRAIN), it is still named', () => {
		const before = makeInstance([makeBackend('trk', [up('trk', 't1'), up('trk', 't2', {tracked: 'trk/t1', checkConfigured: false, checkStatus: null})])]);
		expect(capacityAfter(before, [{backend: 'trk', server: 't1'}])).toMatchObject([{backend: 'trk', emptied: true, staying: []}]);
		const after = makeInstance([makeBackend('trk', [up('trk', 't1', {adminState: 0x08}), up('trk', 't2', {adminState: 0x10, tracked: 'trk/t1', checkConfigured: false, checkStatus: null, status: 'DRAIN'})])]);
		expect(capacityAfter(after, [{backend: 'trk', server: 't1'}])[0]!.trackers.map((server) => server.server)).toEqual(['t2']);
	});

	it('a backend whose tracker serves nothing now (in maintenance) is not counted: draining the target changes nothing there', () => {
		const snapshot = makeInstance([makeBackend('webapps', [up('webapps', 's1'), up('webapps', 's2')]), makeBackend('solo', [up('solo', 'w1', {tracked: 'webapps/s1', adminState: 0x01})])]);
		expect(capacityAfter(snapshot, [{backend: 'webapps', server: 's1'}]).map((backend) => backend.backend)).toEqual(['webapps']);
	});

	it('a server failing its checks (UP 15/20, L4CON) is no capacity that stays', () => {
		const failing = up('app', 'a2', {status: 'UP 15/20', checkStatus: 'L4CON'});
		expect(failingChecks(failing)).toBe(true);
		expect(staysServing(failing)).toBe(false);
		// Recovering (UP n/m, last check passed) or never checked yet: it stays.
		expect(staysServing(up('app', 'a3', {status: 'UP 15/20', checkStatus: 'L7OK'}))).toBe(true);
		expect(staysServing(up('app', 'a4', {checkStatus: 'INI'}))).toBe(true);
		const capacity = capacityAfter(makeInstance([makeBackend('app', [up('app', 'a1'), failing])]), [{backend: 'app', server: 'a1'}]);
		expect(capacity).toMatchObject([{emptied: true, staying: []}]);
		expect(emptiedReasons(capacity[0]!)).toEqual(['app/a2 is failing its health checks (UP 15/20, last check L4CON) and is going down']);
	});
});
