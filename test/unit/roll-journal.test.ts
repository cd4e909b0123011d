import {describe, expect, it} from 'vitest';
import {appliedStateChanges} from '../../source/headless/roll-journal.js';
import {lastRoll, openRoll, rollServers, type RollRecord} from '../../source/runbook/roll-record.js';
import {shellWord} from '../../source/runbook/come-back.js';
import type {JournalEntry} from '../../source/runbook/journal.js';

const pid = 4242;
const session = `abc-${pid.toString(36)}`;
const entry = (fields: Partial<JournalEntry> & Pick<JournalEntry, 'event' | 'target'>): JournalEntry => ({
	time: '2026-12-03T17:00:00.000Z',
	session,
	user: 'ops',
	host: 'lb1',
	instances: [],
	step: null,
	...fields,
});

describe('the roll in the journal', () => {
	it('an open roll keeps the servers done, in order; a finished one is closed', () => {
		const entries = [
			entry({event: 'roll-started', target: 'webapps', detail: 'app01,app02,app03'}),
			entry({event: 'started', target: 'webapps/app01', step: 'validate'}),
			entry({event: 'roll-server-done', target: 'webapps', detail: 'app01'}),
			entry({event: 'roll-server-done', target: 'other', detail: 'app02'}),
			entry({event: 'roll-stopped', target: 'webapps', detail: 'app02: --exec exited with 3'}),
			entry({event: 'roll-resumed', target: 'webapps', detail: 'app01,app02,app03'}),
			entry({event: 'roll-server-done', target: 'webapps', detail: 'app02'}),
		];
		expect(openRoll(entries, 'webapps')).toMatchObject({servers: ['app01', 'app02', 'app03'], done: ['app01', 'app02'], startedBy: 'ops', finished: false});
		expect(openRoll(entries, 'other')).toBeUndefined();
		const finished = [...entries, entry({event: 'roll-finished', target: 'webapps'})];
		expect(openRoll(finished, 'webapps')).toBeUndefined();
		expect(lastRoll(finished, 'webapps')?.finished).toBe(true);
		// A new roll starts with nothing done.
		expect(openRoll([...finished, entry({event: 'roll-started', target: 'webapps', detail: 'app03'})], 'webapps')).toMatchObject({servers: ['app03'], done: []});
	});

	it('counts a server done when a maintenance the roll began ended with a proven restore, whoever ended it (the grid\'s banner, a headless restore)', () => {
		const later = '2026-12-03T17:05:00.000Z';
		const maintenance = (server: string, time: string, ready: boolean) => [
			entry({event: 'started', target: `webapps/${server}`, step: 'validate', time}),
			entry({event: 'reply', target: `webapps/${server}`, command: `set server webapps/${server} state drain`, ok: true, time}),
			...(ready ? [entry({event: 'reply', target: `webapps/${server}`, command: `set server webapps/${server} state ready`, ok: true, time})] : []),
			entry({event: 'finished', target: `webapps/${server}`, step: 'restore', time}),
		];
		const entries = [
			// Before the roll: not part of it.
			...maintenance('app03', '2026-12-03T16:00:00.000Z', true),
			entry({event: 'roll-started', target: 'webapps', detail: 'app01,app02,app03'}),
			entry({event: 'roll-server-done', target: 'webapps', detail: 'app01'}),
			entry({event: 'roll-server-started', target: 'webapps', detail: 'app02', time: '2026-12-03T17:04:00.000Z'}),
			entry({event: 'roll-stopped', target: 'webapps', detail: 'app02: --exec exited with 3'}),
			...maintenance('app02', later, true),
		];
		expect(openRoll(entries, 'webapps')?.done).toEqual(['app01', 'app02']);
		// A maintenance that ended without its ready (abandoned, or ready not applied) is not done.
		const unready = [...entries.slice(0, -4), ...maintenance('app02', later, false)];
		expect(openRoll(unready, 'webapps')?.done).toEqual(['app01']);
		// One the roll did not begin (someone's own, while the roll stood stopped) is not the roll's: not done.
		const theirs = [...entries.filter((one) => one.event !== 'roll-server-started'), ...maintenance('app03', later, true)];
		expect(openRoll(theirs, 'webapps')?.done).toEqual(['app01']);
	});

	it('counts the state changes HAProxy applied to a target in this process since a moment: replies, read-backs, rollbacks', () => {
		const since = Date.parse('2026-12-03T17:00:00.000Z');
		const entries = [
			entry({event: 'command', target: 'webapps/app01', command: 'set server webapps/app01 state drain'}),
			entry({event: 'reply', target: 'webapps/app01', command: 'set server webapps/app01 state drain', ok: true}),
			entry({event: 'reply', target: 'webapps/app01', command: 'set server webapps/app01 state ready', ok: false}),
			entry({event: 'check', check: 'read-back', target: 'webapps/app01', command: 'set server webapps/app01 state ready', ok: true}),
			entry({event: 'reply', target: 'webapps/app01', command: 'disable agent webapps/app01', ok: true}),
			entry({event: 'rollback', target: 'webapps/app01', command: 'set server webapps/app01 state ready', ok: true}),
			entry({event: 'reply', target: 'webapps/app01', command: 'set server webapps/app01 state drain', ok: true, session: 'abc-other'}),
			entry({event: 'reply', target: 'webapps/app01', command: 'set server webapps/app01 state drain', ok: true, time: '2026-12-03T16:59:59.999Z'}),
			entry({event: 'reply', target: 'webapps/app02', command: 'set server webapps/app02 state drain', ok: true}),
		];
		expect(appliedStateChanges(entries, 'webapps/app01', since, pid)).toBe(3);
		expect(appliedStateChanges(entries, 'webapps/app02', since, pid)).toBe(1);
	});

	it('quotes a word so that the shell reads it back unchanged', () => {
		expect(shellWord('webapps')).toBe('webapps');
		expect(shellWord('--socket=/run/haproxy/admin.sock')).toBe('--socket=/run/haproxy/admin.sock');
		expect(shellWord('ssh "$DRAINBOARD_ADDRESS" it\'s')).toBe(`'ssh "$DRAINBOARD_ADDRESS" it'\\''s'`);
		expect(shellWord('')).toBe("''");
	});
});

describe('the servers a roll goes through', () => {
	const open: RollRecord = {backend: 'webapps', servers: ['app03', 'app01'], startedAt: '2026-12-04T06:00:00.000Z', startedBy: 'ana', done: [], begun: {}, redo: [], finished: false};
	const names = ['app01', 'app02', 'app03'];

	it('takes those asked for, else the open roll\'s (less any gone since), else all in configuration order', () => {
		expect(rollServers(open, names, ['app02'])).toEqual(['app02']);
		expect(rollServers(open, names, [])).toEqual(['app03', 'app01']);
		expect(rollServers(open, ['app01', 'app02'], [])).toEqual(['app01']);
		expect(rollServers({...open, servers: ['gone']}, names, [])).toEqual(names);
		expect(rollServers(undefined, names, [])).toEqual(names);
	});
});
