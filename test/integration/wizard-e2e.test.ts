import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {readJournal} from '../../source/runbook/journal.js';
import {clockTime} from '../../source/time-format.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {checklist} from '../helpers/checklist.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';

let bed: TestBed;
let session: TmuxSession | undefined;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
});

afterAll(async () => {
	await session?.kill();
	await bed?.stop();
});


/** From the wizard's first screen to maintain: baseline, the drain answered y, confirm passed ("Do the work now"). */
async function toMaintain(wizard: TmuxSession, label: string): Promise<void> {
	await wizard.waitForScreen('Enter run validate');
	for (const step of ['▶ baseline', '▶ drain']) {
		await wizard.press('Enter', (current) => checklist(current).includes(step), 30_000);
	}

	await wizard.press('Enter', `set server ${label} state drain`);
	await wizard.press('y', (current) => checklist(current).includes('▶ confirm'));
	await wizard.press('Enter', (current) => checklist(current).includes('▶ maintain') && current.replace(/\s+/g, ' ').includes('Do the work now'), 30_000);
}

describe('the wizard in a real terminal, against a real HAProxy', () => {
	it('walks from validate to a restored server, refuses to restore while the service is down, and flags a reload', async () => {
		const journal = `${bed.dir}/wizard.jsonl`;
		session = await startCliInTmux(['webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--url', bed.url, '--journal', journal, '--ready-timeout', '2'], {
			columns: 100,
			rows: 30,
		});
		await session.waitForScreen('Enter run validate');
		await session.press('Enter', (screen) => checklist(screen).includes('✓ validate › ▶ baseline'));
		let screen = await session.press('Enter', (current) => checklist(current).includes('▶ drain'));
		// Since --proof, the probe says why it was chosen, in brackets after the URL (wrapped where the width falls).
		expect(screen.replace(/\s+/g, ' ')).toMatch(/✓ Target serves traffic: 10\/10 requests through http:\/\/127\.0\.0\.1:\d+\/ (?:\([^)]*\) )?succeeded; req_tot grew/);

		screen = await session.press('Enter', 'set server webapps/app01 state drain');
		expect(screen).toContain('y send it · n cancel');
		await session.press('y', (current) => checklist(current).includes('▶ confirm'));
		expect(adminStates(await bed.send('show servers state webapps'))['webapps/app01']).toBe('8');
		screen = await session.press('Enter', (current) => checklist(current).includes('▶ maintain') && current.replace(/\s+/g, ' ').includes('Do the work now'));
		expect(screen.replace(/\s+/g, ' ')).toMatch(/webapps\/app01 is drained \(out of rotation\), as HAProxy has shown at every read since \d\d:\d\d:\d\d\. Do the work now/);

		await bed.demo('app01').stop();
		await session.waitForScreen((current) => / ✗ app01 .* DOWN/.test(current));
		screen = await session.press('Enter', '✗ Target healthy again: app01 is not healthy: DOWN');
		expect(screen.replace(/\n\s*/g, ' ')).toContain('Restore stays refused until the check passes.');
		expect(checklist(screen)).toContain('✗ maintain › · restore');

		const before = bed.haproxy.pid;
		await bed.haproxy.reload();
		screen = await session.waitForScreen((current) => current.replace(/\s+/g, ' ').includes('or restarted (pid'));
		expect(screen.replace(/\s+/g, ' ')).toContain(`was reloaded or restarted (pid ${before} → ${bed.haproxy.pid}). The drain is gone: app01 is back in rotation. Press r to re-apply it.`);
		await session.press('r', 'The drain is gone from HAProxy; this puts it back.');
		// It was in rotation meanwhile: confirm proves again that new traffic goes elsewhere and its sessions end.
		screen = await session.press('y', (current) => !current.replace(/\s+/g, ' ').includes('or restarted (pid') && checklist(current).includes('✓ drain › ▶ confirm › · maintain'));
		expect(screen.replace(/\s+/g, ' ')).toContain('The drain is back on webapps/app01, after it was in rotation: confirm runs again, for the traffic and sessions it took meanwhile.');
		expect(adminStates(await bed.send('show servers state webapps'))['webapps/app01']).toBe('8');
		await session.press('Enter', (current) => checklist(current).includes('✓ confirm › ▶ maintain'), 30_000);
		// The drain was watched from when r put it back, not from the drain the reload undid.
		const entries = readJournal(journal).entries;
		const putBack = entries.filter((entry) => entry.command === 'set server webapps/app01 state drain').at(-1)!;
		const holds = entries.filter((entry) => entry.check === 'drain-holds').at(-1)!;
		expect(Number(holds.evidence?.['heldMs'])).toBeLessThanOrEqual(Date.parse(holds.time) - Date.parse(putBack.time) + 100);

		await bed.demo('app01').start();
		await session.waitForScreen((current) => / ◐ app01 .* DRAIN/.test(current));
		await session.press('Enter', (current) => checklist(current).includes('▶ restore'), 15_000);
		await session.press('Enter', 'set server webapps/app01 state ready');
		// q at the question quits as Ctrl-C would: asked first, since it is drained; staying sends nothing.
		screen = await session.press('q', 'Quit anyway?');
		expect(screen.replace(/\s+/g, ' ')).toContain('webapps/app01 is drained (out of rotation)');
		await session.press('n', (current) => !current.includes('Quit anyway?'));
		expect(adminStates(await bed.send('show servers state webapps'))['webapps/app01']).toBe('8');
		await session.press('Enter', 'set server webapps/app01 state ready');
		screen = await session.press('y', 'maintenance complete');
		expect(screen).toMatch(/✓ Traffic returns: 10\/10 requests .* succeeded/s);
		expect(checklist(screen)).toBe(' ✓ validate › ✓ baseline › ✓ drain › ✓ confirm › ✓ maintain › ✓ restore');
		expect(adminStates(await bed.send('show servers state webapps'))['webapps/app01']).toBe('0');

		await session.send('q');
		expect(await session.exited()).toBe(0);
		const events = readJournal(journal).entries.map((entry) => entry.event);
		expect(events).toContain('alarm');
		expect(events.at(-1)).toBe('finished');
		// The re-applied drain is journaled with the process HAProxy runs now, and the summary dates it, not the one the reload undid.
		const drains = readJournal(journal).entries.filter((entry) => entry.event === 'reply' && entry.command === 'set server webapps/app01 state drain');
		expect(drains.map((entry) => entry.instances[0]?.pid)).toEqual([before, bed.haproxy.pid]);
		const summary = readJournal(journal).entries.find((entry) => entry.check === 'summary')!;
		expect(summary.observed).toContain(`Drain sent ${clockTime(Date.parse(drains[1]!.time))}`);
	}, 120_000);

	it('asks before quitting while drained, says how to resume, and offers to resume on the next start', async () => {
		const journal = `${bed.dir}/resume.jsonl`;
		const args = ['webapps/app02', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal];
		session = await startCliInTmux(args, {columns: 100, rows: 30});
		await session.waitForScreen('Enter run validate');
		for (const step of ['▶ baseline', '▶ drain']) {
			await session.press('Enter', (current) => checklist(current).includes(step));
		}

		await session.press('Enter', 'set server webapps/app02 state drain');
		await session.press('y', (current) => checklist(current).includes('▶ confirm'));
		expect((await session.press('q', 'Quit anyway?')).replace(/\s+/g, ' ')).toMatch(/webapps\/app02 is drained \(out of rotation\), as HAProxy showed at \d\d:\d\d:\d\d\. Quit anyway\?/);
		await session.send('y');
		expect(await session.exited()).toBe(0);
		// The note wraps where the terminal's width falls, even inside a path: lines joined at full width.
		const note = (await session.screen()).split('\n').map((line) => line.padEnd(100)).join('').replace(/ +/g, ' ');
		expect(note).toMatch(/webapps\/app02 is drained \(out of rotation\), as HAProxy showed at \d\d:\d\d:\d\d\. To resume: drainboard webapps\/app02 /);
		const pasted = /To resume: (drainboard \S+(?: --\w+ \S+)+)/.exec(note)?.[1] ?? '';
		// The flags given come back, so pasting the line opens this maintenance again.
		expect(pasted).toBe(`drainboard webapps/app02 --socket ${bed.adminSocket} --config ${bed.configPath} --journal ${journal}`);
		await session.kill();

		// Quitting the grid with the unfinished maintenance in the journal says so, and how to take it up.
		session = await startCliInTmux(['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 100, rows: 30, after: 'sleep 2'});
		await session.waitForScreen('⚠ r resumes webapps/app02');
		const left = (await session.press('q', (current) => current.replace(/\s+/g, '').includes('hasanunfinishedmaintenancethatdrainedwebapps/app02'))).replace(/\s+/g, '');
		expect(left).toContain(`Toseewhereitstandsandresume:drainboardwebapps/app02--socket${bed.adminSocket}--config${bed.configPath}--journal${journal}`);
		expect(await session.exited()).toBe(0);
		await session.kill();

		// The grid, opened on this journal, shows the unfinished maintenance, and r resumes it (no second question).
		session = await startCliInTmux(['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 100, rows: 30});
		const banner = await session.waitForScreen('⚠ r resumes webapps/app02');
		expect(banner).toMatch(/⚠ r resumes webapps\/app02: left drained by \S+'s maintenance of (\d\d:\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d)/);
		const resumed = await session.press('r', (current) => checklist(current).includes('✓ drain › ▶ confirm'));
		expect(resumed).not.toContain('Resume at');
		await session.press('q', 'Quit anyway?');
		await session.send('y');
		expect(await session.exited()).toBe(0);
		await session.kill();

		session = await startCliInTmux(pasted.split(' ').slice(1), {columns: 100, rows: 30});
		const screen = await session.waitForScreen('Resume at confirm?');
		expect(screen).toContain('y resume at confirm');
		await session.press('y', (current) => checklist(current).includes('✓ drain › ▶ confirm'));
		await session.press('Enter', (current) => checklist(current).includes('▶ maintain'));
		await bed.send('set server webapps/app02 state ready');
	});

	it('quit while confirm watches the drain hold: no verdict is journaled for what it did not watch, and the maintenance resumes at confirm', async () => {
		const journal = `${bed.dir}/left-mid-check.jsonl`;
		const args = ['webapps/app03', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal];
		// A hold long enough to quit in the middle of it.
		session = await startCliInTmux(args, {columns: 100, rows: 30, env: {DRAINBOARD_HOLD_SECONDS: '60'}});
		try {
			await session.waitForScreen('Enter run validate');
			for (const step of ['▶ baseline', '▶ drain']) {
				await session.press('Enter', (current) => checklist(current).includes(step));
			}

			await session.press('Enter', 'set server webapps/app03 state drain');
			await session.press('y', (current) => checklist(current).includes('▶ confirm'));
			await session.press('Enter', 'Watching the drain hold');
			await session.press('q', 'Quit anyway?');
			await session.send('y');
			expect(await session.exited()).toBe(0);
			const entries = readJournal(journal).entries.filter((entry) => entry.step === 'confirm');
			// Drain bit set was seen; the hold was cut short: no pass for it, confirm not passed, and why.
			expect(entries.filter((entry) => entry.event === 'check').map((entry) => `${entry.check} ${entry.verdict}`)).toEqual(['drain-bit pass']);
			expect(entries.map((entry) => entry.event)).not.toContain('step-passed');
			expect(entries.at(-1)).toMatchObject({event: 'step-cancelled', check: 'drain-holds', detail: 'the maintenance was left while "Drain holds" ran: no verdict taken'});
			await session.kill();

			// Opened again, it takes the maintenance up at confirm, which it never saw pass.
			session = await startCliInTmux(args, {columns: 100, rows: 30});
			expect(await session.waitForScreen('Resume at confirm?')).toContain('y resume at confirm');
		} finally {
			await bed.send('set server webapps/app03 state ready');
		}
	});

	it('quits without "still drained" after someone else set the target ready during maintain, and says it is back in rotation and why', async () => {
		const journal = `${bed.dir}/someone.jsonl`;
		await session?.kill();
		// 30 requests: app02, set ready by the test before, takes a catch-up share of the first ones.
		session = await startCliInTmux(['webapps/app03', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--requests', '30'], {columns: 100, rows: 30, after: 'sleep 2'});
		await toMaintain(session, 'webapps/app03');
		expect(await bed.send('set server webapps/app03 state ready')).toBe('\n');
		const screen = (await session.waitForScreen((current) => /Someone\s+else\s+changed/.test(current) && /Do\s+not\s+start\s+the\s+work/.test(current))).replace(/\s+/g, ' ');
		expect(screen).toMatch(/webapps\/app03 is not drained \(in rotation, admin flags none\), as HAProxy has shown at every read since \d\d:\d\d:\d\d\. Do not start the work until HAProxy shows it drained\./);
		expect(screen).not.toContain('still drained');
		// Compared without white space: the note wraps wherever the terminal's width falls.
		const after = (await session.press('q', (current) => current.replace(/\s+/g, '').includes('Themaintenanceisnotfinished'))).replace(/\s+/g, '');
		expect(after).toMatch(
			/^webapps\/app03isnotdrained\(inrotation,adminflagsnone\),asHAProxyshowedat\d\d:\d\d:\d\d:itwentbackintorotationduringthemaintenance\.Someoneelsechangedwebapps\/app03on\S+admin\.sock:itisready\(noadminflags\)now,wasFDRAIN\.Themaintenanceisnotfinished;tostartagain:drainboardwebapps\/app03/,
		);
		expect(after).not.toContain('Quitanyway');
		expect(await session.exited()).toBe(0);
		expect(readJournal(journal).entries.at(-1)).toMatchObject({event: 'quit', detail: expect.stringMatching(/^quit after the drain was undone outside this wizard: webapps\/app03 is not drained/)});
	});

	// Retried once, each attempt from a fresh journal and app02 in rotation: on loaded 2-core CI it
	// failed about once in twenty runs, with two different symptoms (stuck at maintain alarming "it is
	// FDRAIN now, was ready"; a blank screen after q instead of the note), never reproduced here, even
	// under load. Known and open (see the journal dump below when it fails); a retry that passes is
	// still the whole behaviour checked.
	let attempt = 0;
	it('a drain set back by someone else after it was gone runs confirm again, journaled; once the maintenance ended, a later drain of its server is not its own', {retry: 1, timeout: 120_000}, async () => {
		const journal = `${bed.dir}/drained-again-${attempt++}.jsonl`;
		await session?.kill();
		expect(await bed.send('set server webapps/app02 state ready')).toBe('\n');
		session = await startCliInTmux(['webapps/app02', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--requests', '30'], {columns: 100, rows: 30, after: 'sleep 2'});
		await toMaintain(session, 'webapps/app02');
		// Someone puts it in rotation, then drains it again: the sessions it took meanwhile are not proven gone.
		expect(await bed.send('set server webapps/app02 state ready')).toBe('\n');
		await session.waitForScreen((current) => /Someone\s+else\s+changed/.test(current));
		expect(await bed.send('set server webapps/app02 state drain')).toBe('\n');
		// Once failed on a loaded 2-core CI (the wizard stayed at maintain, alarming "it is FDRAIN now, was ready"),
		// not reproduced since: a timeout says first what the journal recorded, which the screen cuts off.
		let screen = await session.waitForScreen((current) => checklist(current).includes('✓ drain › ▶ confirm')).catch((error: unknown) => {
			const recorded = readJournal(journal).entries.slice(-6).map((entry) => `${entry.step ?? '-'} ${entry.event} ${entry.detail ?? entry.check ?? ''}`);
			throw new Error(`journal: ${recorded.join(' | ')}; ${String(error)}`);
		});
		expect(screen.replace(/\s+/g, ' ')).toContain('HAProxy shows webapps/app02 drained again, set by someone else after it was out of this drain: confirm runs again');
		expect(screen).not.toContain('Do the work now');
		expect(readJournal(journal).entries.at(-1)).toMatchObject({event: 'alarm', step: 'maintain', detail: 'webapps/app02 is drained again, set outside this maintenance after its drain was gone: confirm runs again'});
		await session.press('Enter', (current) => checklist(current).includes('✓ confirm › ▶ maintain'), 30_000);
		await session.press('Enter', (current) => checklist(current).includes('▶ restore'), 15_000);
		await session.press('Enter', 'set server webapps/app02 state ready');
		await session.press('y', 'maintenance complete', 30_000);
		const ended = readJournal(journal).entries.length;
		// After the end, someone drains it by hand: no alarm of the ended maintenance, and q asks nothing.
		expect(await bed.send('set server webapps/app02 state drain')).toBe('\n');
		await session.waitForScreen((current) => / ◐ app02 .* DRAIN/.test(current));
		screen = (
			await session.press('q', (current) => current.replace(/\s+/g, '').includes('drainedagainafterthismaintenanceended')).catch((error: unknown) => {
				const recorded = readJournal(journal).entries.slice(-4).map((entry) => `${entry.step ?? '-'} ${entry.event} ${entry.detail ?? entry.check ?? ''}`);
				throw new Error(`journal: ${recorded.join(' | ')}; ${String(error)}`);
			})
		).replace(/\s+/g, ' ');
		expect(screen).toMatch(/webapps\/app02 is drained \(out of rotation\), as HAProxy showed at \d\d:\d\d:\d\d: drained again after this maintenance ended, so not by it\. drainboard status says whose drain it is\./);
		expect(screen).not.toContain('Quit anyway');
		expect(await session.exited()).toBe(0);
		expect(readJournal(journal).entries.length).toBe(ended);
		expect(await bed.send('set server webapps/app02 state ready')).toBe('\n');
	});

	it('ends its maintenance when another operator takes its drain over and restores it: says who, offers no re-apply, and Esc goes back to the grid', async () => {
		const alice = `${bed.dir}/alice.jsonl`;
		await session?.kill();
		session = await startCliInTmux(['webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', alice, '--requests', '30'], {columns: 100, rows: 30, after: 'sleep 2'});
		await toMaintain(session, 'webapps/app01');

		// bob, with a journal of his own, takes the drain over and restores it, with restore's checks.
		const bob = await runCli(['restore', 'webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/bob.jsonl`, '--yes', '--take-over', '--requests', '30']);
		expect(bob.code, bob.stderr).toBe(0);
		const screen = await session.waitForScreen((current) => current.includes('taken over') && !current.includes('Someone else changed'));
		const flat = screen.replace(/\s+/g, ' ');
		expect(flat).toMatch(/webapps\/app01 is back in rotation: \S+ took this maintenance's drain over and put it back into rotation at \d\d:\d\d:\d\d, with restore's checks\. This maintenance is over; the journal closes it\./);
		expect(flat).not.toContain('re-apply');
		expect(flat).toContain('Ended by another operator\'s restore (above): nothing is left for this maintenance to do.');
		expect(flat).toContain('Enter back to the grid, on the next server · q quit');
		await session.press('Escape', 'Enter select');
		expect(adminStates(await bed.send('show servers state webapps'))['webapps/app01']).toBe('0');
		const events = readJournal(alice).entries;
		expect(events.filter((entry) => entry.event === 'abandoned')).toEqual([
			expect.objectContaining({step: 'maintain', detail: expect.stringMatching(/^the drain was taken over: webapps\/app01 is back in rotation: \S+ took this maintenance's drain over/) as unknown}),
		]);
		// The grid quits without naming an unfinished maintenance: the journal closed it.
		const left = (await session.press('q', (current) => !current.includes('Enter select'))).replace(/\s+/g, ' ');
		expect(left).not.toContain('unfinished maintenance');
		expect(await session.exited()).toBe(0);
	});

	it("takes over a drain another journal's maintenance made: asked as such, and once quit, opened again on this journal its restore is this maintenance's (no --take-over)", async () => {
		const journal = `${bed.dir}/taking.jsonl`;
		const args = ['api/api1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal];
		await session?.kill();
		const drain = await runCli(['drain', 'api/api1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/theirs.jsonl`, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		try {
			session = await startCliInTmux(args, {columns: 100, rows: 30});
			await session.waitForScreen('Take it over?');
			await session.press('y', (current) => checklist(current).includes('▶ confirm'));
			await session.press('Enter', (current) => checklist(current).includes('▶ maintain'), 30_000);
			await session.press('q', 'Quit anyway?');
			await session.send('y');
			expect(await session.exited()).toBe(0);
			await session.kill();

			session = await startCliInTmux(args, {columns: 100, rows: 30});
			await session.waitForScreen('Resume at maintain?');
			await session.press('y', (current) => checklist(current).includes('▶ maintain'));
			await session.press('Enter', (current) => checklist(current).includes('▶ restore'), 15_000);
			await session.press('Enter', 'set server api/api1 state ready');
			await session.press('y', 'maintenance complete');
			expect(adminStates(await bed.send('show servers state api'))['api/api1']).toBe('0');
		} finally {
			await session?.kill();
			await bed.send('set server api/api1 state ready');
		}
	});

	it("asked to take over a drain whose owner's drainboard is open on it right now: the question says so, with its pid, before any answer", async () => {
		await session?.kill();
		const owner = await startCliInTmux(['api/api1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/owner-at-work.jsonl`], {columns: 100, rows: 30});
		try {
			await toMaintain(owner, 'api/api1');
			session = await startCliInTmux(['api/api1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/second-operator.jsonl`], {columns: 100, rows: 30});
			const question = (await session.waitForScreen('Take it over?')).replace(/\s+/g, ' ');
			expect(question).toMatch(/not by a maintenance of this journal, and \S+'s drainboard \(pid \d+\) runs it now \(its last entry: [a-z-]+ at \d\d:\d\d:\d\d\)\. Take it over\?/);
			await session.kill();
			session = undefined;
			await owner.press('q', 'Quit anyway?');
			await owner.send('y');
			expect(await owner.exited()).toBe(0);
			// Its owner's restore closes it, with its drain mark: a later drain by hand is nobody's.
			const restore = await runCli(['restore', 'api/api1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/owner-at-work.jsonl`, '--yes']);
			expect(restore.code, restore.stderr).toBe(0);
		} finally {
			await owner.kill();
			await bed.send('set server api/api1 state ready');
		}
	});

	it('takes up a drain someone else made: the steps it did not run are not ticked, confirm holds the lock and says how long it watched', async () => {
		const journal = `${bed.dir}/found.jsonl`;
		const lockDir = process.env['DRAINBOARD_LOCK_DIR']!;
		await session?.kill();
		expect(await bed.send('set server api/api1 state drain')).toBe('\n');
		try {
			session = await startCliInTmux(['api/api1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {
				columns: 100,
				rows: 30,
				// The hold as shipped: long enough to read the lock file while confirm watches it.
				env: {DRAINBOARD_LOCK_DIR: lockDir, DRAINBOARD_HOLD_SECONDS: '3'},
			});
			// Nothing to resume: a drain found made is taken up, and asked as such.
			const question = (await session.waitForScreen('Take it up?')).replace(/\s+/g, ' ');
			expect(question).toContain('api/api1: HAProxy shows the target drained, and this journal has no open maintenance of it (drained by someone or something else). Take it up? A maintenance of this journal then goes on at confirm with it, and its restore puts the server back.');
			expect(question).toContain('y take it up, go on at confirm');
			expect(question).not.toContain('Resume at');
			let screen = await session.press('y', (current) => checklist(current).includes('▶ confirm'));
			expect(checklist(screen)).toBe(' – validate › – baseline › – drain › ▶ confirm › · maintain › · restore');
			await session.press('Enter', 'Watching the drain hold');
			// While confirm watches, the backend's lock file names this maintenance.
			const holders = readdirSync(lockDir)
				.filter((name) => name.endsWith('.api.lock'))
				.map((name) => readFileSync(path.join(lockDir, name), 'utf8'))
				.filter((text) => text.includes('api/api1'));
			expect(holders.length).toBeGreaterThan(0);
			expect(JSON.parse(holders[0]!)).toMatchObject({what: 'drain of api/api1'});
			screen = await session.waitForScreen((current) => checklist(current).includes('▶ maintain'), 30_000);
			expect(screen.replace(/\s+/g, ' ')).toMatch(/HAProxy still shows FDRAIN after \d+(\.\d)? s of watching \(\d+ reads; the drain was set outside this maintenance\)/);
			expect(screen).not.toContain('after the drain was set');
			expect(readdirSync(lockDir).filter((name) => name.endsWith('.api.lock') && readFileSync(path.join(lockDir, name), 'utf8').includes('api/api1'))).toEqual([]);
		} finally {
			await session?.kill();
			await bed.send('set server api/api1 state ready');
		}
	});
});
