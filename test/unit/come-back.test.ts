import {describe, expect, it} from 'vitest';
import {comeBackCommand, restoreCommand, rollComeBackCommand, statusCommand} from '../../source/runbook/come-back.js';
import {parseOptions} from '../../source/options.js';
import {parseTarget} from '../../source/runtime/names.js';

describe('the restore command drainboard prints', () => {
	it('says --yes, the flags that chose HAProxy and the journal, ready to paste', () => {
		expect(restoreCommand({socket: ['/run/haproxy/admin.sock']}, 'web/s1', '/home/a b/j.jsonl')).toBe("drainboard restore web/s1 --yes --socket /run/haproxy/admin.sock --journal '/home/a b/j.jsonl'");
	});

	it('keeps --take-over from a run that had it: without it, the pasted command would be refused again', () => {
		expect(restoreCommand({socket: ['/s'], takeOver: true}, 'web/s1')).toBe('drainboard restore web/s1 --yes --take-over --socket /s');
		expect(restoreCommand({socket: ['/s'], takeOver: false}, 'web/s1')).toBe('drainboard restore web/s1 --yes --socket /s');
	});

	it('keeps the flags of how the checks prove and wait that the run gave other than their default, so that the run taken up proves the same way', () => {
		const options = parseOptions({socket: ['/s'], proof: 'live', proofWindow: 120, requests: 10, quietTimeout: 120, readyTimeout: 300, verifyTls: true, timeout: 8});
		expect(restoreCommand(options, 'web/s1', '/j')).toBe('drainboard restore web/s1 --yes --socket /s --journal /j --timeout 8 --verify-tls --proof live --proof-window 120 --quiet-timeout 120');
		expect(comeBackCommand(parseOptions({socket: ['/s'], requests: 50}), parseTarget('web/s1'), '/j')).toBe('drainboard web/s1 --socket /s --journal /j --requests 50');
		expect(rollComeBackCommand(parseOptions({socket: ['/s'], proof: 'probe'}), 'web', '/j', 'systemctl restart app')).toBe("drainboard roll web --exec 'systemctl restart app' --socket /s --journal /j --proof probe");
		// status reads HAProxy only: the instance flags and how long to wait for them, nothing it would refuse.
		expect(statusCommand({target: parseTarget('web/s1'), commandFlags: options})).toBe('drainboard status --backend web --socket /s --timeout 8');
	});

	it('puts a name that begins with - last, after --, where it is read as a name, not a flag', async () => {
		const {readCommandLine} = await import('../../source/cli-args.js');
		const restore = restoreCommand({socket: ['/s']}, '-dash/--yes', '/j');
		expect(restore).toBe('drainboard restore --yes --socket /s --journal /j -- -dash/--yes');
		expect(readCommandLine(restore.split(' ').slice(1))).toMatchObject({input: ['restore', '-dash/--yes'], flags: {yes: true, socket: ['/s'], journal: '/j'}});
		expect(comeBackCommand({socket: ['/s']}, parseTarget('-dash/--yes'), '/j')).toBe('drainboard --socket /s --journal /j -- -dash/--yes');
	});

	it('names a --socket given twice as written once: it is one instance', () => {
		expect(restoreCommand(parseOptions({socket: ['/s', '/t', '/s']}), 'web/s1', '/j')).toBe('drainboard restore web/s1 --yes --socket /s --socket /t --journal /j');
	});
});
