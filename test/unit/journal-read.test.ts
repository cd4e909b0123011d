import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {describe, expect, it} from 'vitest';
import {journalReadLimit, readJournal} from '../../source/runbook/journal.js';

describe('readJournal', () => {
	it('refuses a device, and reads only the end of a huge journal', () => {
		expect(() => readJournal('/dev/full')).toThrow('The journal /dev/full is refused because it is not a regular file (a device)');
		expect(() => readJournal('/dev/null')).toThrow('The journal /dev/null is refused because it is not a regular file (a device)');
		const dir = mkdtempSync(`${tmpdir()}/drainboard-big-`);
		const file = `${dir}/journal.jsonl`;
		const line = JSON.stringify({time: 't', session: 's', user: 'u', host: 'h', target: 'webapps/app01', instances: [], step: null, event: 'started'});
		const filler = `${'x'.repeat(1023)}\n`.repeat(journalReadLimit / 1024 + 10);
		writeFileSync(file, `${line}\n${filler}${line}\n`);
		const read = readJournal(file);
		rmSync(dir, {recursive: true, force: true});
		expect(read.entries).toHaveLength(1);
		expect(read.unreadable).toBeGreaterThan(1000);
	});
});
