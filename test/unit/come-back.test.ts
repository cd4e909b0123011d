import {describe, expect, it} from 'vitest';
import {restoreCommand} from '../../source/runbook/come-back.js';

describe('the restore command drainboard prints', () => {
	it('says --yes, the flags that chose HAProxy and the journal, ready to paste', () => {
		expect(restoreCommand({socket: ['/run/haproxy/admin.sock']}, 'web/s1', '/home/a b/j.jsonl')).toBe("drainboard restore web/s1 --yes --socket /run/haproxy/admin.sock --journal '/home/a b/j.jsonl'");
	});

	it('keeps --take-over from a run that had it: without it, the pasted command would be refused again', () => {
		expect(restoreCommand({socket: ['/s'], takeOver: true}, 'web/s1')).toBe('drainboard restore web/s1 --yes --take-over --socket /s');
		expect(restoreCommand({socket: ['/s'], takeOver: false}, 'web/s1')).toBe('drainboard restore web/s1 --yes --socket /s');
	});
});
