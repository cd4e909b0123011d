import {describe, expect, it} from 'vitest';
import {CrashedError} from '../../source/crash.js';
import {CheckFailedError, DrainboardError, errorCodeOf, UsageError} from '../../source/errors.js';
import {BackendBusyError} from '../../source/runbook/backend-lock.js';
import {failed} from '../../source/runbook/check-result.js';
import {failureCode} from '../../source/runbook/failure-code.js';
import {JournalError} from '../../source/runbook/journal.js';
import {RuntimeApiError} from '../../source/runtime/runtime-error.js';

describe('error codes of the --json contract', () => {
	it.each([
		[new UsageError('bad flag'), 'usage'],
		[new UsageError('bad name', 'invalid-name'), 'invalid-name'],
		[new UsageError('no such server', 'not-found'), 'not-found'],
		[new RuntimeApiError('socket-not-found', '/x.sock', 'No socket.'), 'unreachable'],
		[new RuntimeApiError('timed-out', '/x.sock', 'No answer.'), 'unreachable'],
		[new RuntimeApiError('not-admin', '/x.sock', 'Level operator.'), 'level'],
		[new RuntimeApiError('line-rejected', '/x.sock', 'Too long.'), 'usage'],
		[new JournalError('Cannot write.', 'the disk is full'), 'journal'],
		[new BackendBusyError('alice holds it.'), 'locked'],
		[new CheckFailedError('blocked', 'capacity'), 'capacity'],
		[new CrashedError('crashed', new Error('x')), 'internal'],
		[new Error('not ours'), 'internal'],
		[new DrainboardError('exit 3 without a code', 3), 'unreachable'],
		[new DrainboardError('exit 1 without a code', 1), 'state'],
	] as const)('%s → %s', (error, code) => {
		expect(errorCodeOf(error)).toBe(code);
	});

	it.each([
		['target-exists', 'not-found'],
		['not-in-maintenance', 'not-serving'],
		['socket-admin', 'level'],
		['config-valid', 'config'],
		['backend-free', 'locked'],
		['capacity', 'capacity'],
		['baseline-traffic', 'traffic'],
		['traffic-moved', 'traffic'],
		['sessions-quiet', 'sessions'],
		['health-back', 'health-timeout'],
		['drain-bit', 'state'],
	] as const)("a failed %s check is %s unless the check names its own code", (id, code) => {
		expect(failureCode(failed(id, id, 'seen'))).toBe(code);
		expect(failureCode(failed(id, id, 'seen', {code: 'not-serving'}))).toBe('not-serving');
	});
});
