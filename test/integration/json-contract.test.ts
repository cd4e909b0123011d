import {existsSync, mkdirSync} from 'node:fs';
import process from 'node:process';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {readJournal} from '../../source/runbook/journal.js';
import {statusJsonSchema} from '../../source/headless/status-schema.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {startForwardingSocket} from '../helpers/forwarding-socket.js';
import {checkCommandContract, checkContract, contractChecks} from '../helpers/json-contract.js';
import {holdLock} from '../helpers/lock-holder.js';
import {adminStates, rawStat} from '../helpers/raw-haproxy.js';
import {runCli, startCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';

let bed: TestBed;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
});

afterAll(async () => {
	await bed?.stop();
});

const common = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/${journal}`, '--yes', '--json'];
const states = async () => adminStates(await bed.send('show servers state'));
/** Runs drainboard with --json; runCli has held stdout to the schema already, this parses it for the assertions. */
const json = async (args: string[]) => {
	const run = await runCli(args);
	return {...run, result: checkContract(run.stdout, run.code)};
};

const statusOf = async (server: string) => {
	const line = (await bed.send(`show stat webapps 4 -1`)).split('\n').find((row) => row.startsWith(`webapps,${server},`));
	return line?.split(',')[17];
};

// A test stopped by a failed assertion leaves its server drained: the next one starts from a server in rotation.
afterEach(async () => {
	for (const server of ['app01', 'app02', 'app03']) {
		await bed.send(`set server webapps/${server} state ready`);
	}
});

describe('the --json contract of drain and restore', () => {
	it('changed: true for a drain HAProxy applied, false for the same drain again; targets before/after read from HAProxy', async () => {
		const first = await json(['drain', 'webapps/app03', ...common('changed.jsonl')]);
		expect(first.code, first.stderr).toBe(0);
		expect(first.result).toMatchObject({ok: true, changed: true, target: 'webapps/app03', drained: true});
		expect(first.result.error).toBeUndefined();
		expect(first.result.targets).toEqual([
			{socket: bed.adminSocket, backend: 'webapps', server: 'app03', before: {adminFlags: [], opStateName: 'running', status: 'UP'}, after: {adminFlags: ['FDRAIN'], opStateName: 'running', status: 'DRAIN'}},
		]);
		expect((await states())['webapps/app03']).toBe('8');

		// The same drain again, with the journal of the first (done already) and with a new one (drained by "someone else").
		for (const journal of ['changed.jsonl', 'changed-other.jsonl']) {
			const again = await json(['drain', 'webapps/app03', ...common(journal)]);
			expect(again.code, again.stderr).toBe(0);
			expect(again.result).toMatchObject({ok: true, changed: false, drained: true});
			expect(again.result.targets[0]).toMatchObject({before: {adminFlags: ['FDRAIN']}, after: {adminFlags: ['FDRAIN'], status: 'DRAIN'}});
		}

		const restore = await json(['restore', 'webapps/app03', ...common('changed.jsonl')]);
		expect(restore.code, restore.stderr).toBe(0);
		expect(restore.result).toMatchObject({ok: true, changed: true, drained: false});
		expect(restore.result.targets[0]).toMatchObject({before: {adminFlags: ['FDRAIN']}, after: {adminFlags: [], opStateName: 'running', status: 'UP'}});
		const twice = await json(['restore', 'webapps/app03', ...common('changed.jsonl')]);
		expect(twice.result).toMatchObject({ok: true, changed: false, drained: false});
		expect((await states())['webapps/app03']).toBe('0');
	});

	it.each([
		['not-found', 2, ['drain', 'webapps/nosuch'], 'backend webapps has no server nosuch; it has app01, app02, app03.'],
		['not-found', 2, ['restore', 'nosuch/app01'], 'has no backend nosuch'],
		['invalid-name', 2, ['drain', 'webapps/app;01'], 'has characters HAProxy does not allow'],
		['invalid-name', 2, ['drain', 'webapps'], 'is not backend/server'],
		['usage', 2, ['drain', 'webapps/app01', '--requests', 'many'], '--requests needs a number'],
		['usage', 2, ['drain', 'webapps/app01', '--no-such-flag'], 'Unknown option --no-such-flag'],
		['usage', 2, ['drain', 'webapps/app01', 'webapps/app02'], "takes one target (got \"webapps/app01 webapps/app02\"): backend/server, '*/server' for that server in every backend, or @address[:port]"],
	] as const)('error %s (exit %d) for %j: one object on stdout, nothing sent', async (code, exit, args, message) => {
		const before = await states();
		const run = await json([...args, ...common('errors.jsonl')]);
		expect(run.code).toBe(exit);
		expect(run.result).toMatchObject({ok: false, changed: false, targets: [], drained: null, steps: [], warnings: [], error: {code}});
		expect(run.result.error!.message).toContain(message);
		expect(run.stderr.trim()).toBe(run.result.error!.message);
		expect(await states()).toEqual(before);
	});

	it('usage errors of roll carry a roll\'s object (servers, stateChanges, results), and --json=1 still answers in JSON', async () => {
		const before = await states();
		for (const extra of [['--bogus'], ['--servers', ''], ['--timeout', 'x']]) {
			const args = ['roll', 'webapps', '--exec', 'true', ...extra, '--socket', bed.adminSocket, '--journal', `${bed.dir}/roll-usage.jsonl`, '--yes', '--json'];
			const run = await runCli(args);
			expect(run.code, run.stderr).toBe(2);
			checkCommandContract(args, run.stdout, run.code);
			expect(JSON.parse(run.stdout)).toMatchObject({ok: false, changed: false, servers: [], stateChanges: 0, results: [], error: {code: 'usage'}});
		}

		// A server where the backend goes: said so, with the roll of that server alone, nothing asked of HAProxy.
		const server = await json(['roll', 'webapps/app01', '--exec', 'true', '--socket', bed.adminSocket, '--journal', `${bed.dir}/roll-usage.jsonl`, '--yes', '--json']);
		expect(server.code).toBe(2);
		expect(server.result.error).toEqual({
			code: 'invalid-name',
			message: '"roll" takes a backend, not a server (got "webapps/app01"): run "drainboard roll webapps --servers app01" to roll that server alone, or drain and restore it.',
		});

		// --version with --json: the one object too, no plain text on stdout.
		const version = await runCli(['--version', '--json']);
		expect(version.code).toBe(0);
		expect(JSON.parse(version.stdout)).toEqual({ok: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/)});

		// A pattern of servers where the backend goes: a maintenance of several, said so.
		const pattern = await json(['roll', '*/app01', '--exec', 'true', '--socket', bed.adminSocket, '--journal', `${bed.dir}/roll-usage.jsonl`, '--yes', '--json']);
		expect(pattern.code).toBe(2);
		expect(pattern.result.error).toEqual({
			code: 'invalid-name',
			message: '"roll" takes one backend, not a pattern of servers (got "*/app01"): roll each backend by its name (drainboard roll <backend> --servers a,b), or drain and restore "*/app01" as one maintenance.',
		});

		const valued = await json(['drain', 'webapps/app01', '--json=1', '--socket', bed.adminSocket, '--journal', `${bed.dir}/valued.jsonl`, '--yes']);
		expect(valued.code).toBe(2);
		expect(valued.result.error).toEqual({code: 'usage', message: '--json takes no value (got "1"); see drainboard --help.'});
		expect(await states()).toEqual(before);
	});

	it('error unreachable (exit 3) for a socket that is not there, level (exit 3) for an operator socket', async () => {
		const missing = await json(['drain', 'webapps/app01', '--socket', `${bed.dir}/nope.sock`, '--journal', `${bed.dir}/u.jsonl`, '--yes', '--json']);
		expect(missing.code).toBe(3);
		expect(missing.result.error).toEqual({code: 'unreachable', message: expect.stringContaining(`No HAProxy socket at ${bed.dir}/nope.sock`) as string});
		const operator = await json(['drain', 'webapps/app01', '--socket', bed.operatorSocket, '--config', bed.configPath, '--journal', `${bed.dir}/o.jsonl`, '--yes', '--json']);
		expect(operator.code).toBe(3);
		expect(operator.result).toMatchObject({ok: false, changed: false, error: {code: 'level'}});
		expect(operator.result.error!.message).toContain('is at level operator');
		expect(operator.result.targets[0]).toMatchObject({before: {adminFlags: []}, after: {adminFlags: []}});
	});

	it('error capacity (exit 1) when the backend would lose its last serving server', async () => {
		await bed.send('set server api/api2 state maint');
		try {
			const run = await json(['drain', 'api/api1', ...common('capacity.jsonl')]);
			expect(run.code).toBe(1);
			expect(run.result).toMatchObject({ok: false, changed: false, error: {code: 'capacity'}});
			// Why the others do not count is named: an operator looks at api2, not at the whole backend.
			expect(run.result.error!.message).toContain('no other active server of api is up and in rotation (api2 MAINT)');
			expect((await states())['api/api1']).toBe('0');
		} finally {
			await bed.send('set server api/api2 state ready');
		}
	});

	it('error capacity (exit 1) when the only other server is UP at weight 0: named as such, not as "UP"', async () => {
		expect(await bed.send('set server api/api2 weight 0')).toBe('\n');
		try {
			const run = await json(['drain', 'api/api1', ...common('weight-zero.jsonl')]);
			expect(run.code).toBe(1);
			expect(run.result).toMatchObject({ok: false, changed: false, error: {code: 'capacity'}});
			// HAProxy's status as read: "UP 1/3" while api2 still rises after the test before put it back from MAINT.
			expect(run.result.error!.message).toMatch(/no other active server of api is up and in rotation \(api2 UP( \d\/\d)? at weight 0\)/);
			expect((await states())['api/api1']).toBe('0');
		} finally {
			await bed.send('set server api/api2 weight 1');
		}
	});

	it('error locked (exit 1) while another drainboard holds the backend', async () => {
		const holder = await holdLock({dir: process.env['DRAINBOARD_LOCK_DIR']!, socket: bed.adminSocket, backend: 'webapps', what: 'drain of webapps/app02', user: 'alice'});
		try {
			const run = await json(['drain', 'webapps/app01', ...common('locked.jsonl')]);
			expect(run.code).toBe(1);
			expect(run.result).toMatchObject({ok: false, changed: false, error: {code: 'locked'}});
			expect(run.result.error!.message).toContain('alice');
			expect((await states())['webapps/app01']).toBe('0');
		} finally {
			await holder.release();
		}
	});

	it('error locked (exit 1) for a restore too: it does not undo a drain while another drainboard holds the backend', async () => {
		expect((await json(['drain', 'webapps/app01', ...common('locked-restore.jsonl')])).code).toBe(0);
		const holder = await holdLock({dir: process.env['DRAINBOARD_LOCK_DIR']!, socket: bed.adminSocket, backend: 'webapps', what: 'drain of webapps/app02', user: 'alice'});
		try {
			const run = await json(['restore', 'webapps/app01', ...common('locked-restore.jsonl')]);
			expect(run.code).toBe(1);
			expect(run.result).toMatchObject({ok: false, changed: false, error: {code: 'locked'}});
			expect(run.result.error!.message).toContain('webapps is being changed by alice');
			expect((await states())['webapps/app01']).toBe('8');
		} finally {
			await holder.release();
		}

		// Released: the same restore goes through.
		expect((await json(['restore', 'webapps/app01', ...common('locked-restore.jsonl')])).code).toBe(0);
		expect((await states())['webapps/app01']).toBe('0');
	});

	it('error journal (exit 1) when the journal cannot be written', async () => {
		mkdirSync(`${bed.dir}/a-directory.jsonl`, {recursive: true});
		const run = await json(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/a-directory.jsonl`, '--yes', '--json']);
		expect(run.code).toBe(1);
		expect(run.result).toMatchObject({ok: false, changed: false, error: {code: 'journal'}});
		expect(run.result.error!.message).toContain('it is a directory');
	});

	it('error not-serving (exit 1) for a DOWN server; health-timeout (exit 1) for a restore that waits in vain', async () => {
		await bed.demo('app02').stop();
		try {
			await waitFor('app02 down', async () => ((await statusOf('app02'))?.startsWith('DOWN') ? true : undefined));
			const frontendRequests = async () => Number(rawStat(await bed.send('show stat -1 1 -1')).find((row) => row['pxname'] === 'web')?.['req_tot']);
			const before = await frontendRequests();
			const drain = await json(['drain', 'webapps/app02', ...common('down.jsonl')]);
			expect(drain.code).toBe(1);
			expect(drain.result).toMatchObject({ok: false, changed: false, error: {code: 'not-serving'}});
			expect(drain.stderr).toContain('--allow-down drains it on purpose');
			// Said from HAProxy's read: no probe request went through the listener to find it out.
			expect(drain.result.error?.message).toMatch(/^webapps\/app02 is DOWN[^:]*: it serves nothing, so no request was sent to measure it;/);
			expect(await frontendRequests()).toBe(before);
			await bed.send('set server webapps/app02 state drain');
			const restore = await json(['restore', 'webapps/app02', ...common('down.jsonl'), '--ready-timeout', '1']);
			expect(restore.code).toBe(1);
			expect(restore.result).toMatchObject({ok: false, changed: false, drained: true, error: {code: 'health-timeout'}});
			// A dry run predicts the refusal from one read: with an hour's --ready-timeout it does not wait it out.
			const preview = await json(['restore', 'webapps/app02', ...common('down.jsonl'), '--ready-timeout', '3600', '--dry-run']);
			expect(preview.code).toBe(1);
			expect(preview.result).toMatchObject({ok: false, changed: false, drained: true, wouldSend: [], error: {code: 'health-timeout'}});
			expect(preview.stderr).toContain('A dry run does not wait for it: a real restore would wait up to 3600 s (--ready-timeout) for its health check to pass, and refuse if it does not.');
			expect((await states())['webapps/app02']).toBe('8');
		} finally {
			await bed.restartDemo('app02');
			await bed.send('set server webapps/app02 state ready');
		}
	});

	it.each([['disable server webapps/app01'], ['set server webapps/app01 state maint']])(
		'error not-serving (exit 1) at validate for a server in maintenance (%s): one sentence, no baseline, nothing sent',
		async (command) => {
			await bed.send(command);
			const socket = await startForwardingSocket(bed.adminSocket, () => 'forward');
			try {
				const before = await states();
				expect(before['webapps/app01']).toBe('1');
				const run = await json(['drain', 'webapps/app01', '--socket', socket.path, '--config', bed.configPath, '--journal', `${bed.dir}/maint.jsonl`, '--yes', '--json']);
				expect(run.code, run.stderr).toBe(1);
				expect(run.result).toMatchObject({ok: false, changed: false, drained: false, error: {code: 'not-serving'}});
				expect(run.result.error!.message).toBe(
					'webapps/app01 is in maintenance (HAProxy shows MAINT, admin flags FMAINT): it is already out of rotation, so there is nothing to drain; whoever put it in maintenance brings it back (set server webapps/app01 state ready); leave it as it is, or bring it back first and drain it then.',
				);
				expect(run.result.steps.map((step) => [step.id, step.ok])).toEqual([['validate', false]]);
				expect(run.result.steps[0]!.checks.map((check) => [check.id, check.verdict])).toEqual([
					['target-exists', 'pass'],
					['not-in-maintenance', 'fail'],
				]);
				// No --allow-down offered: its drain would end this maintenance (FMAINT).
				expect(run.stderr).not.toContain('--allow-down');
				// Only reads reached HAProxy, and the journal has no command.
				expect(socket.forwarded.flatMap((line) => line.split(';')).filter((part) => !part.startsWith('show '))).toEqual([]);
				expect(readJournal(`${bed.dir}/maint.jsonl`).entries.filter((entry) => entry.event === 'command')).toEqual([]);
				expect(await states()).toEqual(before);
			} finally {
				await socket.close();
				await bed.send('set server webapps/app01 state ready');
			}
		},
	);

	it('error reply-lost when the reply to the drain never comes and nothing can be read back', async () => {
		const socket = await startForwardingSocket(bed.adminSocket, (line) => (line.startsWith('set server ') ? 'lose-reply-then-die' : 'forward'));
		try {
			const run = await json(['drain', 'webapps/app01', '--socket', socket.path, '--config', bed.configPath, '--journal', `${bed.dir}/lost.jsonl`, '--timeout', '1', '--yes', '--json']);
			expect(run.code).not.toBe(0);
			expect(run.result).toMatchObject({ok: false, error: {code: 'reply-lost'}});
		} finally {
			await socket.close();
			await bed.send('set server webapps/app01 state ready');
		}
	});
});

describe('--dry-run', () => {
	it('drain: validate and baseline run, wouldSend lists the command, nothing reaches HAProxy (exit 0)', async () => {
		const socket = await startForwardingSocket(bed.adminSocket, () => 'forward');
		try {
			const before = await states();
			const run = await json(['drain', 'webapps/app01', '--socket', socket.path, '--config', bed.configPath, '--journal', `${bed.dir}/dry.jsonl`, '--dry-run', '--json']);
			expect(run.code, run.stderr).toBe(0);
			expect(run.result).toMatchObject({ok: true, changed: false, wouldSend: ['set server webapps/app01 state drain'], drained: false});
			// The drain was not sent: its step did not pass either, and says it was not run.
			expect(run.result.steps.map((step) => [step.id, step.ok, step.skipped])).toEqual([
				['validate', true, undefined],
				['baseline', true, undefined],
				['drain', false, true],
			]);
			expect(run.result.steps[1]!.checks.find((check) => check.id === 'baseline-traffic')!.evidence?.['targetDelta']).toBeGreaterThan(0);
			// The drain was not sent, so its check was not run: skip, never pass, and no line says it was sent.
			expect(run.result.steps[2]).toEqual({
				id: 'drain',
				ok: false,
				skipped: true,
				detail: `Not run: Would send "set server webapps/app01 state drain" to ${socket.path}; nothing was sent.`,
				checks: [{id: 'drain-sent', verdict: 'skip', observed: `Would send "set server webapps/app01 state drain" to ${socket.path}; nothing was sent.`}],
			});
			expect(run.stderr).toContain(`– drain · Not sent (dry run): Would send "set server webapps/app01 state drain" to ${socket.path}; nothing was sent.`);
			expect(run.stderr).not.toContain('Drain command');
			expect(run.result.targets[0]).toMatchObject({before: {adminFlags: []}, after: {adminFlags: []}});
			// The socket saw the reads, and no command that changes anything.
			expect(socket.forwarded.some((line) => line.startsWith('show servers state'))).toBe(true);
			expect(socket.forwarded.filter((line) => /^(?:set|disable|enable|shutdown) /.test(line))).toEqual([]);
			expect(await states()).toEqual(before);
			expect(existsSync(`${bed.dir}/dry.jsonl`)).toBe(false);
			// The bed loads no server-state file: validate's "Things to know" warns, and the summary says so.
			expect(run.stderr).toContain('✓ Dry run of drain webapps/app01: no check blocked, 1 warned (validate · Things to know); it would send "set server webapps/app01 state drain". Nothing was sent.');
		} finally {
			await socket.close();
		}
	});

	it('drain: creates neither the journal nor its directory, where the same drain for real creates both', async () => {
		const directory = `${bed.dir}/dry-state`;
		const journal = `${directory}/drainboard/journal.jsonl`;
		const args = ['drain', 'webapps/app03', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--json'];
		const dry = await json([...args, '--dry-run']);
		expect(dry.code, dry.stderr).toBe(0);
		expect(existsSync(directory)).toBe(false);
		expect(dry.stderr).toContain(`(journal ${journal}, read, not written)`);
		try {
			const real = await json([...args, '--yes']);
			expect(real.code, real.stderr).toBe(0);
			expect(existsSync(journal)).toBe(true);
			expect(readJournal(journal).entries.map((entry) => entry.event)).toContain('command');
		} finally {
			await bed.send('set server webapps/app03 state ready');
		}
	});

	it('drain: a journal that cannot be written fails the dry run as it would the drain (exit 1, journal)', async () => {
		mkdirSync(`${bed.dir}/dry-directory.jsonl`, {recursive: true});
		const run = await json(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/dry-directory.jsonl`, '--dry-run', '--json']);
		expect(run.code).toBe(1);
		expect(run.result).toMatchObject({ok: false, changed: false, error: {code: 'journal'}});
		expect(run.result.error!.message).toContain('it is a directory');
	});

	it('drain: reads the backend lock without taking it; another drainboard holding it is a warning that a real run would be refused', async () => {
		const args = ['drain', 'webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/dry-lock.jsonl`, '--dry-run', '--json'];
		const free = await json(args);
		expect(free.code, free.stderr).toBe(0);
		expect(free.result.steps[0]!.checks.find((check) => check.id === 'backend-free')).toEqual({
			id: 'backend-free',
			verdict: 'pass',
			observed: 'No other drainboard holds the lock of webapps now; a dry run reads the lock without taking it.',
		});
		expect(free.stderr).not.toContain('locked for this drainboard');

		// With no lock directory, taking the lock fails, reading it does not: the dry run never takes it.
		const noLockDir = {env: {DRAINBOARD_LOCK_DIR: `${bed.dir}/no-lock-dir`}};
		const dryWithout = await runCli(args, noLockDir);
		expect(dryWithout.code, dryWithout.stderr).toBe(0);
		const realWithout = checkContract((await runCli([...args.filter((arg) => arg !== '--dry-run'), '--yes'], noLockDir)).stdout, 1);
		expect(realWithout).toMatchObject({ok: false, changed: false, error: {code: 'locked'}});
		expect(realWithout.error!.message).toContain('its directory does not exist');

		const holder = await holdLock({dir: process.env['DRAINBOARD_LOCK_DIR']!, socket: bed.adminSocket, backend: 'webapps', what: 'drain of webapps/app02', user: 'alice'});
		try {
			const held = await json(args);
			expect(held.code, held.stderr).toBe(0);
			expect(held.result).toMatchObject({ok: true, changed: false, wouldSend: ['set server webapps/app01 state drain']});
			const check = held.result.steps[0]!.checks.find((candidate) => candidate.id === 'backend-free')!;
			expect(check.verdict).toBe('warn');
			expect(check.observed).toMatch(/^webapps is being changed by alice \(pid \d+, drain of webapps\/app02 since \d\d:\d\d:\d\d\), so a real run would be refused now; a dry run reads the lock without taking it\.$/);
			expect(held.stderr).toContain(`! validate · Nobody else changing it: ${check.observed}`);
			// At the top too, where check mode looks, and the last line does not say every check passed.
			expect(held.result.warnings).toContain(`validate · Nobody else changing it: ${check.observed}`);
			expect(held.stderr).toContain('✓ Dry run of drain webapps/app01: no check blocked, ');
			expect(held.stderr).toMatch(/warned \([^)]*validate · Nobody else changing it/);
			expect(held.stderr).not.toContain('every check it can make without a change passed');
			// Said once, at validate: the later steps do not say it again.
			expect(held.result.steps.flatMap((step) => step.checks).filter((candidate) => candidate.id === 'backend-free')).toHaveLength(1);
			// alice still holds it: the real drain is refused.
			const real = await json([...args.filter((arg) => arg !== '--dry-run'), '--yes']);
			expect(real.result).toMatchObject({ok: false, error: {code: 'locked'}});
		} finally {
			await holder.release();
		}

		expect((await states())['webapps/app01']).toBe('0');
	});

	it('restore: warns when another drainboard holds the backend, where the real restore would be refused', async () => {
		expect((await runCli(['drain', 'webapps/app02', ...common('dry-restore-lock.jsonl')])).code).toBe(0);
		const holder = await holdLock({dir: process.env['DRAINBOARD_LOCK_DIR']!, socket: bed.adminSocket, backend: 'webapps', what: 'drain of webapps/app03', user: 'alice'});
		try {
			const run = await json(['restore', 'webapps/app02', ...common('dry-restore-lock.jsonl'), '--dry-run']);
			expect(run.code, run.stderr).toBe(0);
			const restore = run.result.steps.find((step) => step.id === 'restore')!;
			expect(restore.checks.map((check) => [check.id, check.verdict])).toEqual([
				['backend-free', 'warn'],
				['ready-sent', 'skip'],
			]);
			// The lock was read, but the change was not sent: the step stopped there and did not pass.
			expect(restore).toMatchObject({ok: false, skipped: true, detail: `Not run: Would send "set server webapps/app02 state ready" to ${bed.adminSocket}; nothing was sent.`});
			expect(run.stderr).toContain('! restore · Nobody else changing it: webapps is being changed by alice');
		} finally {
			await holder.release();
			await bed.send('set server webapps/app02 state ready');
		}
	});

	it('drain: exit 1 when a gate would block (capacity), with the error code and an empty wouldSend', async () => {
		await bed.send('set server api/api2 state maint');
		try {
			const run = await json(['drain', 'api/api1', ...common('dry-capacity.jsonl'), '--dry-run']);
			expect(run.code).toBe(1);
			expect(run.result).toMatchObject({ok: false, changed: false, wouldSend: [], error: {code: 'capacity'}});
			expect((await states())['api/api1']).toBe('0');
		} finally {
			await bed.send('set server api/api2 state ready');
		}
	});

	it('restore: waits for health, lists "state ready", leaves the server drained', async () => {
		expect((await runCli(['drain', 'webapps/app02', ...common('dry-restore.jsonl')])).code).toBe(0);
		try {
			const entries = readJournal(`${bed.dir}/dry-restore.jsonl`).entries.length;
			const run = await json(['restore', 'webapps/app02', ...common('dry-restore.jsonl'), '--dry-run']);
			expect(run.code, run.stderr).toBe(0);
			expect(run.result).toMatchObject({ok: true, changed: false, wouldSend: ['set server webapps/app02 state ready'], drained: true});
			expect(run.result.steps.map((step) => [step.id, step.ok, step.skipped])).toEqual([
				['maintain', true, undefined],
				['restore', false, true],
			]);
			expect(run.result.steps[1]!.checks).toEqual([{id: 'ready-sent', verdict: 'skip', observed: `Would send "set server webapps/app02 state ready" to ${bed.adminSocket}; nothing was sent.`}]);
			expect(run.stderr).not.toContain('Ready command');
			expect((await states())['webapps/app02']).toBe('8');
			expect(readJournal(`${bed.dir}/dry-restore.jsonl`).entries).toHaveLength(entries);
			// The real restore still resumes the open maintenance.
			const real = await json(['restore', 'webapps/app02', ...common('dry-restore.jsonl')]);
			expect(real.result).toMatchObject({ok: true, changed: true});
		} finally {
			await bed.send('set server webapps/app02 state ready');
		}
	});
});

describe('--allow-down', () => {
	it('drains a DOWN server on purpose: baseline skipped with the reason, journaled, changed: true', async () => {
		await bed.demo('app01').stop();
		try {
			await waitFor('app01 down', async () => ((await statusOf('app01'))?.startsWith('DOWN') ? true : undefined));
			const run = await json(['drain', 'webapps/app01', ...common('allow-down.jsonl'), '--allow-down']);
			expect(run.code, run.stderr).toBe(0);
			expect(run.result).toMatchObject({ok: true, changed: true, drained: true});
			expect(run.result.targets[0]).toMatchObject({before: {adminFlags: [], opStateName: 'stopped'}, after: {adminFlags: ['FDRAIN'], opStateName: 'stopped'}});
			const baseline = run.result.steps.find((step) => step.id === 'baseline')!;
			expect(baseline.checks.map((check) => check.verdict)).toEqual(['skip', 'skip']);
			// Nothing of the baseline ran: the step does not claim it passed.
			expect(baseline).toMatchObject({ok: false, skipped: true});
			expect(run.result.steps.filter((step) => step.id !== 'baseline').every((step) => step.ok && step.skipped === undefined)).toBe(true);
			expect(baseline.checks[1]!.observed).toContain('drained on purpose with --allow-down');
			const overrides = readJournal(`${bed.dir}/allow-down.jsonl`).entries.filter((entry) => entry.event === 'override');
			expect(overrides.map((entry) => entry.check)).toEqual(['baseline-traffic']);
			// Down before the drain: that it gets no traffic now proves nothing of the drain, and the run claims no proof.
			const confirm = run.result.steps.find((step) => step.id === 'confirm')!;
			expect(confirm.checks.find((check) => check.id === 'traffic-moved')).toMatchObject({verdict: 'warn', evidence: {servedAtBaseline: false}});
			expect(run.stderr).toContain('it was down before the drain too (--allow-down)');
			expect(run.stderr).not.toContain('went down after the drain');
			expect(run.stderr.trim().split('\n').at(-1)).toMatch(/^✓ webapps\/app01 is drained \(HAProxy shows FDRAIN\), but traffic did not prove it out of rotation: see "New traffic goes elsewhere" above\./);
			expect((await states())['webapps/app01']).toBe('8');
		} finally {
			await bed.restartDemo('app01');
			await bed.send('set server webapps/app01 state ready');
		}
	});

	it('leaves a server in MAINT set by hand in its maintenance: "state drain" would end it (FMAINT becomes FDRAIN), so nothing is sent (exit 1)', async () => {
		await bed.send('set server webapps/app01 state maint');
		try {
			const run = await json(['drain', 'webapps/app01', ...common('allow-maint.jsonl'), '--allow-down']);
			expect(run.code, run.stderr).toBe(1);
			expect(run.result).toMatchObject({ok: false, changed: false, drained: false, error: {code: 'not-serving'}});
			expect(run.result.error?.message).toContain('--allow-down does not drain it, since HAProxy\'s "state drain" ends a maintenance set by hand or by "disabled" (FMAINT becomes FDRAIN)');
			const validate = run.result.steps.find((step) => step.id === 'validate')!;
			expect(validate.checks.find((check) => check.id === 'not-in-maintenance')).toMatchObject({verdict: 'fail'});
			expect(run.result.targets[0]).toMatchObject({before: {adminFlags: ['FMAINT'], status: 'MAINT'}, after: {adminFlags: ['FMAINT'], status: 'MAINT'}});
			expect((await states())['webapps/app01']).toBe('1');
		} finally {
			await bed.send('set server webapps/app01 state ready');
		}
	});
});

it('held every --json output of this file to the schema', () => {
	expect(contractChecks).toBeGreaterThan(20);
});

describe('a signal while drainboard starts, before it sends anything', () => {
	it.each([['drain'], ['status']] as const)('%s --json: stdout still carries its one object (interrupted), exit 143, nothing sent', async (command) => {
		// HAProxy's first reply never comes: drainboard is still starting when the signal arrives.
		const socket = await startForwardingSocket(bed.adminSocket, () => 'lose-command');
		try {
			const args = command === 'drain' ? ['drain', 'webapps/app02', '--socket', socket.path, '--config', bed.configPath, '--journal', `${bed.dir}/early-signal.jsonl`, '--yes', '--json', '--timeout', '30'] : ['status', '--socket', socket.path, '--json', '--timeout', '30'];
			const run = startCli(args);
			await waitFor('drainboard to ask HAProxy', () => (socket.received.length > 0 ? true : undefined), 15_000);
			run.child.kill('SIGTERM');
			const {code} = await run.exited;
			expect(code, run.stderr).toBe(143);
			expect(run.stderr).toContain('Stopped by SIGTERM before anything was sent to HAProxy.');
			// Each command's own schema: status's object has no "ok", its error says it.
			const result = JSON.parse(run.stdout) as {ok?: boolean; error: {code: string; message: string}};
			expect(result.error).toEqual({code: 'interrupted', message: 'Stopped by SIGTERM before anything was sent to HAProxy.'});
			if (command === 'drain') {
				expect(checkContract(run.stdout, code)).toMatchObject({ok: false, changed: false});
			} else {
				statusJsonSchema.parse(result);
			}

			expect(socket.received.filter((line) => line.startsWith('set '))).toEqual([]);
			expect((await states())['webapps/app02']).toBe('0');
		} finally {
			await socket.close();
		}
	});
});
