import {describe, expect, it} from 'vitest';
import {distinctPorts} from '../../source/lab/free-port.js';

/** A picker that gives `ports` in turn, as the OS may hand out a port it gave a moment ago. */
function givesInTurn(ports: number[]) {
	let next = 0;
	return async () => ports[next++ % ports.length]!;
}

describe('ports picked for one start', () => {
	it('are never the same twice: a port the OS hands out again is picked anew', async () => {
		const pick = distinctPorts(givesInTurn([40_001, 40_001, 40_001, 40_002, 40_001, 40_003]));
		expect([await pick(), await pick(), await pick()]).toEqual([40_001, 40_002, 40_003]);
	});

	it('gives up with a sentence when no new port comes', async () => {
		const pick = distinctPorts(givesInTurn([40_001]), 5);
		await pick();
		await expect(pick()).rejects.toThrow('no port that was not given already after 5 picks');
	});
});
