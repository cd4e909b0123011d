import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {readServersState} from '../../source/decode/servers-state.js';
import {readStat} from '../../source/decode/stat.js';
import {serverStream, snapshotBuilder} from '../../source/model/build-snapshot.js';
import type {Server} from '../../source/model/types.js';
import {syntheticDumps} from '../bench/synthetic-dump.js';
import {fixture} from '../helpers/fixtures.js';

const dumps = syntheticDumps(4, 25, fixture('stat.csv').split('\n')[0]!);
const states = readServersState(dumps.serversState);
const stats = readStat(dumps.stat);
const instance = {socket: 'lb1', pid: 1, version: '2.6.12', startTime: null, stopping: false};

/** A server without `changedAt`, which each builder takes from its own clock. */
const comparable = ({changedAt: _changedAt, ...rest}: Server) => rest;

/** One row of either dump, in the order a reply delivers them. */
type Event = {dump: 'state' | 'stat'; row: number};

describe('servers handed on as they are made (status --json)', () => {
	it('hands on the servers of a snapshot, in its order, whatever order the rows come in and whichever stat rows are missing', () => {
		expect(states.rows).toBe(100);
		expect(stats.rows).toBe(100);
		fc.assert(
			fc.property(
				// The stat rows in any order, some left out (a server gone between the two dumps), and
				// where each one comes among the servers-state rows.
				fc.shuffledSubarray(
					Array.from({length: stats.rows}, (_, row) => row),
					{minLength: 0, maxLength: stats.rows},
				),
				fc.array(fc.integer({min: 0, max: 100}), {minLength: stats.rows, maxLength: stats.rows}),
				(statRows, positions) => {
					const events: Event[] = Array.from({length: states.rows}, (_, row) => ({dump: 'state' as const, row}));
					for (const [index, row] of statRows.entries()) {
						events.splice(Math.min(positions[index]!, events.length), 0, {dump: 'stat', row});
					}

					const builder = snapshotBuilder('lb1');
					const handedOn: Server[] = [];
					const stream = serverStream('lb1', (server) => handedOn.push(server));
					for (const event of events) {
						for (const target of [builder, stream]) {
							if (event.dump === 'state') {
								target.onState(states, event.row);
							} else {
								target.onStat(stats, event.row);
							}
						}
					}

					const expected = builder.finish(instance).backends.flatMap((backend) => backend.servers);
					stream.finish();
					expect(handedOn.map(comparable)).toEqual(expected.map(comparable));
					return true;
				},
			),
			{numRuns: 60},
		);
	});

	it('hands each server on as soon as it and every one before it are made', () => {
		const handedOn: string[] = [];
		const stream = serverStream('lb1', (server) => handedOn.push(`${server.backend}/${server.server}`));
		for (let row = 0; row < 3; row++) {
			stream.onState(states, row);
		}

		// The stat rows of the first two servers, the second one first.
		const serverRows = Array.from({length: stats.rows}, (_, row) => row).filter((row) => stats.kind(row) === 'server');
		stream.onStat(stats, serverRows[1]!);
		expect(handedOn).toEqual([]);
		stream.onStat(stats, serverRows[0]!);
		expect(handedOn).toEqual(['backend0/srv0', 'backend0/srv1']);
		stream.finish();
		expect(handedOn).toEqual(['backend0/srv0', 'backend0/srv1', 'backend0/srv2']);
	});
});
