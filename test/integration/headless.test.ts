import {existsSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {HeadlessResult} from '../../source/headless/report.js';
import {readJournal} from '../../source/runbook/journal.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli, runPasted, startCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux} from '../helpers/tmux.js';
import {waitFor} from '../helpers/wait-for.js';

let bed: TestBed;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
});

afterAll(async () => {
	await bed?.stop();
});

const common = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/${journal}`, '--yes'];
const states = async () => adminStates(await bed.send('show servers state'));

describe('drainboard drain and restore (headless)', () => {
	it('refuses a --url that is a server\'s own address as bad input, as one off this host: nothing there goes through HAProxy (exit 2, usage, nothing sent)', async () => {
		const own = `http://127.0.0.1:${bed.demo('app02').port}/`;
		const drain = await runCli(['drain', 'webapps/app01', ...common('own-address.jsonl'), '--url', own, '--proof', 'probe', '--json']);
		expect(drain.code, drain.stderr).toBe(2);
		const message = `--url ${own} is the address of server webapps/app02 itself, where requests go around HAProxy and prove nothing; give --url the address of the frontend that routes to webapps (drainboard routes shows it).`;
		expect(drain.stderr).toBe(`${message}\n`);
		expect((JSON.parse(drain.stdout) as HeadlessResult).error).toEqual({code: 'usage', message});
		expect((await states())['webapps/app01']).toBe('0');
	});

	it.each([['DRAINBOARD_HOLD_SECONDS', 'soon'], ['DRAINBOARD_SETTLE_SECONDS', '0'], ['DRAINBOARD_AUTO_SAMPLE_SECONDS', '9999'], ['DRAINBOARD_HOLD_SECONDS', '3\u001b[2J']])('refuses %s=%j as bad input: exit 2, one sentence, no journal, nothing sent', async (name, value) => {
		const drain = await runCli(['drain', 'webapps/app01', ...common('watch-times.jsonl'), '--json'], {env: {[name]: value}});
		expect(drain.code, drain.stderr).toBe(2);
		const message = `${name}=${value.replace('\u001b', '\\x1b')} is not a number of seconds from 0.5 to 600; set it to one (the default is 3) or unset it.`;
		expect(drain.stderr).toBe(`${message}\n`);
		expect((JSON.parse(drain.stdout) as HeadlessResult).error).toEqual({code: 'usage', message});
		expect(existsSync(`${bed.dir}/watch-times.jsonl`)).toBe(false);
		expect((await states())['webapps/app01']).toBe('0');
	});

	it('watches the drain hold for DRAINBOARD_HOLD_SECONDS', async () => {
		const drain = await runCli(['drain', 'webapps/app02', ...common('hold-time.jsonl'), '--json'], {env: {DRAINBOARD_HOLD_SECONDS: '2.5'}});
		expect(drain.code, drain.stderr).toBe(0);
		expect(drain.stderr).toMatch(/✓ confirm · Drain holds: HAProxy still shows FDRAIN 2\.[5-9] s after the drain was set/);
		const restore = await runCli(['restore', 'webapps/app02', ...common('hold-time.jsonl')]);
		expect(restore.code, restore.stderr).toBe(0);
	});

	it('drains and restores with --json, exit 0, and journals every step', async () => {
		const drain = await runCli(['drain', 'webapps/app03', ...common('cycle.jsonl'), '--json']);
		expect(drain.code, drain.stderr).toBe(0);
		const drained = JSON.parse(drain.stdout) as HeadlessResult;
		expect(drained).toMatchObject({ok: true, target: 'webapps/app03', drained: true, journal: `${bed.dir}/cycle.jsonl`});
		expect(drained.steps.map((step) => [step.id, step.ok])).toEqual([
			['validate', true],
			['baseline', true],
			['drain', true],
			['confirm', true],
		]);
		const baseline = drained.steps[1]!.checks.find((check) => check.id === 'baseline-traffic')!;
		expect(baseline.evidence).toMatchObject({sent: 10, succeeded: 10, failed: 0, counter: 'req_tot'});
		expect(baseline.evidence?.['targetDelta']).toBeGreaterThan(0);
		expect(drained.steps[3]!.checks.find((check) => check.id === 'traffic-moved')!.evidence).toMatchObject({targetDelta: 0, succeeded: 10});
		expect((await states())['webapps/app03']).toBe('8');
		// A check that warned is a warning of the run too (Ansible shows them): the bed loads no
		// server-state file, and nothing watches the drain once a headless run has ended.
		const things = drained.steps[0]!.checks.find((check) => check.id === 'warnings')!;
		expect(things.verdict).toBe('warn');
		expect(things.observed).toContain('No server-state file is loaded: a reload during the window drops the drain, and nothing watches for that once this run ends;');
		expect(drained.warnings).toContain(`validate · Things to know: ${things.observed}`);
		expect(drain.stderr).toContain('→ set server webapps/app03 state drain (confirmed by --yes)');
		expect(drain.stderr.trim().split('\n').at(-1)).toBe(
			`✓ webapps/app03 is drained and proven out of rotation. Run "drainboard restore webapps/app03 --yes --socket ${bed.adminSocket} --config ${bed.configPath} --journal ${bed.dir}/cycle.jsonl" after the work.`,
		);

		const restore = await runCli(['restore', 'webapps/app03', ...common('cycle.jsonl'), '--json']);
		expect(restore.code, restore.stderr).toBe(0);
		const restored = JSON.parse(restore.stdout) as HeadlessResult;
		expect(restored).toMatchObject({ok: true, drained: false});
		expect(restored.steps.map((step) => step.id)).toEqual(['maintain', 'restore']);
		expect(restored.steps[1]!.checks.find((check) => check.id === 'traffic-returns')!.evidence?.['targetDelta']).toBeGreaterThan(0);
		expect((await states())['webapps/app03']).toBe('0');
		const events = readJournal(`${bed.dir}/cycle.jsonl`).entries.map((entry) => entry.event);
		expect(events[0]).toBe('started');
		expect(events).toContain('resumed');
		expect(events.at(-1)).toBe('finished');
	});

	it('says how to restore with the flags that chose HAProxy and the journal, quoted for a shell: pasted as printed, without a terminal, it restores', async () => {
		const journal = `${bed.dir}/it's a journal/journal.jsonl`;
		const drain = await runCli(['drain', 'webapps/app02', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		const restore = `drainboard restore webapps/app02 --yes --socket ${bed.adminSocket} --config ${bed.configPath} --journal '${bed.dir}/it'\\''s a journal/journal.jsonl'`;
		expect(drain.stderr.trim().split('\n').at(-1)).toBe(`✓ webapps/app02 is drained and proven out of rotation. Run "${restore}" after the work.`);

		// Pasted as printed into a shell where drainboard is this build: the maintenance of that journal is restored.
		const printed = /Run "(.+)" after the work\.$/.exec(drain.stderr.trim())![1]!;
		const pasted = await runPasted(printed, bed.dir);
		expect(pasted.code, pasted.stderr).toBe(0);
		expect(pasted.stderr).toContain('the maintenance that');
		expect((await states())['webapps/app02']).toBe('0');
		expect(readJournal(journal).entries.at(-1)?.event).toBe('finished');
	});

	it('refuses to drain the last serving server: exit 1, HAProxy unchanged', async () => {
		await bed.send('set server api/api2 state maint');
		try {
			const before = await states();
			const result = await runCli(['drain', 'api/api1', ...common('capacity.jsonl'), '--json']);
			expect(result.code).toBe(1);
			const json = JSON.parse(result.stdout) as HeadlessResult;
			expect(json.ok).toBe(false);
			expect(json.steps.at(-1)).toMatchObject({id: 'validate', ok: false});
			expect(json.steps.at(-1)!.detail).toContain('Capacity left: no other active server of api is up and in rotation');
			expect(result.stderr).toContain('Nothing was changed on HAProxy by this run.');
			expect(await states()).toEqual(before);
		} finally {
			await bed.send('set server api/api2 state ready');
		}
	});

	it.each([['a/b;set server webapps/app01 state maint'], ['webapps/app01\nset server webapps/app02 state maint'], ['webapps/app\\01'], ['webapps'], ['webapps/']])(
		'refuses the hostile target %j with exit 2, sending nothing',
		async (target) => {
			const before = await states();
			const result = await runCli(['drain', target, ...common('hostile.jsonl')]);
			expect(result.code).toBe(2);
			expect(result.stdout).toBe('');
			expect(result.stderr.trim().split('\n')).toHaveLength(1);
			expect(await states()).toEqual(before);
		},
	);

	it('exits 3 when the socket is unreachable, and 3 with a sentence when it is not level admin', async () => {
		const missing = await runCli(['drain', 'webapps/app01', '--socket', `${bed.dir}/nope.sock`, '--journal', `${bed.dir}/u.jsonl`, '--yes']);
		expect(missing.code).toBe(3);
		// Said once, as what failed (not as "Target exists"), and the end says only that nothing was sent.
		const why = `No HAProxy socket at ${bed.dir}/nope.sock (the path does not exist); check the path, or that HAProxy is running with "stats socket ${bed.dir}/nope.sock".`;
		expect(missing.stderr.trim().split('\n').slice(1)).toEqual([`✗ validate · Reaching HAProxy: ${why}`, '✗ validate blocked.', 'Nothing was sent to HAProxy by this run.']);
		const operator = await runCli(['drain', 'webapps/app01', '--socket', bed.operatorSocket, '--config', bed.configPath, '--journal', `${bed.dir}/o.jsonl`, '--yes']);
		expect(operator.code).toBe(3);
		expect(operator.stderr).toContain(`the stats socket ${bed.operatorSocket} is at level operator; drain and ready need level admin.`);
		expect((await states())['webapps/app01']).toBe('0');
	});

	it('asks for --yes without a terminal (exit 2), before sending anything', async () => {
		const result = await runCli(['drain', 'webapps/app01', '--socket', bed.adminSocket]);
		expect(result.code).toBe(2);
		expect(result.stderr).toBe('"drain" changes HAProxy\'s state and asks before each change, but stdin is not a terminal; pass --yes to confirm in advance.\n');
	});

	it('restore waits for a backend that comes back after a few seconds', async () => {
		expect((await runCli(['drain', 'webapps/app02', ...common('wait.jsonl')])).code).toBe(0);
		await bed.demo('app02').stop();
		await waitFor('app02 down', async () => ((await bed.send('show stat webapps 4 2')).includes(',DOWN,') ? true : undefined));
		const cli = startCli(['restore', 'webapps/app02', ...common('wait.jsonl'), '--ready-timeout', '30']);
		cli.child.stdin.end();
		await cli.waitForStderr('waiting for its health check to pass', 30_000);

		// It waits: still running, the target still drained, until the backend is back.
		expect(cli.child.exitCode).toBeNull();
		expect((await states())['webapps/app02']).toBe('8');
		await bed.demo('app02').start();
		const {code} = await cli.exited;
		const {stderr} = cli;
		expect(code, stderr).toBe(0);
		expect(stderr).toMatch(/… maintain · app02: DOWN .* waiting for its health check to pass/);
		expect((await states())['webapps/app02']).toBe('0');
	});

	it('restore refuses while the backend stays down (exit 1), and leaves it drained', async () => {
		expect((await runCli(['drain', 'webapps/app02', ...common('down.jsonl')])).code).toBe(0);
		await bed.demo('app02').stop();
		try {
			const result = await runCli(['restore', 'webapps/app02', ...common('down.jsonl'), '--ready-timeout', '2']);
			expect(result.code).toBe(1);
			expect(result.stderr).toMatch(/✗ maintain · Target healthy again: app02 is not healthy: DOWN/);
			// What to do is said for a command line: the wizard's key has no place here.
			expect(result.stderr).toMatch(/Do: Bring the service back \(HAProxy checks it on its own\), then run "drainboard restore webapps\/app02 [^"]*--journal \S+down\.jsonl --ready-timeout 2" again\./);
			expect(result.stderr).not.toContain('press Enter');
			expect(result.stderr).toContain('webapps/app02 is DRAINED now (out of rotation since');
			expect((await states())['webapps/app02']).toBe('8');
		} finally {
			await bed.restartDemo('app02');
			await bed.send('set server webapps/app02 state ready');
		}
	});

	it('a health check disabled at runtime ("disable health") is said at validate, and restore refuses at once with how to enable it, leaving the server drained', async () => {
		expect(await bed.send('disable health webapps/app03')).toBe('\n');
		try {
			const drain = await runCli(['drain', 'webapps/app03', ...common('no-health.jsonl')]);
			expect(drain.code, drain.stderr).toBe(0);
			expect(drain.stderr).toContain('webapps/app03\'s health check is disabled ("disable health"): restore puts it back only once a check passes, so enable it ("enable health webapps/app03") before restore.');
			// A wait of an hour: the refusal comes from what HAProxy shows, not from the wait running out.
			const refused = await runCli(['restore', 'webapps/app03', ...common('no-health.jsonl'), '--ready-timeout', '3600', '--json']);
			expect(refused.code).toBe(1);
			// Not health-timeout: no wait ran out, and a longer --ready-timeout would change nothing.
			expect(JSON.parse(refused.stdout)).toMatchObject({ok: false, changed: false, error: {code: 'state'}});
			expect(refused.stderr).toContain('✗ maintain · Target healthy again: webapps/app03\'s health check is disabled ("disable health"): HAProxy sends it no check, so no result comes to say it is healthy (HAProxy shows it DRAIN).');
			expect(refused.stderr).toMatch(/Do: Enable its check \("enable health webapps\/app03" on the stats socket\), then run "drainboard restore webapps\/app03 [^"]*" again once it passes\./);
			expect(refused.stderr).not.toContain('Waited');
			expect((await states())['webapps/app03']).toBe('8');
			expect(readJournal(`${bed.dir}/no-health.jsonl`).entries.some((entry) => entry.check === 'health-back' && entry.verdict === 'fail' && JSON.stringify(entry.evidence) === '{"healthCheck":"disabled"}')).toBe(true);
			expect(await bed.send('enable health webapps/app03')).toBe('\n');
			const restore = await runCli(['restore', 'webapps/app03', ...common('no-health.jsonl')]);
			expect(restore.code, restore.stderr).toBe(0);
			expect((await states())['webapps/app03']).toBe('0');
		} finally {
			await bed.send('enable health webapps/app03');
			await bed.send('set server webapps/app03 state ready');
		}
	});

	it('hands a drain started by a script to the wizard, through the journal', async () => {
		expect((await runCli(['drain', 'webapps/app01', ...common('handover.jsonl')])).code).toBe(0);
		const session = await startCliInTmux(['webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/handover.jsonl`], {columns: 100, rows: 30});
		try {
			const screen = await session.waitForScreen('Resume at maintain?');
			expect(screen.replace(/\n/g, ' ')).toMatch(/webapps\/app01: the maintenance that \S+ started at .* drained it and did not finish\. Resume at maintain\?/);
		} finally {
			await session.kill();
			await bed.send('set server webapps/app01 state ready');
		}
	});
});
