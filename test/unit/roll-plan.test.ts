import {describe, expect, it} from 'vitest';
import {proxyNameSchema} from '../../source/runtime/names.js';
import {afterServer, currentServer, rollPosition, rollSummary, startRoll} from '../../source/ui/roll-plan.js';

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
});
