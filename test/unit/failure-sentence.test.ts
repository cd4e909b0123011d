import {describe, expect, it} from 'vitest';
import {failed, failureSentence} from '../../source/runbook/check-result.js';

describe('a blocking check as the one sentence of an error', () => {
	it('joins what it saw and what to do as clauses of one sentence, names kept as they are', () => {
		const capacity = failed('capacity', 'Capacity left', 'no other active server of static is up and in rotation. HAProxy would answer 503 to every request.', {
			meaning: 'Draining the target would take the service down or onto backups.',
			todo: 'Bring another server back first; --force passes this gate (journaled).',
		});
		expect(failureSentence(capacity)).toBe('no other active server of static is up and in rotation; HAProxy would answer 503 to every request; bring another server back first; --force passes this gate (journaled).');
	});

	it('keeps versions, paths and a check without what to do as they are', () => {
		expect(failureSentence(failed('x', 'X', 'HAProxy 2.6.12 at /run/haproxy/admin.sock refused it (level operator).'))).toBe('HAProxy 2.6.12 at /run/haproxy/admin.sock refused it (level operator).');
		expect(failureSentence(failed('x', 'X', 'webapps/app01 is gone. Only backup server b1 would take the traffic.'))).toBe('webapps/app01 is gone; only backup server b1 would take the traffic.');
	});

	it('keeps an ellipsis and an abbreviation as written: the same words as stderr (JSON said "stats socket ..; mode 660")', () => {
		const denied = 'Permission denied opening /run/haproxy/admin.sock; run as root or as a member of the socket\'s group (see "stats socket ... mode 660 group haproxy").';
		expect(failureSentence(failed('x', 'HAProxy answers', denied))).toBe(denied);
		expect(failureSentence(failed('x', 'X', 'It waits. Then it stops.', {todo: 'Give a path, e.g. /tmp/a, or i.e. none.'}))).toBe('It waits; then it stops; give a path, e.g. /tmp/a, or i.e. none.');
	});
});
