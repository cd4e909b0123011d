import {readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {HeadlessResult} from '../../source/headless/report.js';
import {statusJsonSchema} from '../../source/headless/status-schema.js';
import {markTime} from '../../source/runbook/drain-mark.js';
import {readJournal} from '../../source/runbook/journal.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {sharedLockDir, webConfig} from '../fixtures/web.cfg.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';

/**
 * Two operators with journals of their own on one load balancer: alice drains a server for her
 * work; bob, who cannot read her journal, must not end her maintenance by restoring it unawares.
 */
let bed: TestBed;
let lockDir: string;

beforeAll(async () => {
	bed = await startTestBed({demos: ['s1', 's2', 's3'], config: (context) => webConfig(context, ['s1', 's2', 's3'])});
	lockDir = await sharedLockDir(bed.dir);
});

afterEach(async () => {
	for (const server of ['s1', 's2', 's3']) {
		await bed.send(`set server web/${server} state ready`);
	}
});

afterAll(async () => {
	await bed?.stop();
});

const states = async () => adminStates(await bed.send('show servers state web'));
const as = (user: string) => ({env: {USER: user, SUDO_USER: '', DRAINBOARD_LOCK_DIR: lockDir}});
const common = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', path.join(bed.dir, journal), '--yes', '--json'];
/** The mark files of web/<server> of HAProxy's worker, as `state user` each (with no master, each is written under the socket as well). */
const marks = (server: string) =>
	readdirSync(lockDir)
		.filter((name) => name.includes(`.web=${server}.`) && name.endsWith('.drained') && !name.includes('-sock'))
		.map((name) => JSON.parse(readFileSync(path.join(lockDir, name), 'utf8')) as {state: string; user: string})
		.map((mark) => `${mark.state} ${mark.user}`);

describe("another operator's drain", () => {
	it("bob's restore of the server alice drained is refused, naming her maintenance; nothing is sent; --take-over restores it, journaled", async () => {
		const drain = await runCli(['drain', 'web/s1', ...common('alice.jsonl')], as('alice'));
		expect(drain.code, drain.stderr).toBe(0);
		expect((await states())['web/s1']).toBe('8');
		expect(marks('s1')).toEqual(['drained alice']);

		const refused = await runCli(['restore', 'web/s1', ...common('bob.jsonl')], as('bob'));
		expect(refused.code, refused.stderr).toBe(1);
		const result = JSON.parse(refused.stdout) as HeadlessResult;
		expect(result).toMatchObject({ok: false, changed: false, error: {code: 'other-maintenance'}});
		// HAProxy was read: the object says what it shows (drained, by alice), as other refusals do.
		expect(result.drained).toBe(true);
		expect(result.targets).toEqual([expect.objectContaining({backend: 'web', server: 's1', before: expect.objectContaining({adminFlags: ['FDRAIN']}) as unknown, after: expect.objectContaining({adminFlags: ['FDRAIN']}) as unknown})]);
		expect(result.error?.message).toMatch(
			new RegExp(
				`^web/s1 is held by alice's maintenance since \\d\\d:\\d\\d:\\d\\d \\(journal ${path.join(bed.dir, 'alice.jsonl').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\), so nothing was sent: restoring it would end that maintenance under its owner; leave it to them, or run drainboard again with --take-over to restore it yourself\\.$`,
			),
		);
		expect((await states())['web/s1']).toBe('8');
		const bobs = readJournal(path.join(bed.dir, 'bob.jsonl')).entries;
		expect(bobs.filter((entry) => entry.event === 'command')).toEqual([]);
		expect(bobs.at(-1)).toMatchObject({user: 'bob', event: 'step-failed', step: 'restore', detail: result.error?.message});

		// bob's drain of it sends nothing, and says (and warns in its JSON) that it is alice's drain.
		const again = await runCli(['drain', 'web/s1', ...common('bob.jsonl')], as('bob'));
		expect(again.code, again.stderr).toBe(0);
		const warned = JSON.parse(again.stdout) as HeadlessResult;
		expect(warned).toMatchObject({ok: true, changed: false, drained: true});
		expect(warned.warnings).toEqual([expect.stringMatching(/^web\/s1 is drained by alice's maintenance at \d\d:\d\d:\d\d \(journal .*alice\.jsonl\), not by this run: restoring it would end that maintenance \(it needs --take-over\)\.$/)]);
		expect(again.stderr.trim().split('\n').at(-1)).toBe('✓ web/s1 is drained and proven out of rotation. Its restore belongs to the maintenance that drained it (or needs --take-over).');

		const preview = await runCli(['restore', 'web/s1', ...common('bob.jsonl'), '--take-over', '--dry-run'], as('bob'));
		expect(preview.code, preview.stderr).toBe(0);
		const ready = (JSON.parse(preview.stdout) as HeadlessResult).steps.flatMap((step) => step.checks).find((check) => check.verdict === 'skip');
		expect(ready?.observed).toMatch(/^Would send "set server web\/s1 state ready" to .*; nothing was sent\. It would end alice's maintenance at \d\d:\d\d:\d\d \(journal .*alice\.jsonl\): taken over\.$/);
		expect((await states())['web/s1']).toBe('8');

		const taken = await runCli(['restore', 'web/s1', ...common('bob.jsonl'), '--take-over'], as('bob'));
		expect(taken.code, taken.stderr).toBe(0);
		expect(JSON.parse(taken.stdout)).toMatchObject({ok: true, changed: true, drained: false});
		expect(taken.stderr).toMatch(/It had been drained by alice's maintenance at \d\d:\d\d:\d\d \(journal .*alice\.jsonl\): that maintenance is over now \(taken over\)\./);
		// Said with the ready HAProxy accepted, not as a warning (the JSON's warnings stay empty).
		const readySent = (JSON.parse(taken.stdout) as HeadlessResult).steps.flatMap((step) => step.checks).find((check) => check.id === 'ready-sent');
		expect(readySent).toMatchObject({verdict: 'pass', observed: expect.stringMatching(/^"set server web\/s1 state ready" accepted \(empty reply\) by .+\. It had been drained by alice's maintenance/) as unknown});
		expect((await states())['web/s1']).toBe('0');
		const override = readJournal(path.join(bed.dir, 'bob.jsonl')).entries.find((entry) => entry.event === 'override');
		expect(override?.detail).toMatch(/^--take-over: restoring web\/s1, drained by alice's maintenance/);
		// One file per uid: run as one uid, the operators share it; the newest mark is what counts.
		expect(marks('s1')).toContain('ended bob');

		// bob drains it again for his own work: it is his now, his restore needs no --take-over, and alice's would be refused.
		expect((await runCli(['drain', 'web/s1', ...common('bob.jsonl')], as('bob'))).code).toBe(0);
		const hers = await runCli(['restore', 'web/s1', ...common('alice.jsonl')], as('alice'));
		expect(hers.code, hers.stderr).toBe(1);
		expect(JSON.parse(hers.stdout)).toMatchObject({error: {code: 'other-maintenance', message: expect.stringMatching(/^web\/s1 is held by bob's maintenance since /) as unknown}});
		const his = await runCli(['restore', 'web/s1', ...common('bob.jsonl')], as('bob'));
		expect(his.code, his.stderr).toBe(0);
		expect((await states())['web/s1']).toBe('0');
	}, 90_000); // Nine runs of drainboard, each with its traffic proofs: longer than the default 30 s on a loaded CI core.

	it("alice's restore after bob took her drain over and restored it says so, not that the drain was lost", async () => {
		expect((await runCli(['drain', 'web/s2', ...common('lena.jsonl')], as('lena'))).code).toBe(0);
		expect((await runCli(['restore', 'web/s2', ...common('max.jsonl'), '--take-over'], as('max'))).code).toBe(0);
		const hers = await runCli(['restore', 'web/s2', ...common('lena.jsonl')], as('lena'));
		expect(hers.code, hers.stderr).toBe(1);
		expect((JSON.parse(hers.stdout) as HeadlessResult).error?.message).toMatch(
			/^web\/s2 is not drained: max took this maintenance's drain over and put it back into rotation at \d\d:\d\d:\d\d, with restore's checks\. Nothing was sent\. The journal closes this maintenance\.$/,
		);
		expect(hers.stderr).not.toContain('without restore');
	});

	it("bob's drain run over alice's drain leaves her maintenance to her: once she restores it, his journal holds no lost drain and his restore has nothing to do", async () => {
		expect((await runCli(['drain', 'web/s3', ...common('nina.jsonl')], as('nina'))).code).toBe(0);
		const proved = await runCli(['drain', 'web/s3', ...common('otto.jsonl')], as('otto'));
		expect(proved.code, proved.stderr).toBe(0);
		expect(readJournal(path.join(bed.dir, 'otto.jsonl')).entries.at(-1)).toMatchObject({event: 'abandoned', detail: expect.stringMatching(/^the drain is nina's maintenance .*'s: its restore belongs to that maintenance$/) as unknown});
		expect((await runCli(['restore', 'web/s3', ...common('nina.jsonl')], as('nina'))).code).toBe(0);
		const status = await runCli(['status', '--socket', bed.adminSocket, '--journal', path.join(bed.dir, 'otto.jsonl'), '--json'], as('otto'));
		expect(statusJsonSchema.parse(JSON.parse(status.stdout)).lostDrains).toEqual([]);
		const his = await runCli(['restore', 'web/s3', ...common('otto.jsonl')], as('otto'));
		expect(his.code, his.stderr).toBe(0);
		expect(his.stderr).toContain('web/s3 is not drained (admin flags: none); nothing to restore.');
		expect(his.stderr).not.toContain('took this maintenance');
	});

	it('status names whose maintenance each drain is, in its JSON and its table; a drain made by hand names none', async () => {
		expect((await runCli(['drain', 'web/s1', ...common('paula.jsonl')], as('paula'))).code).toBe(0);
		expect(await bed.send('set server web/s3 state drain')).toBe('\n');
		const status = await runCli(['status', '--socket', bed.adminSocket, '--json'], as('quinn'));
		expect(status.code, status.stderr).toBe(0);
		const drains = statusJsonSchema.parse(JSON.parse(status.stdout)).drains;
		expect(drains).toEqual([
			{socket: bed.adminSocket, server: 'web/s1', by: {user: 'paula', host: os.hostname(), journal: path.join(bed.dir, 'paula.jsonl'), since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown}},
			{socket: bed.adminSocket, server: 'web/s3', by: null},
		]);
		const table = await runCli(['status', '--socket', bed.adminSocket], {env: {...as('quinn').env, COLUMNS: '200'}});
		expect(table.stdout.trimEnd().split('\n\n').at(-1)).toBe(
			[
				'Drained, and whose maintenance (from the drain marks on this host):',
				`  web/s1: paula's maintenance at ${markTime({uid: 0, ...drains[0]!.by!})} (journal ${path.join(bed.dir, 'paula.jsonl')})`,
				'  web/s3: no drainboard maintenance names it (drained by hand or by another tool)',
			].join('\n'),
		);
		// Paula's own status says how she takes her maintenance up again (her wizard may have ended without finishing it); quinn's above does not.
		const own = await runCli(['status', '--socket', bed.adminSocket], {env: {...as('paula').env, COLUMNS: '250'}});
		expect(own.stdout).toContain(`  web/s1: paula's maintenance at ${markTime({uid: 0, ...drains[0]!.by!})} (journal ${path.join(bed.dir, 'paula.jsonl')}); to take it up again:\n    drainboard web/s1 --socket ${bed.adminSocket} --journal ${path.join(bed.dir, 'paula.jsonl')}\n`);
		// In 80 columns too: the command is on a line of its own, whole, to paste.
		const narrow = await runCli(['status', '--socket', bed.adminSocket], {env: {...as('paula').env, COLUMNS: '80'}});
		expect(narrow.stdout).toContain(`\n    drainboard web/s1 --socket ${bed.adminSocket} --journal ${path.join(bed.dir, 'paula.jsonl')}\n`);
		expect(table.stdout).not.toContain('to take it up again');
		// Marks that cannot be read say nothing of who drained: "not known", never "by hand".
		const notADirectory = path.join(bed.dir, 'not-a-directory');
		writeFileSync(notADirectory, '');
		const blind = {env: {...as('quinn').env, DRAINBOARD_LOCK_DIR: notADirectory, COLUMNS: '200'}};
		const unknown = await runCli(['status', '--socket', bed.adminSocket], blind);
		expect(unknown.stdout).toContain(`  web/s1: not known: the drain marks in ${notADirectory} could not be read (ENOTDIR)`);
		expect(unknown.stdout).not.toContain('drained by hand');
		const unknownJson = await runCli(['status', '--socket', bed.adminSocket, '--json'], blind);
		expect(statusJsonSchema.parse(JSON.parse(unknownJson.stdout)).drains.map((drain) => drain.by)).toEqual([null, null]);
		expect(unknownJson.stderr.trim()).toBe(`Whose maintenance each drain is, is not known: the drain marks in ${notADirectory} could not be read (ENOTDIR); "by": null means not known here.`);
		// Restored: the drain is gone from status, and so is its owner.
		expect((await runCli(['restore', 'web/s1', ...common('paula.jsonl')], as('paula'))).code).toBe(0);
		const after = statusJsonSchema.parse(JSON.parse((await runCli(['status', '--socket', bed.adminSocket, '--json'], as('quinn'))).stdout));
		expect(after.drains.map((drain) => drain.server)).toEqual(['web/s3']);
	});

	it('the same operator with another journal is told which journal holds the maintenance', async () => {
		expect((await runCli(['drain', 'web/s3', ...common('carol-a.jsonl')], as('carol'))).code).toBe(0);
		const other = await runCli(['restore', 'web/s3', ...common('carol-b.jsonl')], as('carol'));
		expect(other.code, other.stderr).toBe(1);
		expect(JSON.parse(other.stdout)).toMatchObject({
			error: {code: 'other-maintenance', message: `web/s3 is held by your maintenance since ${/ since (\d\d:\d\d:\d\d),/.exec(JSON.parse(other.stdout).error.message)?.[1]}, recorded in journal ${path.join(bed.dir, 'carol-a.jsonl')}, not in ${path.join(bed.dir, 'carol-b.jsonl')}, so nothing was sent: continue it with --journal ${path.join(bed.dir, 'carol-a.jsonl')}, or run again with --take-over.`},
		});
		expect((await runCli(['restore', 'web/s3', ...common('carol-a.jsonl')], as('carol'))).code).toBe(0);
	});

	it('a mark whose file is not owned by the uid its name gives is not believed; one of its owner that cannot be read is a claim of a maintenance not known: restore needs --take-over', async () => {
		const drain = await runCli(['drain', 'web/s2', ...common('dave.jsonl')], as('dave'));
		expect(drain.code, drain.stderr).toBe(0);
		const own = readdirSync(lockDir).find((name) => name.includes('.web=s2.') && name.endsWith('.drained'))!;
		const ownFile = path.join(lockDir, own);
		// Planted by "uid 4242" (the file is root's) claiming a newer drain: not that user's, so no claim at all.
		const later = new Date(Date.now() + 60_000).toISOString();
		const planted = path.join(lockDir, own.replace(/\.\d+\.drained$/, '.4242.drained'));
		writeFileSync(planted, JSON.stringify({state: 'drained', user: 'mallory', host: 'x', journal: '/tmp/j', since: later}));
		const escaped = ownFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		const refusal = (why: string) =>
			new RegExp(`^web/s2 is held by a maintenance (?:run as root \\(which operator, not known\\)|of yours \\(\\S+\\)) whose drain mark, written at \\d\\d:\\d\\d:\\d\\d, cannot be read \\(${escaped}: ${why}\\), so whose maintenance holds it is not known and nothing was sent: find out who drained it, then run drainboard again with --take-over to restore it yourself\\.$`);
		try {
			// dave's own mark, torn (a full disk, an editor): still his uid's claim, of a maintenance whose journal is not known.
			writeFileSync(ownFile, '{"state":"drained","user":"da');
			const torn = await runCli(['restore', 'web/s2', ...common('erin.jsonl')], as('erin'));
			expect(torn.code, torn.stderr).toBe(1);
			const tornResult = JSON.parse(torn.stdout) as HeadlessResult;
			expect(tornResult).toMatchObject({ok: false, changed: false, error: {code: 'other-maintenance'}});
			expect(tornResult.error?.message).toMatch(refusal('not JSON'));
			expect(torn.stdout + torn.stderr).not.toContain('mallory');
			expect((await states())['web/s2']).toBe('8');

			// With a control character: not a mark drainboard writes; its text never reaches the screen.
			writeFileSync(ownFile, JSON.stringify({state: 'drained', user: 'dave\u001b[2J', host: 'x', journal: '/tmp/j', since: new Date().toISOString()}));
			const hostile = await runCli(['restore', 'web/s2', ...common('erin.jsonl')], as('erin'));
			expect(hostile.code, hostile.stderr).toBe(1);
			expect((JSON.parse(hostile.stdout) as HeadlessResult).error?.message).toMatch(refusal('not a drain mark drainboard writes'));
			expect(hostile.stdout + hostile.stderr).not.toContain('\u001b');

			// status names no maintenance for it ("by": null) and says why on stderr; its table says so on the server's line.
			const status = await runCli(['status', '--socket', bed.adminSocket, '--json'], as('erin'));
			expect(status.code, status.stderr).toBe(0);
			expect(statusJsonSchema.parse(JSON.parse(status.stdout)).drains).toEqual([expect.objectContaining({server: 'web/s2', by: null})]);
			expect(status.stderr).toMatch(/Whose maintenance drained web\/s2 is not known: a maintenance (?:run as root \(which operator, not known\)|of yours \(\S+\)) whose drain mark, written at \d\d:\d\d:\d\d, cannot be read \(.*\); its "by": null means not known here, and its restore needs --take-over\./);
			const table = await runCli(['status', '--socket', bed.adminSocket], {env: {...as('erin').env, COLUMNS: '400'}});
			expect(table.stdout).toMatch(/web\/s2: not known: a maintenance (?:run as root|of yours) /);
			expect(table.stdout).toContain(`cannot be read (${ownFile}: not a drain mark drainboard writes); its restore needs --take-over`);

			const taken = await runCli(['restore', 'web/s2', ...common('erin.jsonl'), '--take-over'], as('erin'));
			expect(taken.code, taken.stderr).toBe(0);
			expect((await states())['web/s2']).toBe('0');
			// The take-over's own mark replaces the torn one (the same uid's file).
			expect(JSON.parse(readFileSync(ownFile, 'utf8'))).toMatchObject({state: 'ended', user: 'erin'});
		} finally {
			rmSync(planted);
		}
	});

	it('a claim written after this maintenance\'s drain (its mark torn since) is said when the maintenance is opened again, not first at its refused restore', async () => {
		const drain = await runCli(['drain', 'web/s3', ...common('nora.jsonl')], as('nora'));
		expect(drain.code, drain.stderr).toBe(0);
		const own = readdirSync(lockDir).find((name) => name.includes('.web=s3.') && name.endsWith('.drained'))!;
		writeFileSync(path.join(lockDir, own), '{"state":"drained","us');
		const again = await runCli(['drain', 'web/s3', ...common('nora.jsonl')], as('nora'));
		expect(again.code, again.stderr).toBe(0);
		const warned = JSON.parse(again.stdout) as HeadlessResult;
		expect(warned).toMatchObject({ok: true, changed: false, drained: true});
		expect(warned.warnings).toEqual([expect.stringMatching(/^web\/s3 is held by a maintenance (?:run as root \(which operator, not known\)|of yours \(\S+\)) whose drain mark, written at \d\d:\d\d:\d\d, cannot be read \(.*: not JSON\), claimed after this maintenance's drain: its restore is refused without --take-over\.$/)]);
		expect(again.stderr).toContain(`! ${warned.warnings[0]!}`);
		// As said: refused without --take-over, restored with it.
		expect((await runCli(['restore', 'web/s3', ...common('nora.jsonl')], as('nora'))).code).toBe(1);
		const restore = await runCli(['restore', 'web/s3', ...common('nora.jsonl'), '--take-over'], as('nora'));
		expect(restore.code, restore.stderr).toBe(0);
		expect((await states())['web/s3']).toBe('0');
	});

	it('alice restores her own drain from her journal without --take-over, and the mark ends with the drain', async () => {
		const drain = await runCli(['drain', 'web/s2', ...common('alice-own.jsonl')], as('alice'));
		expect(drain.code, drain.stderr).toBe(0);
		expect(marks('s2')).toEqual(['drained alice']);
		const restore = await runCli(['restore', 'web/s2', ...common('alice-own.jsonl')], as('alice'));
		expect(restore.code, restore.stderr).toBe(0);
		expect((await states())['web/s2']).toBe('0');
		expect(marks('s2')).toEqual(['ended alice']);
	});

	it('a drain ended outside drainboard (set ready by hand) ends its mark once drainboard sees the server in rotation', async () => {
		expect((await runCli(['drain', 'web/s1', ...common('frank.jsonl')], as('frank'))).code).toBe(0);
		await bed.send('set server web/s1 state ready');
		// Any maintenance opened on it while it is in rotation (here a restore with nothing to restore) ends frank's mark.
		const nothing = await runCli(['restore', 'web/s1', ...common('gina.jsonl')], as('gina'));
		expect(nothing.stderr).toContain('is not drained');
		expect(marks('s1')).toContain('ended gina');
		await bed.send('set server web/s1 state drain');
		const restore = await runCli(['restore', 'web/s1', ...common('gina.jsonl')], as('gina'));
		expect(restore.code, restore.stderr).toBe(0);
		expect(restore.stderr).toContain('drained by someone or something else');
	});

	it('a drain made outside drainboard (socat) has no mark: restore says it does not know who, and restores it', async () => {
		await bed.send('set server web/s3 state drain');
		const restore = await runCli(['restore', 'web/s3', ...common('bob-socat.jsonl')], as('bob'));
		expect(restore.code, restore.stderr).toBe(0);
		expect(restore.stderr).toContain('drained by someone or something else');
		// Whoever drained it by hand may not be done: the restore that ends their drain warns, in the JSON too.
		const warning = 'web/s3 was drained by someone or something else, not by a drainboard maintenance: this restore ends that drain; make sure whoever drained it is done with it.';
		expect(restore.stderr).toContain(`! ${warning}`);
		expect(JSON.parse(restore.stdout)).toMatchObject({ok: true, changed: true, warnings: expect.arrayContaining([warning]) as unknown});
		expect((await states())['web/s3']).toBe('0');
	});

	it('a drain made by hand and taken up by a drain run is that maintenance\'s from then on: marked, refused to another journal\'s restore, restored by its own', async () => {
		expect(await bed.send('set server web/s2 state drain')).toBe('\n');
		const adopt = await runCli(['drain', 'web/s2', ...common('jill.jsonl')], as('jill'));
		expect(adopt.code, adopt.stderr).toBe(0);
		expect(adopt.stderr).toContain('drained by someone or something else');
		// Taking it up is said as a warning, in the JSON too: its restore will end the hand-made drain.
		expect(JSON.parse(adopt.stdout)).toMatchObject({
			warnings: expect.arrayContaining(['web/s2 was drained already by someone or something else, not by a drainboard maintenance: this run takes that drain up, and its restore will put web/s2 back into rotation; make sure whoever drained it agrees.']) as unknown,
		});
		expect(marks('s2')).toEqual(['drained jill']);
		const status = await runCli(['status', '--socket', bed.adminSocket, '--json'], as('kurt'));
		expect(statusJsonSchema.parse(JSON.parse(status.stdout)).drains).toEqual([expect.objectContaining({server: 'web/s2', by: expect.objectContaining({user: 'jill', journal: path.join(bed.dir, 'jill.jsonl')}) as unknown})]);
		const refused = await runCli(['restore', 'web/s2', ...common('kurt.jsonl')], as('kurt'));
		expect(refused.code, refused.stderr).toBe(1);
		expect(JSON.parse(refused.stdout)).toMatchObject({ok: false, changed: false, error: {code: 'other-maintenance'}});
		expect((await states())['web/s2']).toBe('8');
		const own = await runCli(['restore', 'web/s2', ...common('jill.jsonl')], as('jill'));
		expect(own.code, own.stderr).toBe(0);
		expect((await states())['web/s2']).toBe('0');
		expect(marks('s2')).toEqual(['ended jill']);
	});

	it('a drain taken up that someone then ends by hand is said lost, as a drain drainboard sent would be: status, and the owner\'s restore (exit 1)', async () => {
		expect(await bed.send('set server web/s3 state drain')).toBe('\n');
		const adopt = await runCli(['drain', 'web/s3', ...common('lena.jsonl')], as('lena'));
		expect(adopt.code, adopt.stderr).toBe(0);
		// Its restore says whose drain it goes on with, and that lena's maintenance did not make it.
		const preview = await runCli(['restore', 'web/s3', ...common('lena.jsonl'), '--dry-run'], as('lena'));
		expect(preview.stderr).toMatch(/→ the maintenance that lena started at .* took up a drain it found already set \(by hand or another tool\); it goes on at/);
		expect(await bed.send('set server web/s3 state ready')).toBe('\n');
		const status = await runCli(['status', '--socket', bed.adminSocket, '--journal', path.join(bed.dir, 'lena.jsonl'), '--json'], as('lena'));
		// When the drain was made is not known (only when lena's maintenance took it up): no drainedAt, and never "drained it".
		expect(statusJsonSchema.parse(JSON.parse(status.stdout)).lostDrains).toEqual([expect.objectContaining({server: 'web/s3', undone: 'change', by: expect.objectContaining({drainedAt: null})})]);
		const table = await runCli(['status', '--socket', bed.adminSocket, '--journal', path.join(bed.dir, 'lena.jsonl')], as('lena'));
		expect(table.stdout.replace(/\s+/g, ' ')).toMatch(/web\/s3: lena's maintenance of \S+ took up a drain it found already set \(by hand or another tool\), and HAProxy shows it in rotation now/);
		expect(table.stdout).not.toMatch(/web\/s3: lena's maintenance of \S+ drained it/);
		const restore = await runCli(['restore', 'web/s3', ...common('lena.jsonl')], as('lena'));
		expect(restore.code, restore.stderr).toBe(1);
		const result = JSON.parse(restore.stdout) as HeadlessResult;
		expect(result.warnings).toEqual([expect.stringMatching(/^Someone or something else changed web\/s3 on \S+ after the drain \(found already set, taken up at \d\d:\d\d:\d\d\): HAProxy \(same process, pid \d+\) shows it ready \(no admin flags\), so it went back into rotation during the maintenance\.$/)]);
		expect(restore.stderr).not.toContain('nothing to restore');
	});

	it('a restore of a machine with one of its servers in another maintenance is refused whole, naming the commands for the rest', async () => {
		expect((await runCli(['drain', 'web/s1', ...common('hana.jsonl')], as('hana'))).code).toBe(0);
		expect((await runCli(['drain', 'web/s2', ...common('ivan.jsonl')], as('ivan'))).code).toBe(0);
		const all = await runCli(['restore', '@127.0.0.1', ...common('ivan.jsonl')], as('ivan'));
		expect(all.code, all.stderr).toBe(1);
		const message = (JSON.parse(all.stdout) as HeadlessResult).error?.message ?? '';
		expect(message).toMatch(/^web\/s1 is held by hana's maintenance since .* The rest of @127\.0\.0\.1 can be restored one server at a time \("drainboard restore web\/s2 --yes [^"]*", "drainboard restore web\/s3 --yes [^"]*"\)\.$/);
		expect((await states())['web/s1']).toBe('8');
		expect((await states())['web/s2']).toBe('8');
		const pasted = /"(drainboard restore web\/s2 [^"]*)"/.exec(message)![1]!;
		expect(pasted).toContain(`--journal ${path.join(bed.dir, 'ivan.jsonl')}`);
	});
});

describe('restore of a server in maintenance (MAINT), not drained', () => {
	it('is refused with what HAProxy shows (not-serving, exit 1, as drain refuses it), nothing sent', async () => {
		await bed.send('set server web/s3 state maint');
		const run = await runCli(['restore', 'web/s3', ...common('maint.jsonl')], as('kim'));
		expect(run.code, run.stderr).toBe(1);
		expect(JSON.parse(run.stdout)).toMatchObject({
			ok: false,
			changed: false,
			error: {code: 'not-serving', message: 'web/s3 is in maintenance (FMAINT), not drained, so nothing was sent: drainboard restores drains only. Send "set server web/s3 state ready" yourself if that is meant.'},
			// The server was read: the object says how it is (not "could not be read"), as drain's refusal does.
			drained: false,
			targets: [{before: {adminFlags: ['FMAINT']}, after: {adminFlags: ['FMAINT']}}],
		});
		expect(run.stderr).toContain('✗ web/s3 is in maintenance (FMAINT), not drained, so nothing was sent');
		expect((await states())['web/s3']).toBe('1');
	});
});

