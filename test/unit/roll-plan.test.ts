import {describe, expect, it} from 'vitest';
import {proxyNameSchema} from '../../source/runtime/names.js';
import {afterServer, currentServer, rollBlocked, rollEnd, rollPosition, rollSummary, skipWarning, startRoll} from '../../source/ui/roll-plan.js';
import {makeBackend, makeServer} from '../helpers/model.js';

const pool = proxyNameSchema.parse('pool');

describe('the wizard roll plan', () => {
	it('offers each server in order; left before its drain, the same server is offered again', () => {
		let plan = startRoll(pool, ['s1', 's2', 's3']);
		expect(rollPosition(plan)).toBe('1 of 3 · s1');
		plan = afterServer(plan, 'left');
		expect(currentServer(plan)).toBe('s1');
		plan = afterServer(afterServer(plan, 'done'), 'skipped');
		expect(rollPosition(plan)).toBe('3 of 3 · s3');
		plan = afterServer(plan, 'done');
		expect(currentServer(plan)).toBeUndefined();
		expect(rollSummary(plan)).toBe('s1 ✓ · s2 skipped · s3 ✓');
	});

	it('taken up from the journal: servers done earlier are passed over wherever they are', () => {
		let plan = startRoll(pool, ['s1', 's2', 's3', 's4'], ['s1', 's3', 'gone']);
		expect(rollSummary(plan)).toBe('s1 ✓ · s2 … · s3 ✓ · s4 …');
		expect(rollPosition(plan)).toBe('2 of 4 · s2');
		plan = afterServer(plan, 'done');
		expect(rollPosition(plan)).toBe('4 of 4 · s4');
		expect(currentServer(startRoll(pool, ['s1'], ['s1']))).toBeUndefined();
	});

	it('blocks the next server while another of the roll is out, and says who puts it back by who took it out', () => {
		const plan = startRoll(pool, ['s1', 's2', 's3']);
		// adminState 8: FDRAIN; 1: FMAINT.
		const backend = (s2: number) => makeBackend('pool', [makeServer({backend: 'pool', server: 's1'}), makeServer({backend: 'pool', server: 's2', adminState: s2}), makeServer({backend: 'pool', server: 's3'})]);
		expect(rollBlocked(plan, [backend(0)])).toBeNull();
		const lead = 'pool/s2 is out of rotation (FDRAIN); a roll takes one server out at a time, so s1 is not started. Put s2 back first';
		// Drained by a maintenance the journal holds open: taken up from the grid.
		expect(rollBlocked(plan, [backend(8)], new Set(['pool/s2']))).toBe(`${lead} (stop the roll, then Enter on s2 in the grid takes up its maintenance), or skip s1.`);
		// Drained by none of the journal's (by hand, another tool or journal): whoever drained it.
		expect(rollBlocked(plan, [backend(8)], new Set(['other/s2']))).toBe(
			`${lead}: no maintenance in this journal drained it (someone did by hand, with another tool, or with drainboard and another journal), so whoever drained it puts it back (set server pool/s2 state ready, or their drainboard restore); or skip s1.`,
		);
		// In maintenance: restore does not undo it, whatever the journal holds.
		expect(rollBlocked(plan, [undefined, backend(1)], new Set(['pool/s2']))).toBe(
			'pool/s2 is out of rotation (FMAINT); a roll takes one server out at a time, so s1 is not started. Put s2 back first: it is in maintenance, not drained, which restore does not undo; whoever put it there brings it back (set server pool/s2 state ready); or skip s1.',
		);
		// The current server's own state does not block it (its maintenance says what it is).
		expect(rollBlocked(afterServer(plan, 'skipped'), [backend(8)])).toBeNull();
	});

	it('ends counted, naming the skipped and any server of the roll still out of rotation; warns before a skip that leaves one out', () => {
		const backend = (s2: number, s3 = 0) => makeBackend('pool', [makeServer({backend: 'pool', server: 's1'}), makeServer({backend: 'pool', server: 's2', adminState: s2}), makeServer({backend: 'pool', server: 's3', adminState: s3})]);
		let plan = startRoll(pool, ['s1', 's2', 's3']);
		expect(skipWarning(plan, [backend(0)])).toBe('');
		plan = afterServer(plan, 'done');
		// s2 drained now (FDRAIN, 8): a skip leaves it out.
		expect(skipWarning(plan, [backend(8)])).toBe(' s2 is out of rotation now (FDRAIN): skipping it leaves it out, and this roll does not put it back.');
		plan = afterServer(afterServer(plan, 'skipped'), 'skipped');
		expect(rollEnd(plan, [backend(0)])).toBe('The roll of pool is over (1 of 3 done; skipped: s2, s3).');
		expect(rollEnd(plan, [backend(8, 1)])).toBe('The roll of pool is over (1 of 3 done; skipped: s2, s3). Still out of rotation, not put back by this roll: s2 (FDRAIN) and s3 (FMAINT).');
		expect(rollEnd(afterServer(afterServer(afterServer(startRoll(pool, ['s1', 's2', 's3']), 'done'), 'done'), 'done'), [undefined, backend(0)])).toBe('The roll of pool is over (3 of 3 done).');
	});
});
