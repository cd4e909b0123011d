import {appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync} from 'node:fs';
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

	it('reads, for one HAProxy, the entries about it: the same socket (through a symbolic link too) or the same process, and those that name none', () => {
		const dir = mkdtempSync(`${tmpdir()}/drainboard-scope-`);
		try {
			mkdirSync(`${dir}/run`);
			writeFileSync(`${dir}/run/admin.sock`, '');
			symlinkSync(`${dir}/run`, `${dir}/var-run`);
			const entry = (detail: string, instances: Array<{socket: string; pid: number | null; startTime: number | null}>) =>
				JSON.stringify({time: 't', session: 's', user: 'u', host: 'h', target: 'webapps/app01', instances: instances.map((one) => ({...one, version: null})), step: null, event: 'alarm', detail});
			const file = `${dir}/journal.jsonl`;
			writeFileSync(
				file,
				`${[
					entry('this socket', [{socket: `${dir}/run/admin.sock`, pid: 10, startTime: 100}]),
					entry('this socket by another path', [{socket: `${dir}/var-run/admin.sock`, pid: 11, startTime: 110}]),
					entry('this process through its master', [{socket: `${dir}/master.sock [worker 1]`, pid: 12, startTime: 120}]),
					entry('another HAProxy', [{socket: `${dir}/other.sock`, pid: 13, startTime: 130}]),
					entry('the same pid, another start (a pid used again)', [{socket: `${dir}/other.sock`, pid: 12, startTime: 999}]),
					entry('no instance named', []),
				].join('\n')}\n`,
			);
			const about = {sockets: [`${dir}/run/admin.sock`], processes: [{pid: 12, startTime: 120}]};
			expect(readJournal(file, {about}).entries.map((one) => one.detail)).toEqual(['this socket', 'this socket by another path', 'this process through its master', 'no instance named']);
			expect(readJournal(file).entries).toHaveLength(6);
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});

	it('read again, gives what the file holds now: what was appended, a line finished since, a file cut and written again, a file replaced', () => {
		const dir = mkdtempSync(`${tmpdir()}/drainboard-again-`);
		const file = `${dir}/journal.jsonl`;
		const line = (detail: string) => JSON.stringify({time: 't', session: 's', user: 'u', host: 'h', target: 'webapps/app01', instances: [], step: null, event: 'alarm', detail});
		const details = () => readJournal(file).entries.map((entry) => entry.detail);
		try {
			writeFileSync(file, `${line('one')}\n${line('two')}\n`);
			expect(details()).toEqual(['one', 'two']);
			// Appended, the last line not finished yet: unreadable for now, then read once it is whole.
			const three = line('three');
			appendFileSync(file, three.slice(0, 20));
			expect(readJournal(file)).toMatchObject({unreadable: 1});
			expect(details()).toEqual(['one', 'two']);
			appendFileSync(file, `${three.slice(20)}\n`);
			expect(readJournal(file)).toMatchObject({unreadable: 0});
			expect(details()).toEqual(['one', 'two', 'three']);
			// Cut and written again in place (the same inode), longer than before: read whole again.
			writeFileSync(file, `${line('uno')}\n${line('dos')}\n${line('tres')}\n${line('cuatro')}\n`);
			expect(details()).toEqual(['uno', 'dos', 'tres', 'cuatro']);
			// Cut shorter (logrotate's copytruncate), then appended to.
			truncateSync(file, 0);
			appendFileSync(file, `${line('after rotation')}\n`);
			expect(details()).toEqual(['after rotation']);
			// Replaced by another file (a new inode, the same length).
			writeFileSync(`${dir}/new.jsonl`, `${line('replaced!!!!!!')}\n`);
			renameSync(`${dir}/new.jsonl`, file);
			expect(details()).toEqual(['replaced!!!!!!']);
			// The entries given out are the caller's: changing them changes nothing read later.
			readJournal(file).entries.pop();
			expect(details()).toEqual(['replaced!!!!!!']);
		} finally {
			rmSync(dir, {recursive: true, force: true});
		}
	});
});
