import {mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {DrainMarks, endedByOther, endedByOwnJournal, isOwnMark, isOwnUser, markTime, pruneEnded, type LatestMark} from '../../source/runbook/drain-mark.js';
import {printableName} from '../../source/runbook/backend-lock.js';
import {operatorName} from '../../source/runbook/journal.js';
import {parseTarget} from '../../source/runtime/names.js';
import {FakeHaproxy} from '../helpers/fake-runtime.js';

const dirs: string[] = [];
afterEach(() => {
	for (const dir of dirs.splice(0)) {
		rmSync(dir, {recursive: true, force: true});
	}
});

function marksIn(): {dir: string; marks: DrainMarks} {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-marks-'));
	dirs.push(dir);
	return {dir, marks: new DrainMarks({dir, clients: [new FakeHaproxy(['app01', 'app02']).client()]})};
}

const target = parseTarget('webapps/app01');
const uid = process.getuid?.() ?? 0;

describe('drain marks', () => {
	it('names the newest mark of the server, and nothing once it ended', async () => {
		const {marks} = marksIn();
		expect(await marks.read(target)).toBeNull();
		expect(await marks.write(target, '/tmp/a.jsonl')).toBeNull();
		expect(await marks.read(target)).toMatchObject({uid, journal: '/tmp/a.jsonl'});
		expect(await marks.read(parseTarget('webapps/app02'))).toBeNull();
		await marks.end(target, '/tmp/a.jsonl', 'ready');
		expect(await marks.read(target)).toBeNull();
		expect(await marks.latest(target)).toMatchObject({state: 'ended', how: 'ready', journal: '/tmp/a.jsonl'});
	});

	it('still names the maintenance after a reload with no master (a new worker, the same socket), until the new worker has a mark of its own', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-marks-'));
		dirs.push(dir);
		const haproxy = new FakeHaproxy(['app01', 'app02']);
		const marks = new DrainMarks({dir, clients: [haproxy.client()]});
		await marks.write(target, '/tmp/a.jsonl');
		haproxy.reload();
		// A server-state file kept the drain: the socket's mark says whose it is.
		expect(await marks.read(target)).toMatchObject({journal: '/tmp/a.jsonl'});
		expect(await marks.latest(target)).toMatchObject({state: 'drained', journal: '/tmp/a.jsonl'});
		// Ended on the new worker: written under it and the socket; the older mark is not read past it.
		await marks.end(target, '/tmp/b.jsonl', 'ready');
		expect(await marks.read(target)).toBeNull();
		expect(await marks.latest(target)).toMatchObject({state: 'ended', journal: '/tmp/b.jsonl'});
		expect(readdirSync(dir).filter((name) => name.includes('webapps=app01'))).toHaveLength(3);
	});

	it('believes a file only when the uid its name gives owns it; one of its owner that does not validate is a claim of a maintenance not known', async () => {
		const {dir, marks} = marksIn();
		await marks.write(target, '/tmp/a.jsonl');
		// The worker's mark, and the same under the socket (no master): the worker's says.
		const bySocket = readdirSync(dir).filter((name) => name.includes('-sock'));
		expect(bySocket).toHaveLength(1);
		// What follows is of the worker's file alone (the socket's is read when the worker has none that counts).
		rmSync(path.join(dir, bySocket[0]!));
		const own = readdirSync(dir).find((name) => !name.includes('-sock'));
		expect(own).toMatch(new RegExp(`^drainboard\\..+-pid\\d+-t\\d+\\.webapps=app01\\.${uid}\\.drained$`));
		const file = path.join(dir, own!);
		const newer = new Date(Date.now() + 60_000).toISOString();
		writeFileSync(path.join(dir, own!.replace(/\.\d+\.drained$/, `.${uid + 4242}.drained`)), JSON.stringify({state: 'drained', user: 'mallory', host: 'x', journal: '/tmp/m', since: newer}));
		expect(await marks.read(target)).toMatchObject({journal: '/tmp/a.jsonl'});
		// Invisible or line-breaking characters: not a mark drainboard writes, yet its owner's claim, whose maintenance (and journal) is not known.
		for (const forged of [{user: 'eve\u202Eevil'}, {host: 'vm\u2028\u061cX'}, {journal: '/tmp/evil\u061c\u2029x'}, {user: 'ro\u00adot'}, {user: '\ufeffroot'}, {user: 'r\u2060oot'}, {state: 'drainedd'}]) {
			writeFileSync(file, JSON.stringify({state: 'drained', user: 'alice', host: 'x', journal: '/tmp/a.jsonl', since: new Date().toISOString(), ...forged}));
			const claim = await marks.read(target);
			expect(claim, JSON.stringify(forged)).toEqual({uid, user: expect.any(String) as unknown, host: os.hostname(), journal: '', since: expect.any(String) as unknown, unreadable: {file, why: 'not a drain mark drainboard writes'}});
			expect(isOwnMark(claim!, '/tmp/a.jsonl')).toBe(false);
			expect(isOwnUser(claim!)).toBe(false);
			// It says nothing of how a drain ended.
			expect(await marks.latest(target)).toBeNull();
		}

		for (const [torn, why] of [['{"state":"drained","us', 'not JSON'], ['', 'empty']] as const) {
			writeFileSync(file, torn);
			expect(await marks.read(target)).toMatchObject({uid, journal: '', unreadable: {file, why}});
		}

		// A date ahead of the clock would outrank every later mark: not believed, and no claim.
		writeFileSync(file, JSON.stringify({state: 'drained', user: 'alice', host: 'x', journal: '/tmp/a.jsonl', since: '2099-01-01T00:00:00Z'}));
		expect(await marks.read(target)).toBeNull();
		// Dated by when its file was written (it ranks among the other users' marks by that), never ahead of now.
		writeFileSync(file, 'garbage');
		// Whole seconds: a file time keeps no finer a fraction than the filesystem gives.
		const written = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
		utimesSync(file, written, written);
		expect(await marks.read(target)).toMatchObject({since: written.toISOString(), unreadable: {file, why: 'not JSON'}});
		// Written ahead of the clock by less than a minute: dated now at the latest. More: it would outrank every mark written until then, so not believed.
		const soon = new Date(Date.now() + 30_000);
		utimesSync(file, soon, soon);
		expect(Date.parse((await marks.read(target))!.since)).toBeLessThanOrEqual(Date.now());
		const ahead = new Date(Date.now() + 3_600_000);
		utimesSync(file, ahead, ahead);
		expect(await marks.read(target)).toBeNull();

		writeFileSync(file, JSON.stringify({state: 'drained', user: 'alice', host: 'x', journal: '/tmp/a.jsonl', since: new Date().toISOString()}));
		expect(await marks.read(target)).toMatchObject({journal: '/tmp/a.jsonl'});
	});

	it('says a mark of another day with its date, one of today with its clock time (local, as the screen\'s clocks)', () => {
		const mark = {uid: 0, user: 'alice', host: 'lb1', journal: '/j'};
		const iso = (...parts: [number, number, number, number, number]) => new Date(...parts).toISOString();
		// 25 minutes before, but yesterday: a clock time alone would read as today.
		expect(markTime({...mark, since: iso(2026, 11, 3, 23, 50)}, new Date(2026, 11, 4, 0, 15).getTime())).toBe('2026-12-03 23:50');
		expect(markTime({...mark, since: iso(2026, 11, 4, 9, 0)}, new Date(2026, 11, 4, 23, 0).getTime())).toBe('09:00:00');
	});

	it('names another maintenance as having ended this drain only when its restore applied ready after this drain', () => {
		const drainSetAt = Date.parse('2026-12-04T10:00:00Z');
		const later = '2026-12-04T10:05:00.000Z';
		const bob: LatestMark = {state: 'ended', how: 'ready', uid: uid + 1, user: 'bob', host: os.hostname(), journal: '/j/bob.jsonl', since: later};
		expect(endedByOther(bob, '/j/alice.jsonl', drainSetAt)).toBe(bob);
		// Found in rotation (someone's socat, a reload), an older mark, an old drainboard's mark, a drain not ended, or this run's own.
		expect(endedByOther({...bob, how: 'seen'}, '/j/alice.jsonl', drainSetAt)).toBeNull();
		expect(endedByOther({...bob, since: '2026-12-04T09:59:00.000Z'}, '/j/alice.jsonl', drainSetAt)).toBeNull();
		const {how: _how, ...unsaid} = bob;
		expect(endedByOther(unsaid, '/j/alice.jsonl', drainSetAt)).toBeNull();
		expect(endedByOther({...bob, state: 'drained'}, '/j/alice.jsonl', drainSetAt)).toBeNull();
		expect(endedByOther({...bob, uid, user: printableName(operatorName())}, '/j/bob.jsonl', drainSetAt)).toBeNull();
		expect(endedByOther(null, '/j/alice.jsonl', drainSetAt)).toBeNull();
	});

	it("names this maintenance's own journal as having ended the drain only for its own restore, applied after this drain", () => {
		const drainSetAt = Date.parse('2026-12-04T10:00:00Z');
		const journal = path.resolve('/j/me.jsonl');
		const mine: LatestMark = {state: 'ended', how: 'ready', uid, user: printableName(operatorName()), host: os.hostname(), journal, since: '2026-12-04T10:05:00.000Z'};
		expect(endedByOwnJournal(mine, journal, drainSetAt)).toBe(mine);
		expect(endedByOther(mine, journal, drainSetAt)).toBeNull();
		// Another journal of mine, a mark before this drain, a drain found in rotation, or not ended: not this maintenance's restore.
		expect(endedByOwnJournal(mine, '/j/other.jsonl', drainSetAt)).toBeNull();
		expect(endedByOwnJournal({...mine, since: '2026-12-04T09:59:00.000Z'}, journal, drainSetAt)).toBeNull();
		expect(endedByOwnJournal({...mine, how: 'seen'}, journal, drainSetAt)).toBeNull();
		expect(endedByOwnJournal({...mine, state: 'drained'}, journal, drainSetAt)).toBeNull();
	});

	it('keeps ended marks a week, then removes them when an end is written; drained marks stay whatever their age', async () => {
		const {dir, marks} = marksIn();
		const old = new Date(Date.now() - 8 * 24 * 3_600_000).toISOString();
		const recent = new Date(Date.now() - 24 * 3_600_000).toISOString();
		const plant = (name: string, state: string, since: string) => writeFileSync(path.join(dir, `drainboard.gone-pid1-t1.${name}.${uid}.drained`), JSON.stringify({state, how: 'ready', user: 'me', host: 'lb1', journal: '/j', since}));
		plant('b_old', 'ended', old);
		plant('b_recent', 'ended', recent);
		plant('b_drained', 'drained', old);
		// Another user's old end is theirs to remove (and the directory's sticky bit says so).
		writeFileSync(path.join(dir, `drainboard.gone-pid1-t1.b_other.${uid + 1}.drained`), JSON.stringify({state: 'ended', user: 'x', host: 'lb1', journal: '/j', since: old}));
		await marks.write(target, '/tmp/a.jsonl');
		expect(readdirSync(dir).some((name) => name.includes('.b_old.'))).toBe(true);
		await marks.end(target, '/tmp/a.jsonl', 'ready');
		const left = readdirSync(dir).map((name) => name.split('.')[2]).sort();
		// The end of webapps/app01 twice: the worker's and the socket's (no master).
		expect(left).toEqual(['b_drained', 'b_other', 'b_recent', 'webapps=app01', 'webapps=app01']);
		// A week and a second on: the end written just now is older than a week, even within the same millisecond.
		pruneEnded(dir, uid, Date.now() + 7 * 24 * 3_600_000 + 1000);
		expect(readdirSync(dir).map((name) => name.split('.')[2]).sort()).toEqual(['b_drained', 'b_other']);
	});

	it('keeps the marks of servers whose names differ only where a separator would go apart', async () => {
		const {marks} = marksIn();
		// `_` in place of `/` gave api_v2/s1 and api/v2_s1 one file; api/s2.0's file began with api/s2's name.
		await marks.write(parseTarget('api_v2/s1'), '/tmp/frank.jsonl');
		await marks.write(parseTarget('api/s2.0'), '/tmp/ivan.jsonl');
		expect(await marks.read(parseTarget('api/v2_s1'))).toBeNull();
		expect(await marks.read(parseTarget('api/s2'))).toBeNull();
		expect(await marks.read(parseTarget('api_v2/s1'))).toMatchObject({journal: '/tmp/frank.jsonl'});
		expect(await marks.read(parseTarget('api/s2.0'))).toMatchObject({journal: '/tmp/ivan.jsonl'});
	});
});
