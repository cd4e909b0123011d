import {readFileSync, writeFileSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {HeadlessResult} from '../../source/headless/report.js';
import {statusJsonSchema} from '../../source/headless/status-schema.js';
import {readJournal} from '../../source/runbook/journal.js';
import {drainReplacedCheck} from '../../source/runbook/resume.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli, startCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {checklist} from '../helpers/checklist.js';
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
const admin = async (server: string) => adminStates(await bed.send('show servers state webapps'))[`webapps/${server}`];
const time = '\\d\\d:\\d\\d:\\d\\d';
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const serving = async (server: string) =>
	waitFor(`${server} up`, async () => ((await bed.send('show stat webapps 4 -1')).split('\n').some((row) => row.startsWith(`webapps,${server},`) && row.includes(',UP,')) ? true : undefined), 15_000);

/** The grid on the bed's HAProxy and `journal`, in a real terminal of `size`. */
const openGrid = async (journal: string, size: {columns: number; rows: number}) => startCliInTmux(['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], size);

/** A headless restore of a drain that is gone: exit 1, the warning on stderr and in the JSON, the maintenance closed. */
async function restoreAfterLostDrain(server: string, journal: string, warning: RegExp): Promise<void> {
	const restore = await runCli(['restore', `webapps/${server}`, ...common(journal), '--json']);
	expect(restore.code, restore.stderr).toBe(1);
	const json = JSON.parse(restore.stdout) as HeadlessResult;
	expect(json).toMatchObject({ok: false, drained: false, steps: []});
	expect(json.warnings).toHaveLength(1);
	expect(json.warnings[0]).toMatch(warning);
	expect(restore.stderr).toContain(`! ${json.warnings[0]!}\n`);
	expect(restore.stderr).toContain(`✗ webapps/${server} is not drained: the drain was lost during the maintenance (see above), so it has taken traffic without restore's checks. Nothing was sent;`);
	expect(restore.stderr).not.toContain('nothing to restore');
	const last = readJournal(`${bed.dir}/${journal}`).entries.at(-1)!;
	expect(last).toMatchObject({event: 'abandoned', target: `webapps/${server}`});
	expect(last.detail).toContain(json.warnings[0]!);
	// Said once, and closed: the next restore has nothing to do, and says so.
	const again = await runCli(['restore', `webapps/${server}`, ...common(journal), '--json']);
	expect(again.code, again.stderr).toBe(0);
	expect(again.stderr).toContain(`✓ webapps/${server} is not drained (admin flags: none); nothing to restore.`);
	expect((JSON.parse(again.stdout) as HeadlessResult).warnings).toEqual([]);
}

describe('headless restore says when the drain was lost mid-maintenance', () => {
	it.each([
		['a reload (haproxy -sf)', 'app01', async () => bed.haproxy.reload()],
		['a restart (stop, start)', 'app02', async () => {
			await bed.stopHaproxy();
			await bed.startHaproxy();
		}],
	])('after %s without a server-state file: why, when, pid before and after', async (_how, server, undo) => {
		const journal = `reload-${server}.jsonl`;
		const drain = await runCli(['drain', `webapps/${server}`, ...common(journal)]);
		expect(drain.code, drain.stderr).toBe(0);
		expect(await admin(server)).toBe('8');
		const before = bed.haproxy.pid;
		await undo();
		const after = bed.haproxy.pid;
		expect(after).not.toBe(before);
		expect(await admin(server)).toBe('0');
		await serving(server);
		await restoreAfterLostDrain(
			server,
			journal,
			new RegExp(
				`^HAProxy at ${escaped(bed.adminSocket)} was reloaded or restarted after the drain at ${time} \\(pid ${before} → ${after}, started at ${time}\\): the drain is gone, and webapps/${server} went back into rotation during the maintenance\\.$`,
			),
		);
	});

	// No time for the ready: HAProxy's lastchg dates UP/DOWN changes only, not a drain set or undone.
	it('after someone else set it ready through the admin socket', async () => {
		const journal = 'someone.jsonl';
		expect((await runCli(['drain', 'webapps/app03', ...common(journal)])).code).toBe(0);
		expect(await bed.send('set server webapps/app03 state ready')).toBe('\n');
		// status through the other socket of the same process names it too (one instance, and as a pool).
		const tcp = ['--socket', `127.0.0.1:${bed.tcpPort}`, '--journal', `${bed.dir}/${journal}`, '--json'];
		for (const flags of [tcp, [...tcp, '--backend', 'webapps']]) {
			const viaTcp = await runCli(['status', ...flags]);
			expect(viaTcp.code, viaTcp.stderr).toBe(0);
			expect(statusJsonSchema.parse(JSON.parse(viaTcp.stdout)).lostDrains.map((lost) => [lost.server, lost.undone])).toEqual([['webapps/app03', 'change']]);
		}

		await restoreAfterLostDrain(
			'app03',
			journal,
			new RegExp(
				`^Someone or something else changed webapps/app03 on ${escaped(bed.adminSocket)} after the drain at ${time}: HAProxy \\(same process, pid ${bed.haproxy.pid}\\) shows it ready \\(no admin flags\\), so it went back into rotation during the maintenance\\.$`,
			),
		);
	});

	it('a new drain says that the open maintenance lost its drain, on stderr and in the JSON', async () => {
		const journal = 'drain-again.jsonl';
		expect((await runCli(['drain', 'webapps/app01', ...common(journal)])).code).toBe(0);
		expect(await bed.send('set server webapps/app01 state ready')).toBe('\n');
		const drain = await runCli(['drain', 'webapps/app01', ...common(journal), '--json']);
		try {
			expect(drain.code, drain.stderr).toBe(0);
			const json = JSON.parse(drain.stdout) as HeadlessResult;
			// Then the checks that warned (this bed loads no server-state file).
			expect(json.warnings).toEqual([
				expect.stringMatching(/^The journal has a maintenance of webapps\/app01 that \S+ started at .* and did not finish, but HAProxy shows the server in rotation now/),
				expect.stringMatching(/^validate · Things to know: No server-state file is loaded/),
			]);
			expect(drain.stderr).toContain(`! ${json.warnings[0]!}`);
		} finally {
			await bed.send('set server webapps/app01 state ready');
		}
	});
});

describe('status names an open maintenance whose drain a reload dropped', () => {
	it('in the table and in --json, with the restore that closes it; after that restore, nothing', async () => {
		const journal = `${bed.dir}/status-lost.jsonl`;
		const flags = ['--socket', bed.adminSocket, '--journal', journal];
		const drain = await runCli(['drain', 'webapps/app03', ...common('status-lost.jsonl')]);
		expect(drain.code, drain.stderr).toBe(0);
		const [started] = readJournal(journal).entries;
		const drained = readJournal(journal).entries.find((entry) => entry.event === 'reply' && entry.command === 'set server webapps/app03 state drain')!;
		const before = bed.haproxy.pid;
		await bed.haproxy.reload();
		const after = bed.haproxy.pid;
		expect(after).not.toBe(before);
		expect(await admin('app03')).toBe('0');
		await serving('app03');

		const restore = `drainboard restore webapps/app03 --yes --socket ${bed.adminSocket} --journal ${journal}`;
		const sentence = new RegExp(
			`^webapps/app03: ${escaped(started!.user)}'s maintenance of ${time} drained it, and HAProxy shows it in rotation now \\(UP; HAProxy was reloaded or restarted since the drain, pid ${before} → ${after}\\): check it; \`${escaped(restore)}\` closes that maintenance\\.$`,
		);
		const table = await runCli(['status', '--backend', 'webapps', ...flags]);
		expect(table.code, table.stderr).toBe(0);
		expect(table.stderr).toBe('');
		expect(table.stdout).toMatch(/^webapps\/app03 +\S+ +UP +- /m);
		const block = table.stdout.trimEnd().split('\n\n').at(-1)!.split('\n');
		// Wrapped to 80 columns at spaces, the journal's path and the restore command each whole on a line.
		expect(block.every((line) => [...line].length <= 79 || line.includes(restore) || line.includes(journal))).toBe(true);
		const heading = block.filter((line) => !line.startsWith('  '));
		expect(heading.join(' ')).toBe(`Open maintenances of the journal ${journal} whose drain HAProxy no longer shows:`);
		expect(block.slice(heading.length).join('\n').replace(/\n {4}/g, ' ').replace(/^ {2}/, '')).toMatch(sentence);

		const by = {user: started!.user, journal, startedAt: started!.time, drainedAt: new Date(Date.parse(drained.time)).toISOString()};
		for (const args of [['status', '--json', ...flags], ['status', '--backend', 'webapps', '--json', ...flags]]) {
			const result = await runCli(args);
			expect(result.code, result.stderr).toBe(0);
			expect(result.stderr).toBe('');
			const json = statusJsonSchema.parse(JSON.parse(result.stdout));
			expect(json.drains).toEqual([]);
			expect(json.lostDrains).toEqual([{socket: bed.adminSocket, server: 'webapps/app03', by, undone: 'reload', underWay: null}]);
		}

		// The grid says it too, in 80 columns.
		const grid = await openGrid(journal, {columns: 80, rows: 24});
		try {
			const screen = await grid.waitForScreen('⚠ r opens webapps/app03');
			expect(screen).toMatch(new RegExp(`^⚠ r opens webapps/app03: drain lost \\(${escaped(started!.user)}'s maintenance of ${time}\\)$`, 'm'));
			// r opens the server's wizard, which says what became of that maintenance; nothing is sent.
			const wizard = await grid.press('r', 'A new maintenance starts at validate');
			expect(wizard.replace(/\s+/g, ' ')).toContain('did not finish, but HAProxy shows the server in rotation now');
			expect(wizard).toContain('Enter run validate');
		} finally {
			await grid.kill();
		}

		// That restore closes the maintenance; status then has nothing more to say of it.
		expect((await runCli(['restore', 'webapps/app03', ...common('status-lost.jsonl')])).code).toBe(1);
		const closed = await runCli(['status', '--backend', 'webapps', ...flags]);
		expect(closed.stdout).not.toContain('Open maintenances');
		expect(statusJsonSchema.parse(JSON.parse((await runCli(['status', '--json', ...flags])).stdout)).lostDrains).toEqual([]);
	});
});

describe('the grid sees an open maintenance lose its drain, and someone drain it again by hand', () => {
	it('journals what it saw; r then takes the drain up as one found made, at confirm, not as that maintenance\'s at maintain', async () => {
		const journal = `${bed.dir}/grid-lost-again.jsonl`;
		const drain = await runCli(['drain', 'webapps/app01', ...common('grid-lost-again.jsonl')]);
		expect(drain.code, drain.stderr).toBe(0);
		const grid = await openGrid(journal, {columns: 100, rows: 30});
		try {
			await grid.waitForScreen('⚠ r resumes webapps/app01');
			expect(await bed.send('set server webapps/app01 state ready')).toBe('\n');
			await grid.waitForScreen('⚠ r opens webapps/app01');
			const seen = await waitFor('the grid to journal the lost drain', () => readJournal(journal).entries.find((entry) => entry.check === drainReplacedCheck) ?? undefined);
			expect(seen).toMatchObject({target: 'webapps/app01', verdict: 'fail', evidence: {replaced: 'rotation'}});
			expect(seen.observed).toMatch(/^The grid saw webapps\/app01 in rotation: the drain of the maintenance \S+ started at .* is gone, and the server took traffic\.$/);
			// The grid only noted what it saw: it does not run that maintenance, whose restore closes it as before.
			const status = await runCli(['status', '--socket', bed.adminSocket, '--journal', journal], {env: {COLUMNS: '300'}});
			expect(status.stdout).toContain('webapps/app01: ');
			expect(status.stdout).not.toContain('runs it now');
			expect(status.stdout).toContain(`drainboard restore webapps/app01`);
			// Drained again by hand: the banner offers it again, but what HAProxy shows is not that maintenance's drain.
			expect(await bed.send('set server webapps/app01 state drain')).toBe('\n');
			await grid.waitForScreen('⚠ r resumes webapps/app01');
			const resumed = await grid.press('r', (current) => checklist(current).includes('▶ confirm'));
			expect(checklist(resumed)).toBe(' – validate › – baseline › – drain › ▶ confirm › · maintain › · restore');
			// Once, whatever the polls since.
			expect(readJournal(journal).entries.filter((entry) => entry.check === drainReplacedCheck)).toHaveLength(1);
		} finally {
			await grid.kill();
			await bed.send('set server webapps/app01 state ready');
		}
	});
});

describe('the grid does not note as lost a drain another maintenance took over and restored', () => {
	it('a take-over restore (another journal) puts the server back: no lost-drain entry; one set ready by hand after it is noted', async () => {
		const journal = `${bed.dir}/grid-taken.jsonl`;
		for (const server of ['app02', 'app03']) {
			const drain = await runCli(['drain', `webapps/${server}`, ...common('grid-taken.jsonl')]);
			expect(drain.code, drain.stderr).toBe(0);
		}

		const grid = await openGrid(journal, {columns: 100, rows: 30});
		try {
			await grid.waitForScreen('⚠ r resumes webapps/app02');
			const taken = await runCli(['restore', 'webapps/app02', ...common('grid-taker.jsonl'), '--take-over']);
			expect(taken.code, taken.stderr).toBe(0);
			// The grid's poll shows it back (in rotation: what it would note as a lost drain).
			await grid.waitForScreen((current) => /● app02 +\S+ +UP +1 /.test(current));
			// Then one lost by hand, which the grid notes (after it saw app02 back).
			expect(await bed.send('set server webapps/app03 state ready')).toBe('\n');
			await waitFor('the grid to journal app03 lost', () => readJournal(journal).entries.find((entry) => entry.check === drainReplacedCheck && entry.target === 'webapps/app03'));
			expect(readJournal(journal).entries.filter((entry) => entry.check === drainReplacedCheck).map((entry) => entry.target)).toEqual(['webapps/app03']);
		} finally {
			await grid.kill();
			await bed.send('set server webapps/app02 state ready');
			await bed.send('set server webapps/app03 state ready');
		}
	});
});

describe('the grid names an open maintenance whose drain someone replaced with state maint', () => {
	it('before any drainboard saw it: a banner that says so; r opens the wizard, which says the server is in maintenance and closes that maintenance', async () => {
		const journal = `${bed.dir}/grid-maint.jsonl`;
		const drain = await runCli(['drain', 'webapps/app02', ...common('grid-maint.jsonl')]);
		expect(drain.code, drain.stderr).toBe(0);
		const [started] = readJournal(journal).entries;
		// By hand, with no drainboard running: HAProxy clears the drain when it sets maintenance.
		expect(await bed.send('set server webapps/app02 state maint')).toBe('\n');
		expect(await admin('app02')).toBe('1');
		const grid = await openGrid(journal, {columns: 80, rows: 24});
		try {
			const screen = await grid.waitForScreen('⚠ r opens webapps/app02');
			expect(screen).toMatch(new RegExp(`^⚠ r opens webapps/app02: drain lost to MAINT \\(${escaped(started!.user)}'s maintenance of ${time}\\)$`, 'm'));
			const wizard = await grid.press('r', 'A new maintenance starts at validate');
			expect(wizard.replace(/\s+/g, ' ')).toContain('did not finish, but HAProxy shows the server in maintenance (MAINT), not drained, now (someone put it there with state maint)');
			// Nothing was sent: still in maintenance, as its owner left it.
			expect(await admin('app02')).toBe('1');
			expect(readJournal(journal).entries.filter((entry) => entry.event === 'command').map((entry) => entry.command)).toEqual(['set server webapps/app02 state drain']);
			// Journaled as replaced: the grid offers that maintenance no more.
			expect(readJournal(journal).entries.filter((entry) => entry.check === drainReplacedCheck)).toHaveLength(1);
		} finally {
			await grid.kill();
		}

		// A grid opened now (its first frame reads the journal) offers it no more.
		const again = await openGrid(journal, {columns: 80, rows: 24});
		try {
			const screen = await again.waitForScreen((current) => /■ app02 .* MAINT/.test(current) && current.includes('? help · q quit'));
			expect(screen).not.toContain('⚠ r opens webapps/app02');
		} finally {
			await again.kill();
			await bed.send('set server webapps/app02 state ready');
		}
	});
});

describe('status names an open maintenance whose server a reload with another configuration removed', () => {
	it('says HAProxy has no such server now and nothing of it is drained (table and --json); back in the configuration, its drain is lost, and restore closes it', async () => {
		const journal = `${bed.dir}/status-removed.jsonl`;
		const flags = ['--socket', bed.adminSocket, '--journal', journal];
		const original = readFileSync(bed.configPath, 'utf8');
		expect((await runCli(['drain', 'webapps/app03', ...common('status-removed.jsonl')])).code).toBe(0);
		const [started] = readJournal(journal).entries;
		try {
			writeFileSync(bed.configPath, original.replace(/^ +server app03 .*\n/m, ''));
			await bed.haproxy.reload();
			expect(await admin('app03')).toBeUndefined();
			const restore = `drainboard restore webapps/app03 --yes --socket ${bed.adminSocket} --journal ${journal}`;
			const table = await runCli(['status', ...flags]);
			expect(table.code, table.stderr).toBe(0);
			expect(table.stdout).not.toMatch(/^webapps\/app03 /m);
			const block = table.stdout.trimEnd().split('\n\n').at(-1)!.split('\n');
			const heading = block.filter((line) => !line.startsWith('  '));
			expect(heading.join(' ')).toBe(`Open maintenances of the journal ${journal} whose drain HAProxy no longer shows:`);
			expect(block.slice(heading.length).join('\n').replace(/\n {4}/g, ' ').replace(/^ {2}/, '')).toMatch(
				new RegExp(
					`^webapps/app03: ${escaped(started!.user)}'s maintenance of ${time} drained it, and HAProxy has no such server now \\(removed with del server, or by a reload with another configuration\\): nothing of it is drained\\. If HAProxy has it again, check it; \`${escaped(restore)}\` closes that maintenance\\.$`,
				),
			);
			const by = {user: started!.user, journal, startedAt: started!.time};
			for (const args of [['status', '--json', ...flags], ['status', '--backend', 'webapps', '--json', ...flags]]) {
				const json = statusJsonSchema.parse(JSON.parse((await runCli(args)).stdout));
				expect(json.lostDrains).toEqual([{socket: bed.adminSocket, server: 'webapps/app03', by: expect.objectContaining(by) as unknown, undone: 'removed', underWay: null}]);
			}

			// Another backend's status does not speak of it: what it read says nothing of webapps.
			expect(statusJsonSchema.parse(JSON.parse((await runCli(['status', '--backend', 'api', '--json', ...flags])).stdout)).lostDrains).toEqual([]);
		} finally {
			writeFileSync(bed.configPath, original);
			await bed.haproxy.reload();
		}

		// Back in the configuration, in rotation: a lost drain, which restore closes.
		await serving('app03');
		expect(statusJsonSchema.parse(JSON.parse((await runCli(['status', '--json', ...flags])).stdout)).lostDrains.map((lost) => lost.undone)).toEqual(['reload']);
		expect((await runCli(['restore', 'webapps/app03', ...common('status-removed.jsonl')])).code).toBe(1);
		expect(statusJsonSchema.parse(JSON.parse((await runCli(['status', '--json', ...flags])).stdout)).lostDrains).toEqual([]);
	});
});

describe('status names an open maintenance whose drain someone replaced with a maintenance (state maint)', () => {
	it('out of rotation, not by that maintenance, and no restore offered (table and --json); set to drain again, restore closes it', async () => {
		const journal = `${bed.dir}/status-maint.jsonl`;
		const flags = ['--socket', bed.adminSocket, '--journal', journal];
		expect((await runCli(['drain', 'webapps/app03', ...common('status-maint.jsonl')])).code).toBe(0);
		const [started] = readJournal(journal).entries;
		expect(await bed.send('set server webapps/app03 state maint')).toBe('\n');
		expect(await admin('app03')).toBe('1');
		const table = await runCli(['status', ...flags]);
		expect(table.code, table.stderr).toBe(0);
		const block = table.stdout.trimEnd().split('\n\n').at(-1)!.split('\n');
		const heading = block.filter((line) => !line.startsWith('  '));
		expect(heading.join(' ')).toBe(`Open maintenances of the journal ${journal} whose drain HAProxy no longer shows:`);
		const sentence = block.slice(heading.length).join('\n').replace(/\n {4}/g, ' ').replace(/^ {2}/, '');
		expect(sentence).toMatch(
			new RegExp(
				`^webapps/app03: ${escaped(started!.user)}'s maintenance of ${time} drained it, and HAProxy shows it in maintenance now \\(MAINT; someone or something put it into maintenance \\(state maint\\), which cleared the drain\\): out of rotation, not by that maintenance\\. Whoever put it there brings it back \\(set server webapps/app03 state ready\\), or sets it to drain again \\(state drain\\) for \`${escaped(`drainboard restore webapps/app03 --yes --socket ${bed.adminSocket} --journal ${journal}`)}\` to put it back with its checks\\.$`,
			),
		);
		expect(sentence).not.toContain('closes that maintenance');
		for (const args of [['status', '--json', ...flags], ['status', '--backend', 'webapps', '--json', ...flags]]) {
			const json = statusJsonSchema.parse(JSON.parse((await runCli(args)).stdout));
			expect(json.lostDrains).toEqual([expect.objectContaining({server: 'webapps/app03', undone: 'maintenance'})]);
		}

		// The one who put it into maintenance sets it to drain: the maintenance holds a drain again, and restore closes it.
		expect(await bed.send('set server webapps/app03 state drain')).toBe('\n');
		expect(statusJsonSchema.parse(JSON.parse((await runCli(['status', '--json', ...flags])).stdout)).lostDrains).toEqual([]);
		const restore = await runCli(['restore', 'webapps/app03', ...common('status-maint.jsonl')]);
		expect(restore.code, restore.stderr).toBe(0);
		expect(await admin('app03')).toBe('0');
	});
});

describe('the drain undone while restore waits for the health check', () => {
	it('someone sets it ready during the wait: restore stops there, says so, and sends nothing', async () => {
		const journal = 'during-wait.jsonl';
		expect((await runCli(['drain', 'webapps/app02', ...common(journal)])).code).toBe(0);
		await bed.demo('app02').stop();
		await waitFor('app02 DOWN', async () => ((await bed.send('show stat webapps 4 -1')).split('\n').some((row) => row.startsWith('webapps,app02,') && row.includes(',DOWN,')) ? true : undefined), 15_000);
		const cli = startCli(['restore', 'webapps/app02', ...common(journal), '--ready-timeout', '60', '--json']);
		try {
			await cli.waitForStderr('waiting for its health check to pass', 20_000);
			expect(await bed.send('set server webapps/app02 state ready')).toBe('\n');
			const {code} = await cli.exited;
			const {stdout, stderr} = cli;
			expect(code, stderr).toBe(1);
			// The same process (pid, start time) as at the drain: someone set it, not a reload.
			expect(stderr).toMatch(
				new RegExp(
					`✗ maintain · Target healthy again: Someone or something else changed webapps/app02 on ${escaped(bed.adminSocket)} after the drain at ${time}: HAProxy \\(same process, pid ${bed.haproxy.pid}\\) shows it ready \\(no admin flags\\), so it went back into rotation during the maintenance\\. That was while drainboard waited for its health check, now DOWN · L4CON .*\\. Nothing was sent\\.`,
				),
			);
			expect(JSON.parse(stdout)).toMatchObject({ok: false, changed: false, error: {code: 'state'}});
			// DOWN, it serves nothing yet: the advice does not say it does.
			expect(stderr).toMatch(/If it is done, it serves once its health check passes \(it is DOWN · L4CON[^)]*\) now\): run "drainboard restore webapps\/app02 /);
			expect(stderr).not.toContain('it serves already');
			// drainboard sent no ready: the only state change of this restore run is none at all.
			const sent = readJournal(`${bed.dir}/${journal}`).entries.filter((entry) => entry.event === 'command').map((entry) => entry.command);
			expect(sent).toEqual(['set server webapps/app02 state drain']);
		} finally {
			cli.child.kill();
			await bed.restartDemo('app02');
			await bed.send('set server webapps/app02 state ready');
		}
	});
});

describe('the drain dropped by a reload while restore waits for the health check', () => {
	it('restore stops there and names the reload, with the pids before and after, on stderr and in the JSON; nothing is sent', async () => {
		const journal = 'reload-during-wait.jsonl';
		expect((await runCli(['drain', 'webapps/app03', ...common(journal)])).code).toBe(0);
		await bed.demo('app03').stop();
		await waitFor('app03 DOWN', async () => ((await bed.send('show stat webapps 4 -1')).split('\n').some((row) => row.startsWith('webapps,app03,') && row.includes(',DOWN,')) ? true : undefined), 15_000);
		const cli = startCli(['restore', 'webapps/app03', ...common(journal), '--ready-timeout', '60', '--json']);
		try {
			await cli.waitForStderr('waiting for its health check to pass', 20_000);
			const before = bed.haproxy.pid;
			await bed.haproxy.reload();
			const after = bed.haproxy.pid;
			expect(after).not.toBe(before);
			const {code} = await cli.exited;
			const {stdout, stderr} = cli;
			expect(code, stderr).toBe(1);
			const reloaded = `HAProxy at ${escaped(bed.adminSocket)} was reloaded or restarted after the drain at ${time} \\(pid ${before} → ${after}, started at ${time}\\): the drain is gone, and webapps/app03 went back into rotation during the maintenance\\. That was while drainboard waited for its health check, now [A-Z]+`;
			expect(stderr).toMatch(new RegExp(`✗ maintain · Target healthy again: ${reloaded}`));
			expect(stderr).not.toContain('someone set it ready');
			const json = JSON.parse(stdout) as HeadlessResult;
			expect(json).toMatchObject({ok: false, changed: false, error: {code: 'state'}});
			// The JSON's message is the failure's sentences joined (with what to do) into one.
			expect(json.error?.message).toMatch(new RegExp(`^HAProxy at ${escaped(bed.adminSocket)} was reloaded or restarted after the drain at ${time} \\(pid ${before} → ${after}, started at ${time}\\): the drain is gone, and webapps/app03 went back into rotation during the maintenance; that was while drainboard waited for its health check`));
			const sent = readJournal(`${bed.dir}/${journal}`).entries.filter((entry) => entry.event === 'command').map((entry) => entry.command);
			expect(sent).toEqual(['set server webapps/app03 state drain']);
		} finally {
			cli.child.kill();
			await bed.restartDemo('app03');
			await bed.send('set server webapps/app03 state ready');
		}
	}, 90_000);
});

describe('the drain replaced by a maintenance while restore waits for the health check', () => {
	it('someone sets it to maint during the wait: restore says so at once, not after --ready-timeout, and sends nothing', async () => {
		const journal = 'maint-during-wait.jsonl';
		expect((await runCli(['drain', 'webapps/app01', ...common(journal)])).code).toBe(0);
		await bed.demo('app01').stop();
		await waitFor('app01 DOWN', async () => ((await bed.send('show stat webapps 4 -1')).split('\n').some((row) => row.startsWith('webapps,app01,') && row.includes(',DOWN,')) ? true : undefined), 15_000);
		const cli = startCli(['restore', 'webapps/app01', ...common(journal), '--ready-timeout', '60', '--json']);
		try {
			await cli.waitForStderr('waiting for its health check to pass', 20_000);
			const set = Date.now();
			expect(await bed.send('set server webapps/app01 state maint')).toBe('\n');
			const {code} = await cli.exited;
			// At its next read (every half second), not at the end of the 60 s wait.
			expect(Date.now() - set).toBeLessThan(20_000);
			const {stdout, stderr} = cli;
			expect(code, stderr).toBe(1);
			expect(stderr).toMatch(
				/✗ maintain · Target healthy again: Someone or something else put webapps\/app01 into maintenance while drainboard waited for its health check: HAProxy shows admin flags FMAINT, not drained \(MAINT · .*\)\. HAProxy does not health-check a server in maintenance, so the wait ends here\. Nothing was sent\./,
			);
			expect(stderr).not.toContain('Restore stays refused until the check passes');
			expect(stderr).toContain('It is out of rotation, but not by this maintenance');
			expect(stderr).toContain(`run "drainboard restore webapps/app01 --yes --socket ${bed.adminSocket}`);
			expect(JSON.parse(stdout)).toMatchObject({ok: false, changed: false, error: {code: 'state'}});
			const sent = readJournal(`${bed.dir}/${journal}`).entries.filter((entry) => entry.event === 'command').map((entry) => entry.command);
			expect(sent).toEqual(['set server webapps/app01 state drain']);
			expect(await admin('app01')).toBe('1');
		} finally {
			cli.child.kill();
			await bed.restartDemo('app01');
			await bed.send('set server webapps/app01 state ready');
		}
	}, 90_000);
});

describe('a master-worker HAProxy reloaded between drain and restore', () => {
	let master: TestBed;

	beforeAll(async () => {
		master = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context), masterWorker: true});
	});

	afterAll(async () => {
		await master?.stop();
	});

	it('names the worker pids before and after', async () => {
		const masterSocket = `${master.dir}/master.sock`;
		const flags = ['--master', masterSocket, '--config', master.configPath, '--journal', `${master.dir}/mw.jsonl`, '--yes'];
		expect((await runCli(['drain', 'webapps/app01', ...flags])).code).toBe(0);
		const before = master.haproxy.pid;
		await master.haproxy.reload();
		const after = master.haproxy.pid;
		const restore = await waitFor('the master CLI to answer for the new worker', async () => {
			const result = await runCli(['restore', 'webapps/app01', ...flags, '--json']);
			return result.code === 3 ? undefined : result;
		});
		expect(restore.code, restore.stderr).toBe(1);
		expect((JSON.parse(restore.stdout) as HeadlessResult).warnings).toEqual([
			expect.stringMatching(
				new RegExp(`^HAProxy at ${escaped(masterSocket)} \\[worker 1\\] was reloaded or restarted after the drain at ${time} \\(pid ${before} → ${after}, started at ${time}\\): the drain is gone`),
			),
		]);
	});
});

describe('a reload without a server-state file while confirm watches the drain hold', () => {
	it('is named as the reload (pid before → after) in the text, the JSON and the journal, not as an agent, a script or an operator', async () => {
		const journal = `${bed.dir}/reload-at-confirm.jsonl`;
		// A hold long enough for the reload to land in it on a busy machine (the suite's is 1 s).
		const drain = startCli(['drain', 'webapps/app02', ...common('reload-at-confirm.jsonl'), '--json'], {DRAINBOARD_HOLD_SECONDS: '6'});
		let before = 0;
		let after = 0;
		try {
			await drain.waitForStderr('… confirm · Watching the drain hold', 60_000);
			before = bed.haproxy.pid;
			await bed.haproxy.reload();
			after = bed.haproxy.pid;
			expect(after).not.toBe(before);
			const {code} = await drain.exited;
			expect(code, drain.stderr).toBe(1);
		} finally {
			drain.child.kill('SIGKILL');
		}

		// Read from HAProxy: the new process has app02 ready, its drain gone with the old process.
		expect(await admin('app02')).toBe('0');
		const line = drain.stderr.split('\n').find((text) => text.startsWith('✗ confirm · Drain holds: '))!;
		expect(line).toMatch(
			new RegExp(`^✗ confirm · Drain holds: HAProxy was reloaded or restarted \\(pid ${before} → ${after}\\) \\d+(\\.\\d)? s after the drain was set, and the new process does not have the drain \\(no server-state file kept it\\): it shows admin flags none\\.`),
		);
		expect(drain.stderr).not.toMatch(/agent-check, a script, or another operator|put back/);
		const json = JSON.parse(drain.stdout) as HeadlessResult;
		expect(json.ok).toBe(false);
		expect(json.error?.message).toContain(`HAProxy was reloaded or restarted (pid ${before} → ${after})`);
		const last = drain.stderr.trimEnd().split('\n').at(-1)!;
		expect(last).toBe(`webapps/app02 is in rotation now (admin flags none, read back now): HAProxy at ${bed.adminSocket} was reloaded or restarted during this run (pid ${before} → ${after}), which dropped the drain, not drainboard.`);
		const holds = readJournal(journal).entries.find((entry) => entry.event === 'check' && entry.check === 'drain-holds')!;
		expect(holds.observed).toContain(`(pid ${before} → ${after})`);
		expect(holds.instances.map((instance) => instance.pid)).toEqual([after]);
		expect(holds.evidence).toMatchObject({pidBefore: before, pidAfter: after});
	}, 90_000);
});
