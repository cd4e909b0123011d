import {once} from 'node:events';
import process from 'node:process';
import {existsSync, readFileSync} from 'node:fs';
import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {rollResultSchema} from '../../source/headless/roll-report.js';
import {statusJsonSchema} from '../../source/headless/status-schema.js';
import {readJournal} from '../../source/runbook/journal.js';
import {servedMore, startBedLoad, startUnderLoadBed} from '../fixtures/under-load.cfg.js';
import {checkCommandContract} from '../helpers/json-contract.js';
import {holdLock} from '../helpers/lock-holder.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {startRestartControl} from '../helpers/restart-control.js';
import {runCli, spawnCli, startCli} from '../helpers/run-cli.js';
import type {TestBed} from '../helpers/test-bed.js';
import {running} from '../helpers/process-state.js';
import {waitFor} from '../helpers/wait-for.js';

let bed: TestBed;
let control: Awaited<ReturnType<typeof startRestartControl>>;

beforeAll(async () => {
	bed = await startUnderLoadBed();
	control = await startRestartControl(bed);
});

afterAll(async () => {
	await control?.stop();
	await bed?.stop();
});

const common = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', path.join(bed.dir, journal), '--yes', '--json'];
const states = async () => adminStates(await bed.send('show servers state webapps'));
const servers = ['app01', 'app02', 'app03'];

describe('drainboard roll', () => {
	it('rolls three servers under load, each really stopped and started by --exec: 0 failed requests', async () => {
		const load = startBedLoad(bed);
		let roll;
		try {
			await Promise.all(servers.map(async (server) => servedMore(load, 20, server)));
			roll = await runCli(['roll', 'webapps', ...common('roll.jsonl'), '--exec', control.command], {timeoutMs: 240_000});
			// Every server serves again after the roll.
			await Promise.all(servers.map(async (server) => servedMore(load, 20, server)));
		} finally {
			await load.stop();
		}

		expect(roll.code, roll.stderr).toBe(0);
		// stdout is exactly one JSON object: the command's own output went to stderr.
		const result = rollResultSchema.parse(JSON.parse(roll.stdout));
		expect(roll.stderr).toContain('restarted app02');
		expect(roll.stderr).toContain('── 2 of 3 · app02');
		expect(result).toMatchObject({ok: true, changed: true, target: 'webapps', servers, stateChanges: 6, drained: []});
		expect(result.results.map((entry) => [entry.server, entry.outcome, entry.stateChanges, entry.exec?.exitCode])).toEqual(servers.map((server) => [server, 'done', 2, 0]));
		// Whatever a server's drain or restore warned of is in the top-level warnings too, named.
		expect(result.warnings).toEqual(result.results.flatMap((entry) => [...(entry.drain?.warnings ?? []), ...(entry.restore?.warnings ?? [])].map((text) => `${entry.target}: ${text}`)));
		expect(control.restarts.map(({server, backend, address, port}) => ({server, backend, address, port}))).toEqual(
			servers.map((server) => ({server, backend: 'webapps', address: '127.0.0.1', port: String(bed.port(server))})),
		);
		expect(load.result.errors).toEqual({});
		expect(load.result.failed).toBe(0);
		expect(Object.values(await states())).toEqual(['0', '0', '0']);
	}, 300_000);

	it('stops with the server drained when --exec fails, and a second roll resumes there without touching the done ones', async () => {
		control.restarts.length = 0;
		const marker = path.join(bed.dir, 'app02-fixed');
		const exec = `if [ "$DRAINBOARD_SERVER" = app02 ] && [ ! -e ${JSON.stringify(marker)} ]; then echo "app02 will not stop" >&2; exit 3; fi; ${control.command}`;
		const args = ['roll', 'webapps', ...common('resume.jsonl'), '--exec', exec];
		const first = await runCli(args, {timeoutMs: 240_000});
		expect(first.code, first.stderr).toBe(1);
		const stopped = rollResultSchema.parse(JSON.parse(first.stdout));
		expect(stopped).toMatchObject({ok: false, changed: true, stateChanges: 3, error: {code: 'exec-failed'}, drained: ['webapps/app02']});
		expect(stopped.results.map((entry) => entry.outcome)).toEqual(['done', 'stopped', 'not-started']);
		expect(stopped.results[1]!.exec).toEqual({exitCode: 3, signal: null});
		expect(first.stderr).toContain('app02 will not stop');
		expect(first.stderr).toContain('app02 is left DRAINED');
		// The way back is the exact command, as the shell reads it.
		expect(stopped.resume).toContain(`--exec '${exec.replaceAll("'", `'\\''`)}'`);
		expect(first.stderr).toContain(stopped.resume);
		// HAProxy shows app02 drained (FDRAIN), the others in rotation.
		expect(await states()).toEqual({'webapps/app01': '0', 'webapps/app02': '8', 'webapps/app03': '0'});
		expect(control.restarts.map((restart) => restart.server)).toEqual(['app01']);

		// A dry run of the same roll now predicts what the rerun does: app02's ready, then app03, app01 untouched; nothing sent, nothing run.
		const preview = await runCli([...args, '--dry-run'], {timeoutMs: 240_000});
		expect(preview.code, preview.stderr).toBe(0);
		const previewed = rollResultSchema.parse(JSON.parse(preview.stdout));
		expect(previewed.results.map((entry) => [entry.server, entry.outcome])).toEqual([
			['app01', 'already-done'],
			['app02', 'would-pass'],
			['app03', 'would-pass'],
		]);
		expect(previewed.wouldSend).toEqual(['set server webapps/app02 state ready', 'set server webapps/app03 state drain', 'set server webapps/app03 state ready']);
		expect(await states()).toEqual({'webapps/app01': '0', 'webapps/app02': '8', 'webapps/app03': '0'});
		expect(control.restarts.map((restart) => restart.server)).toEqual(['app01']);

		await writeFile(marker, '');
		const journalBefore = readJournal(path.join(bed.dir, 'resume.jsonl')).entries.length;
		const second = await runCli(args, {timeoutMs: 240_000});
		expect(second.code, second.stderr).toBe(0);
		const resumed = rollResultSchema.parse(JSON.parse(second.stdout));
		// app02 was drained already: only its ready is a change of this run.
		expect(resumed).toMatchObject({ok: true, changed: true, stateChanges: 3});
		expect(resumed.results.map((entry) => [entry.server, entry.outcome, entry.stateChanges])).toEqual([
			['app01', 'already-done', 0],
			['app02', 'done', 1],
			['app03', 'done', 2],
		]);
		expect(second.stderr).toContain('1 of 3 · app01: done earlier in this roll; not touched');
		expect(control.restarts.map((restart) => restart.server)).toEqual(['app01', 'app02', 'app03']);
		// Nothing about app01 was journaled by the second roll: it was not touched.
		const added = readJournal(path.join(bed.dir, 'resume.jsonl')).entries.slice(journalBefore);
		expect(added.filter((entry) => entry.target === 'webapps/app01')).toEqual([]);
		expect(added.some((entry) => entry.target === 'webapps/app02' && entry.event === 'resumed')).toBe(true);
		expect(Object.values(await states())).toEqual(['0', '0', '0']);
	}, 300_000);

	it('SIGTERM during --exec stops the roll with that server drained (exit 143, said, JSON); the same command resumes there', async () => {
		control.restarts.length = 0;
		const started = path.join(bed.dir, 'app02-started');
		const fixed = path.join(bed.dir, 'app02-signal-fixed');
		const sleeper = path.join(bed.dir, 'app02-sleep-pid');
		// On app02 the shell waits for a command it started (its pid written down), as a script waits for ssh or systemctl.
		const exec = `if [ "$DRAINBOARD_SERVER" = app02 ] && [ ! -e ${JSON.stringify(fixed)} ]; then sh -c 'echo $$ > ${JSON.stringify(sleeper)}; : > ${JSON.stringify(started)}; exec sleep 120'; exit 1; fi; ${control.command}`;
		const args = ['roll', 'webapps', ...common('signal.jsonl'), '--exec', exec];
		const cli = startCli(args);
		await waitFor('the command running on app02', () => (existsSync(started) ? true : undefined), 120_000, 100);
		cli.child.kill('SIGTERM');
		const {code} = await cli.exited;
		const {stdout, stderr} = cli;
		expect(code, stderr).toBe(143);
		checkCommandContract(['roll'], stdout, code);
		const stopped = rollResultSchema.parse(JSON.parse(stdout));
		expect(stopped).toMatchObject({ok: false, error: {code: 'interrupted'}, interrupted: {signal: 'SIGTERM', server: 'app02', step: 'maintain'}, drained: ['webapps/app02']});
		expect(stopped.results.map((entry) => entry.outcome)).toEqual(['done', 'stopped', 'not-started']);
		// The same sentence on stderr and in the JSON; a signal is nothing to fix, and app03 is the rest.
		expect(stopped.error?.message).toBe('Stopped by SIGTERM during --exec on webapps/app02: it is left DRAINED (out of rotation).');
		expect(stderr).toContain(`${stopped.error?.message}\n`);
		expect(stderr).toContain(`✗ The roll of webapps stopped at app02. Run this to take the roll up again with app02, then the rest: ${stopped.resume}`);
		// Everything the command started ended with it: nothing of it runs beside the resumed roll.
		const sleepPid = Number(readFileSync(sleeper, 'utf8'));
		await waitFor('the sleep the command started to end', () => (running(sleepPid) ? undefined : true), 10_000, 50);
		expect(stderr).toContain(stopped.resume);
		expect(await states()).toEqual({'webapps/app01': '0', 'webapps/app02': '8', 'webapps/app03': '0'});
		// Taken up outside the roll, the maintenance says its work may not be done (the wizard's resume question reads the same).
		const preview = await runCli(['restore', 'webapps/app02', ...common('signal.jsonl'), '--dry-run']);
		expect(preview.stderr).toContain('drained it; the --exec a roll ran on it was stopped before it ended, so the work may not be done; it goes on at');

		await writeFile(fixed, '');
		const second = await runCli(args, {timeoutMs: 240_000});
		expect(second.code, second.stderr).toBe(0);
		const resumed = rollResultSchema.parse(JSON.parse(second.stdout));
		expect(resumed.results.map((entry) => [entry.server, entry.outcome, entry.stateChanges])).toEqual([
			['app01', 'already-done', 0],
			['app02', 'done', 1],
			['app03', 'done', 2],
		]);
		expect(control.restarts.map((restart) => restart.server)).toEqual(['app01', 'app02', 'app03']);
		expect(Object.values(await states())).toEqual(['0', '0', '0']);
	}, 300_000);

	it('a second run while the first one\'s --exec works, and a run after that drainboard was SIGKILLed while its --exec still works: refused (locked), nothing sent', async () => {
		const started = path.join(bed.dir, 'app01-busy-started');
		const fixed = path.join(bed.dir, 'app01-busy-fixed');
		const exec = `if [ ! -e ${JSON.stringify(fixed)} ]; then : > ${JSON.stringify(started)}; sleep 120; fi`;
		const journal = 'busy.jsonl';
		const args = ['roll', 'webapps', '--servers', 'app01', ...common(journal), '--exec', exec];
		const first = spawnCli(args);
		first.stdout.resume();
		first.stderr.resume();
		// 'exit', not 'close': the command keeps drainboard's stderr open after drainboard is gone.
		const exited = once(first, 'exit');
		let group = 0;
		try {
			await waitFor('the command running on app01', () => (existsSync(started) ? true : undefined), 120_000, 100);
			// The command runs as soon as it is started; drainboard journals its process group right
			// after starting it: on a busy machine the command's first line can come first.
			const execEntry = await waitFor(
				'the command journaled with its process group',
				() => readJournal(path.join(bed.dir, journal)).entries.filter((entry) => entry.check === 'exec' && entry.evidence?.['group'] !== undefined).at(-1),
				30_000,
				100,
			);
			group = Number(execEntry.evidence?.['group']);
			expect(group).toBeGreaterThan(1);
			// A restore, and the same roll again, while the first roll's command works on app01: refused, nothing sent.
			for (const second of [['restore', 'webapps/app01', ...common(journal)], args]) {
				const run = await runCli(second, {timeoutMs: 60_000});
				expect(run.code, run.stderr).toBe(1);
				const {error} = JSON.parse(run.stdout) as {error: {code: string; message: string}};
				expect(error.code).toBe('locked');
				expect(error.message).toMatch(new RegExp(`^webapps/app01 is in a maintenance of journal \\S+busy\\.jsonl that is under way elsewhere: \\S+'s drainboard \\(pid ${first.pid}\\) runs it now \\(its last entry: maintain at \\d\\d:\\d\\d:\\d\\d\\)\\. Nothing was sent; run again once it has ended\\.$`));
				expect((await states())['webapps/app01']).toBe('8');
			}

			// Its drainboard killed outright: the command goes on in its own group, and a new run sees it.
			first.kill('SIGKILL');
			await exited;
			expect(running(group)).toBe(true);
			const after = await runCli(args, {timeoutMs: 60_000});
			expect(after.code, after.stderr).toBe(1);
			const {error} = JSON.parse(after.stdout) as {error: {code: string; message: string}};
			expect(error.code).toBe('locked');
			expect(error.message).toContain(`the --exec command a roll started on it at`);
			expect(error.message).toContain(`still runs, though its drainboard is gone (process group ${group}: ${group}`);
			expect(error.message).toContain(`stop it with "kill -- -${group}"`);
			expect((await states())['webapps/app01']).toBe('8');
		} finally {
			first.kill('SIGKILL');
			if (group > 1) {
				try {
					process.kill(-group, 'SIGKILL');
				} catch {
					// Already gone.
				}
			}
		}

		// Once the command has ended, the same roll takes up where it stopped.
		await waitFor('the command to end', () => (running(group) ? undefined : true), 10_000, 50);
		await writeFile(fixed, '');
		const resumed = await runCli(args, {timeoutMs: 120_000});
		expect(resumed.code, resumed.stderr).toBe(0);
		expect((await states())['webapps/app01']).toBe('0');
	}, 300_000);

	it('a server drained by a maintenance of the journal begun before the roll stops the roll, first in line or not: no --exec, no ready (other-maintenance)', async () => {
		const journal = 'foreign-open.jsonl';
		const drain = await runCli(['drain', 'webapps/app01', ...common(journal)]);
		expect(drain.code, drain.stderr).toBe(0);
		control.restarts.length = 0;
		try {
			// Later in line, app01 stops the roll before app03 leaves (one server out at a time); first in line, before its own cycle.
			for (const [order, code] of [['app03,app01', 'capacity'], ['app01,app03', 'other-maintenance']]) {
				const dry = await runCli(['roll', 'webapps', '--servers', order!, ...common(journal), '--exec', control.command, '--dry-run'], {timeoutMs: 120_000});
				expect(dry.code, dry.stderr).toBe(1);
				expect(rollResultSchema.parse(JSON.parse(dry.stdout)).error?.code).toBe(code);
			}

			const rolled = await runCli(['roll', 'webapps', '--servers', 'app01,app03', ...common(journal), '--exec', control.command], {timeoutMs: 120_000});
			expect(rolled.code, rolled.stderr).toBe(1);
			const result = rollResultSchema.parse(JSON.parse(rolled.stdout));
			expect(result).toMatchObject({ok: false, changed: false, stateChanges: 0, error: {code: 'other-maintenance'}});
			expect(result.results.map((entry) => entry.outcome)).toEqual(['stopped', 'not-started']);
			expect(result.error?.message).toMatch(/^webapps\/app01 is drained by the maintenance \S+ started at .*, which this roll did not begin; the roll stops before touching it: finish that maintenance first \(drainboard restore webapps\/app01 .*--journal \S+foreign-open\.jsonl.*\), or leave app01 out with --servers, then run the roll again\.$/);
			expect(control.restarts).toEqual([]);
			expect(await states()).toEqual({'webapps/app01': '8', 'webapps/app02': '0', 'webapps/app03': '0'});
		} finally {
			const restore = await runCli(['restore', 'webapps/app01', ...common(journal)]);
			expect(restore.code, restore.stderr).toBe(0);
		}
	}, 300_000);

	it('a roll left open (stopped before any server) does not make a maintenance begun later its own: the next roll stops there, no --exec, no ready', async () => {
		const journal = 'stopped-open.jsonl';
		control.restarts.length = 0;
		expect((await runCli(['drain', 'webapps/app02', ...common(journal)])).code).toBe(0);
		const stopped = await runCli(['roll', 'webapps', '--servers', 'app01,app02', ...common(journal), '--exec', control.command], {timeoutMs: 120_000});
		expect(rollResultSchema.parse(JSON.parse(stopped.stdout)).error?.code).toBe('capacity');
		expect((await runCli(['restore', 'webapps/app02', ...common(journal)])).code).toBe(0);
		// Someone's own maintenance of app01, in the same journal, after that roll began.
		expect((await runCli(['drain', 'webapps/app01', ...common(journal)])).code).toBe(0);
		try {
			const rolled = await runCli(['roll', 'webapps', '--servers', 'app01,app02', ...common(journal), '--exec', control.command], {timeoutMs: 120_000});
			expect(rolled.code, rolled.stderr).toBe(1);
			expect(rolled.stderr).toContain('resuming the roll of webapps');
			const result = rollResultSchema.parse(JSON.parse(rolled.stdout));
			expect(result).toMatchObject({changed: false, stateChanges: 0, error: {code: 'other-maintenance'}});
			expect(result.error?.message).toMatch(/^webapps\/app01 is drained by the maintenance \S+ started at .*, which this roll did not begin; the roll stops before touching it/);
			expect(control.restarts).toEqual([]);
			expect(await states()).toEqual({'webapps/app01': '8', 'webapps/app02': '0', 'webapps/app03': '0'});
		} finally {
			expect((await runCli(['restore', 'webapps/app01', ...common(journal)])).code).toBe(0);
		}
	}, 300_000);

	it('a server whose --exec failed and whose maintenance was then ended outside the roll goes through the roll again: the command runs there', async () => {
		const journal = 'redo.jsonl';
		const marker = path.join(bed.dir, 'app02-redo-fixed');
		const exec = `if [ "$DRAINBOARD_SERVER" = app02 ] && [ ! -e ${JSON.stringify(marker)} ]; then exit 3; fi; ${control.command}`;
		const args = ['roll', 'webapps', '--servers', 'app02,app03', ...common(journal), '--exec', exec];
		const first = await runCli(args, {timeoutMs: 240_000});
		expect(first.code, first.stderr).toBe(1);
		expect(rollResultSchema.parse(JSON.parse(first.stdout)).error?.code).toBe('exec-failed');
		// The operator puts app02 back by hand (outside the roll) without the work done.
		const restore = await runCli(['restore', 'webapps/app02', ...common(journal)]);
		expect(restore.code, restore.stderr).toBe(0);
		expect(await states()).toEqual({'webapps/app01': '0', 'webapps/app02': '0', 'webapps/app03': '0'});

		// Taken up with another command: said, after the header.
		const other = await runCli(['roll', 'webapps', '--servers', 'app02,app03', ...common(journal), '--exec', 'true', '--dry-run'], {timeoutMs: 240_000});
		const lines = other.stderr.split('\n');
		expect(lines[0]).toMatch(/^drainboard roll --dry-run /);
		expect(lines[1]).toMatch(/^→ resuming the roll of webapps that /);
		expect(lines[2]).toBe(`! The roll taken up ran --exec ${JSON.stringify(exec)}; this run runs "true" on the servers left.`);

		await writeFile(marker, '');
		control.restarts.length = 0;
		const second = await runCli(args, {timeoutMs: 240_000});
		expect(second.stderr).not.toContain('! The roll taken up ran --exec');
		expect(second.code, second.stderr).toBe(0);
		expect(second.stderr).toContain("webapps/app02's maintenance was ended outside the roll before the roll's --exec on it completed (stopped, or failed): it goes through the roll again.");
		const resumed = rollResultSchema.parse(JSON.parse(second.stdout));
		expect(resumed.results.map((entry) => [entry.server, entry.outcome, entry.stateChanges])).toEqual([
			['app02', 'done', 2],
			['app03', 'done', 2],
		]);
		expect(control.restarts.map((restart) => restart.server)).toEqual(['app02', 'app03']);
		expect(Object.values(await states())).toEqual(['0', '0', '0']);
	}, 300_000);

	it('status names the drainboard that runs a maintenance whose drain someone ended, instead of a restore that would be refused', async () => {
		const started = path.join(bed.dir, 'status-busy-started');
		const journal = path.join(bed.dir, 'status-busy.jsonl');
		const cli = startCli(['roll', 'webapps', '--servers', 'app01', ...common('status-busy.jsonl'), '--exec', `: > ${JSON.stringify(started)}; exec sleep 60`]);
		try {
			await waitFor('the command running on app01', () => (existsSync(started) ? true : undefined), 120_000, 100);
			expect(await bed.send('set server webapps/app01 state ready')).toBe('\n');
			const status = await runCli(['status', '--socket', bed.adminSocket, '--journal', journal]);
			expect(status.code, status.stderr).toBe(0);
			const text = status.stdout.replace(/\s+/g, ' ');
			expect(text).toMatch(/webapps\/app01: \S+'s maintenance of \S+ drained it, and HAProxy shows it in rotation now \(.*\): check it; \S+'s drainboard \(pid \d+\) runs it now \(its last entry: maintain at \d\d:\d\d:\d\d\), and says there what it does about it\./);
			expect(text).not.toContain('drainboard restore webapps/app01');
			// --json says who runs it too: a script does not call a restore that would be refused.
			const json = statusJsonSchema.parse(JSON.parse((await runCli(['status', '--socket', bed.adminSocket, '--journal', journal, '--json'])).stdout));
			expect(json.lostDrains).toEqual([expect.objectContaining({server: 'webapps/app01', undone: 'change', underWay: expect.stringMatching(/^\S+'s drainboard \(pid \d+\) runs it now/) as unknown})]);
			// Put into maintenance by someone meanwhile: still named as run by that drainboard, and no restore offered.
			expect(await bed.send('set server webapps/app01 state maint')).toBe('\n');
			const maint = (await runCli(['status', '--socket', bed.adminSocket, '--journal', journal])).stdout.replace(/\s+/g, ' ');
			expect(maint).toMatch(/shows it in maintenance now .*; \S+'s drainboard \(pid \d+\) runs it now .*, and says there what it does about it\./);
			expect(maint).not.toContain('drainboard restore');
			expect(await bed.send('set server webapps/app01 state ready')).toBe('\n');
		} finally {
			cli.child.kill('SIGTERM');
			await cli.exited;
		}

		expect(await states()).toEqual({'webapps/app01': '0', 'webapps/app02': '0', 'webapps/app03': '0'});
	}, 300_000);

	it('a new roll refused because another drainboard holds the backend is closed at once: the next roll starts afresh, not "resuming"', async () => {
		const journal = 'refused-roll.jsonl';
		const holder = await holdLock({dir: process.env['DRAINBOARD_LOCK_DIR']!, socket: bed.adminSocket, backend: 'webapps', what: 'drain of webapps/app03', user: 'alice'});
		try {
			const refused = await runCli(['roll', 'webapps', '--servers', 'app01', ...common(journal), '--exec', 'true'], {timeoutMs: 60_000});
			expect(refused.code, refused.stderr).toBe(1);
			expect(rollResultSchema.parse(JSON.parse(refused.stdout)).error?.code).toBe('locked');
			expect(await states()).toEqual({'webapps/app01': '0', 'webapps/app02': '0', 'webapps/app03': '0'});
		} finally {
			await holder.release();
		}

		expect(readJournal(path.join(bed.dir, journal)).entries.map((entry) => entry.event).filter((event) => event.startsWith('roll-'))).toEqual(['roll-started', 'roll-server-started', 'roll-finished']);
		const next = await runCli(['roll', 'webapps', '--servers', 'app01', ...common(journal), '--exec', 'true', '--dry-run'], {timeoutMs: 60_000});
		expect(next.stderr).not.toContain('resuming the roll');
	});

	it('SIGTERM while restore waits for the server to come back: exit 143, the roll\'s JSON, left drained; the same command finishes it', async () => {
		const stoppedOnce = path.join(bed.dir, 'app01-stopped-once');
		const exec = `if [ ! -e ${JSON.stringify(stoppedOnce)} ]; then : > ${JSON.stringify(stoppedOnce)}; DEMO_ACTION=stop ${control.command}; fi`;
		const args = ['roll', 'webapps', '--servers', 'app01', ...common('health.jsonl'), '--exec', exec];
		const cli = startCli(args);
		await cli.waitForStderr('waiting for its health check to pass', 120_000, 100);
		cli.child.kill('SIGTERM');
		const {code} = await cli.exited;
		const {stdout, stderr} = cli;
		expect(code, stderr).toBe(143);
		checkCommandContract(['roll'], stdout, code);
		const stopped = rollResultSchema.parse(JSON.parse(stdout));
		expect(stopped).toMatchObject({ok: false, error: {code: 'interrupted'}, interrupted: {signal: 'SIGTERM', server: 'app01', step: 'maintain'}, drained: ['webapps/app01']});
		// The JSON's error is the sentence the maintenance said on stderr.
		expect(stopped.error?.message).toMatch(/^Stopped by SIGTERM during maintain: /);
		expect(stderr).toContain(stopped.error!.message);
		expect(stopped.results[0]).toMatchObject({outcome: 'stopped', exec: {exitCode: 0, signal: null}});
		expect(stderr).toContain(`Run "${stopped.resume}" to take the roll up again with app01.`);
		expect((await states())['webapps/app01']).toBe('8');

		await bed.demo('app01').start();
		const second = await runCli(args, {timeoutMs: 240_000});
		expect(second.code, second.stderr).toBe(0);
		expect((rollResultSchema.parse(JSON.parse(second.stdout))).results).toMatchObject([{server: 'app01', outcome: 'done', stateChanges: 1}]);
		expect(Object.values(await states())).toEqual(['0', '0', '0']);
	}, 300_000);

	it('--dry-run: every server checked, the commands listed, nothing sent, nothing run, no journal written', async () => {
		const restarts = control.restarts.length;
		const dry = await runCli(['roll', 'webapps', ...common('dry.jsonl'), '--dry-run', '--exec', control.command], {timeoutMs: 120_000});
		expect(dry.code, dry.stderr).toBe(0);
		const result = rollResultSchema.parse(JSON.parse(dry.stdout));
		expect(result).toMatchObject({ok: true, changed: false, stateChanges: 0});
		expect(result.wouldSend).toEqual(servers.flatMap((server) => [`set server webapps/${server} state drain`, `set server webapps/${server} state ready`]));
		// Nothing was done to any server: each is said to pass the checks, not to be done.
		expect(result.results.map((entry) => [entry.server, entry.outcome, entry.changed])).toEqual(servers.map((server) => [server, 'would-pass', false]));
		expect(control.restarts).toHaveLength(restarts);
		expect(Object.values(await states())).toEqual(['0', '0', '0']);
		expect(existsSync(path.join(bed.dir, 'dry.jsonl'))).toBe(false);
	}, 150_000);

	it('--servers: only those servers, in that order', async () => {
		const dry = await runCli(['roll', 'webapps', ...common('order.jsonl'), '--dry-run', '--servers', 'app03,app01', '--exec', 'true'], {timeoutMs: 120_000});
		expect(dry.code, dry.stderr).toBe(0);
		const result = rollResultSchema.parse(JSON.parse(dry.stdout));
		expect(result.servers).toEqual(['app03', 'app01']);
		expect(result.wouldSend).toEqual(['set server webapps/app03 state drain', 'set server webapps/app03 state ready', 'set server webapps/app01 state drain', 'set server webapps/app01 state ready']);
		expect(dry.stderr).toContain('── 1 of 2 · app03');
	}, 150_000);

	it('taken up without --servers, a roll keeps the servers it was started with', async () => {
		const marker = path.join(bed.dir, 'app03-fixed');
		const exec = `if [ "$DRAINBOARD_SERVER" = app03 ] && [ ! -e ${JSON.stringify(marker)} ]; then exit 3; fi; true`;
		const first = await runCli(['roll', 'webapps', ...common('kept.jsonl'), '--servers', 'app03,app01', '--exec', exec], {timeoutMs: 240_000});
		expect(first.code, first.stderr).toBe(1);
		expect((rollResultSchema.parse(JSON.parse(first.stdout))).servers).toEqual(['app03', 'app01']);
		expect((await states())['webapps/app03']).toBe('8');

		await writeFile(marker, '');
		const second = await runCli(['roll', 'webapps', ...common('kept.jsonl'), '--exec', exec], {timeoutMs: 240_000});
		expect(second.code, second.stderr).toBe(0);
		const resumed = rollResultSchema.parse(JSON.parse(second.stdout));
		expect(resumed.servers).toEqual(['app03', 'app01']);
		expect(resumed.results.map((entry) => [entry.server, entry.outcome])).toEqual([
			['app03', 'done'],
			['app01', 'done'],
		]);
		expect(readJournal(path.join(bed.dir, 'kept.jsonl')).entries.filter((entry) => entry.target === 'webapps/app02')).toEqual([]);
		expect(Object.values(await states())).toEqual(['0', '0', '0']);
	}, 300_000);

	it('never takes a second server of the roll out: another one drained stops it before anything is sent (capacity)', async () => {
		await bed.send('set server webapps/app02 state drain');
		try {
			const restarts = control.restarts.length;
			const refused = await runCli(['roll', 'webapps', ...common('capacity.jsonl'), '--exec', control.command]);
			expect(refused.code, refused.stderr).toBe(1);
			const result = rollResultSchema.parse(JSON.parse(refused.stdout));
			expect(result).toMatchObject({ok: false, changed: false, stateChanges: 0, error: {code: 'capacity'}});
			expect(result.results.map((entry) => entry.outcome)).toEqual(['not-started', 'not-started', 'not-started']);
			// Drained by hand: no drainboard maintenance names it, so no restore (which would end someone's work) is offered.
			expect(refused.stderr).toContain(
				'webapps/app02 is out of rotation (FDRAIN); a roll takes one server out at a time, so app01 is not drained. Put app02 back first: no drainboard maintenance drained it (by hand or by another tool, as socat or Ansible), so ask whoever did before putting it back (set server webapps/app02 state ready).',
			);
			expect(refused.stderr).not.toContain('drainboard restore');
			expect(control.restarts).toHaveLength(restarts);
			expect(await states()).toEqual({'webapps/app01': '0', 'webapps/app02': '8', 'webapps/app03': '0'});
		} finally {
			await bed.send('set server webapps/app02 state ready');
		}
	});

	it('taken up with --servers that leave out the server where it stopped, still never takes a second one out', async () => {
		const journal = 'left-out.jsonl';
		try {
			const first = await runCli(['roll', 'webapps', ...common(journal), '--exec', 'exit 3'], {timeoutMs: 120_000});
			expect(first.code, first.stderr).toBe(1);
			expect(await states()).toEqual({'webapps/app01': '8', 'webapps/app02': '0', 'webapps/app03': '0'});
			const restarts = control.restarts.length;
			const second = await runCli(['roll', 'webapps', ...common(journal), '--servers', 'app02', '--exec', control.command], {timeoutMs: 120_000});
			expect(second.code, second.stderr).toBe(1);
			expect(JSON.parse(second.stdout)).toMatchObject({ok: false, changed: false, stateChanges: 0, error: {code: 'capacity'}});
			expect(second.stderr).toContain('webapps/app01 is out of rotation (FDRAIN); a roll takes one server out at a time, so app02 is not drained.');
			expect(control.restarts).toHaveLength(restarts);
			expect(await states()).toEqual({'webapps/app01': '8', 'webapps/app02': '0', 'webapps/app03': '0'});
			// The roll stays open: without --servers it takes up app01, where it stopped.
			const entries = readJournal(path.join(bed.dir, journal)).entries;
			expect(entries.some((entry) => entry.event === 'roll-finished')).toBe(false);
		} finally {
			// Its maintenance ended by drainboard, not by a ready from outside: that would leave its
			// drain mark, which names this journal's maintenance for the next drain of app01.
			const ended = await runCli(['restore', 'webapps/app01', ...common(journal)], {timeoutMs: 120_000});
			if (ended.code !== 0) {
				await bed.send('set server webapps/app01 state ready');
			}
		}
	}, 300_000);

	it('stops before a server drained by hand (no maintenance of its journal drained it): nothing sent to it, left drained, said', async () => {
		const journal = 'hand-drained.jsonl';
		const ran = path.join(bed.dir, 'hand-drained-ran');
		await bed.send('set server webapps/app01 state drain');
		try {
			const refused = await runCli(['roll', 'webapps', ...common(journal), '--exec', `echo "$DRAINBOARD_SERVER" >> ${JSON.stringify(ran)}`], {timeoutMs: 120_000});
			expect(refused.code, refused.stderr).toBe(1);
			const result = rollResultSchema.parse(JSON.parse(refused.stdout));
			const sentence = `webapps/app01 is drained, but no maintenance of this roll's journal drained it, so who or what drained it is unknown; the roll stops before touching it: restore it (drainboard restore webapps/app01 --yes --socket ${bed.adminSocket} --config ${bed.configPath} --journal ${path.join(bed.dir, journal)}) or finish that maintenance first, then run the roll again.`;
			expect(result).toMatchObject({ok: false, changed: false, stateChanges: 0, warnings: [], error: {code: 'other-maintenance', message: sentence}});
			expect(result.results.map((entry) => [entry.server, entry.outcome, entry.reason])).toEqual([
				['app01', 'stopped', sentence],
				['app02', 'not-started', undefined],
				['app03', 'not-started', undefined],
			]);
			expect(refused.stderr).toContain(sentence);
			expect(existsSync(ran)).toBe(false);
			// Nothing was sent to it: the journal has no command for any server, and HAProxy still shows it drained.
			expect(readJournal(path.join(bed.dir, journal)).entries.filter((entry) => entry.command !== undefined)).toEqual([]);
			expect(await states()).toEqual({'webapps/app01': '8', 'webapps/app02': '0', 'webapps/app03': '0'});
		} finally {
			await bed.send('set server webapps/app01 state ready');
		}
	}, 150_000);

	it('refuses a headless roll without --exec (exit 2, one sentence, JSON with the error)', async () => {
		const refused = await runCli(['roll', 'webapps', ...common('none.jsonl')]);
		expect(refused.code).toBe(2);
		expect(refused.stderr.trim().split('\n')).toHaveLength(1);
		expect(refused.stderr).toContain('needs --exec CMD');
		expect(rollResultSchema.parse(JSON.parse(refused.stdout))).toMatchObject({ok: false, changed: false, drained: null, error: {code: 'usage'}});
	});

	it('refuses a server the backend does not have (exit 2, not-found), nothing sent', async () => {
		const refused = await runCli(['roll', 'webapps', '--servers', 'app01,nosuch', '--exec', 'true', ...common('none.jsonl')]);
		expect(refused.code).toBe(2);
		expect(refused.stderr).toContain('has no server nosuch; it has app01, app02, app03');
		expect(rollResultSchema.parse(JSON.parse(refused.stdout))).toMatchObject({ok: false, changed: false, drained: null, error: {code: 'not-found'}});
		expect(Object.values(await states())).toEqual(['0', '0', '0']);
	});
});
