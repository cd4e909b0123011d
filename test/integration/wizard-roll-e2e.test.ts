import {existsSync, readFileSync} from 'node:fs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {shellWord} from '../../source/runbook/come-back.js';
import {readJournal} from '../../source/runbook/journal.js';
import {checklist} from '../helpers/checklist.js';
import {running} from '../helpers/process-state.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';
import {waitFor} from '../helpers/wait-for.js';

/** A roll from the grid: Enter on a backend row, then each server in turn through the wizard. */
let bed: TestBed;
let session: TmuxSession | undefined;

beforeAll(async () => {
	bed = await startTestBed({
		demos: ['s1', 's2', 's3'],
		config: (context) => `${context.global()}
${defaultsSection}
frontend web
    bind 127.0.0.1:${context.frontendPort}
    default_backend pool

backend pool
    balance roundrobin
    option httpchk GET /
    default-server check inter 200 fall 2 rise 2
    server s1 127.0.0.1:${context.port('s1')}
    server s2 127.0.0.1:${context.port('s2')}
    server s3 127.0.0.1:${context.port('s3')}
`,
	});
	await waitFor('every server up', async () => {
		const stat = await bed.send('show stat -1 4 -1');
		return ['pool,s1,', 'pool,s2,', 'pool,s3,'].every((start) => stat.split('\n').some((row) => row.startsWith(start) && row.includes(',UP,'))) ? true : undefined;
	});
});

afterAll(async () => {
	await session?.kill();
	await bed?.stop();
});

/** The roll's events in the journal, with their detail. */
function rollEvents(journal: string): string[] {
	return readJournal(journal)
		.entries.filter((entry) => entry.event.startsWith('roll-'))
		.map((entry) => `${entry.event} ${entry.detail ?? ''}`);
}

/** Runs the whole maintenance of the server the wizard is open on, from validate to restored. */
async function maintain(tmux: TmuxSession, label: string): Promise<string> {
	await tmux.waitForScreen('Enter run validate');
	await tmux.press('Enter', (screen) => checklist(screen).includes('▶ baseline'));
	await tmux.press('Enter', (screen) => checklist(screen).includes('▶ drain'));
	await tmux.press('Enter', `set server ${label} state drain`);
	await tmux.press('y', (screen) => checklist(screen).includes('▶ confirm'));
	await tmux.press('Enter', (screen) => checklist(screen).includes('▶ maintain') && screen.replace(/\s+/g, ' ').includes('Do the work now'));
	await tmux.press('Enter', (screen) => checklist(screen).includes('▶ restore'), 15_000);
	await tmux.press('Enter', `set server ${label} state ready`);
	return tmux.press('y', 'maintenance complete');
}

describe('a roll from the grid, in a real terminal, against a real HAProxy', () => {
	it('takes the servers of a backend one at a time: the next is offered only once the one before is back; skip and stop', async () => {
		const journal = `${bed.dir}/roll.jsonl`;
		session = await startCliInTmux(['--socket', bed.adminSocket, '--config', bed.configPath, '--url', bed.url, '--journal', journal], {columns: 100, rows: 30});
		await session.waitForScreen((screen) => / s3 /.test(screen));
		// The cursor opens on the first row, the backend's.
		expect(await session.screen()).toContain('▸ pool');
		let screen = await session.press('Enter', 'ROLL · 3 servers');
		expect(screen).toContain('ROLL · 3 servers, one at a time');
		expect(screen).toContain('s1 … · s2 … · s3 …');
		expect(screen).toContain('❯ Start the maintenance of s1');
		// What HAProxy shows of the backend now, under the choice, with the header saying how fresh it is.
		expect(screen).toMatch(/^drainboard · roll pool .* live$/m);
		expect(screen).toMatch(/● s3 .* UP /);
		expect(Object.values(adminStates(await bed.send('show servers state pool')))).toEqual(['0', '0', '0']);

		screen = await session.press('Enter', 'Enter run validate');
		// Esc from a roll's server goes back to the roll's choices, and says so.
		expect(screen).toContain('Esc back to the roll');
		expect(screen).toContain('ROLL pool · 1 of 3 · s1');
		screen = await maintain(session, 'pool/s1');
		expect(screen.replace(/\s+/g, ' ')).toContain('Enter on to the next server of the roll');

		screen = await session.press('Enter', '❯ Start the maintenance of s2');
		expect(screen).toContain('s1 ✓ · s2 … · s3 …');
		// s1 is back in rotation before s2 is offered: one server of the roll out at a time.
		expect(Object.values(adminStates(await bed.send('show servers state pool')))).toEqual(['0', '0', '0']);

		screen = await session.press(['Down', 'Enter'], '❯ Start the maintenance of s3');
		expect(screen).toContain('s1 ✓ · s2 skipped · s3 …');
		screen = await session.press('Enter', 'Enter run validate');
		expect(screen).toContain('ROLL pool · 3 of 3 · s3');
		// Esc before anything is drained: back to the roll, s3 offered again.
		screen = await session.press('Escape', '❯ Start the maintenance of s3');
		expect(screen).toContain('s3 not done');
		screen = await session.press('Enter', 'Enter run validate');
		await maintain(session, 'pool/s3');
		screen = await session.press('Enter', 'The roll of pool is over');
		expect(screen).toContain('s1 ✓ · s2 skipped · s3 ✓');
		// Counted, not "every server was taken": s2 was skipped (and is in rotation, so nothing is left out).
		expect(screen.replace(/\s+/g, ' ')).toContain('The roll of pool is over (2 of 3 done; skipped: s2).');
		expect(screen).not.toContain('Still out of rotation');
		expect(screen).toContain('❯ Back to the grid');

		await session.press('Enter', (current) => !current.includes('ROLL') && / s2 /.test(current));
		await session.send('q');
		expect(await session.exited()).toBe(0);
		expect(Object.values(adminStates(await bed.send('show servers state pool')))).toEqual(['0', '0', '0']);
		const finished = readJournal(journal)
			.entries.filter((entry) => entry.event === 'finished')
			.map((entry) => entry.target);
		expect(finished).toEqual(['pool/s1', 'pool/s3']);
		// The roll keeps its place in the journal, as the headless roll does.
		// Each start of a server is written down (s3 twice: left with Esc before anything, then started again); a skipped one is not.
		expect(rollEvents(journal)).toEqual([
			'roll-started s1,s2,s3',
			'roll-server-started s1',
			'roll-server-done s1',
			'roll-server-started s3',
			'roll-server-started s3',
			'roll-server-done s3',
			'roll-finished s1,s2,s3',
		]);
	}, 120_000);

	it('Esc on the roll stops it: back to the grid, nothing sent', async () => {
		await session?.kill();
		session = await startCliInTmux(['--socket', bed.adminSocket, '--config', bed.configPath, '--url', bed.url, '--journal', `${bed.dir}/stop.jsonl`], {columns: 80, rows: 24});
		await session.waitForScreen((screen) => / s3 /.test(screen));
		expect(await session.screen()).toContain('▸ pool');
		await session.press('Enter', '❯ Start the maintenance of s1');
		const screen = await session.press('Escape', (current) => !current.includes('ROLL'));
		expect(screen).toMatch(/ s1 /);
		await session.send('q');
		expect(await session.exited()).toBe(0);
		expect(Object.values(adminStates(await bed.send('show servers state pool')))).toEqual(['0', '0', '0']);
		// A roll opened and left before any server was started leaves nothing to take up.
		expect(existsSync(`${bed.dir}/stop.jsonl`) ? rollEvents(`${bed.dir}/stop.jsonl`) : []).toEqual([]);
	});

	it('another server of the roll out of rotation: the next is not started, said on the roll screen, until it is back', async () => {
		await session?.kill();
		expect(await bed.send('set server pool/s2 state drain')).toBe('\n');
		try {
			session = await startCliInTmux(['roll', 'pool', '--socket', bed.adminSocket, '--config', bed.configPath, '--url', bed.url, '--journal', `${bed.dir}/blocked.jsonl`], {columns: 100, rows: 30});
			await session.waitForScreen((screen) => screen.includes('❯ Start the maintenance of s1') && /◐ s2 .* DRAIN /.test(screen));
			let screen = await session.press('Enter', 'a roll takes one server out at a time');
			// Drained through the socket, by no maintenance of the journal: no maintenance to take up in the grid.
			expect(screen.replace(/\s+/g, ' ')).toContain(
				'pool/s2 is out of rotation (FDRAIN); a roll takes one server out at a time, so s1 is not started. Put s2 back first: no maintenance in this journal drained it (someone did by hand, with another tool, or with drainboard and another journal), so whoever drained it puts it back (set server pool/s2 state ready, or their drainboard restore); or skip s1.',
			);
			expect(adminStates(await bed.send('show servers state pool'))).toMatchObject({'pool/s1': '0', 'pool/s2': '8'});
			expect(await bed.send('set server pool/s2 state ready')).toBe('\n');
			await session.waitForScreen((current) => /● s2 .* UP /.test(current));
			// Drained by a maintenance of the journal, left open: the grid takes it up.
			const common = ['--socket', bed.adminSocket, '--config', bed.configPath, '--url', bed.url, '--journal', `${bed.dir}/blocked.jsonl`];
			const drained = await runCli(['drain', 'pool/s2', ...common, '--yes']);
			expect(drained.code, drained.stderr).toBe(0);
			await session.waitForScreen((current) => /◐ s2 .* DRAIN /.test(current));
			screen = await session.press('Enter', 'takes up its maintenance');
			expect(screen.replace(/\s+/g, ' ')).toContain('Put s2 back first (stop the roll, then Enter on s2 in the grid takes up its maintenance), or skip s1.');
			const restored = await runCli(['restore', 'pool/s2', ...common, '--yes']);
			expect(restored.code, restored.stderr).toBe(0);
		} finally {
			await bed.send('set server pool/s2 state ready');
		}

		await session.waitForScreen((screen) => /● s2 .* UP /.test(screen));
		// Back in rotation: the same choice, taken again, starts s1.
		await session.press('Enter', 'Enter run validate');
		await session.press('Escape', '❯ Start the maintenance of s1');
		await session.press('q', (screen) => !screen.includes('ROLL'));
		expect(await session.exited()).toBe(0);
	});

	it('drainboard roll pool takes up the roll a headless roll left: s1 done is not offered again; s2, left drained by its failed --exec, resumes at maintain', async () => {
		await session?.kill();
		session = undefined;
		const journal = `${bed.dir}/taken-up.jsonl`;
		const common = ['--socket', bed.adminSocket, '--config', bed.configPath, '--url', bed.url, '--journal', journal];
		const headless = await runCli(['roll', 'pool', ...common, '--yes', '--exec', 'test "$DRAINBOARD_SERVER" != s2']);
		expect(headless.code, headless.stderr).toBe(1);
		expect(headless.stderr).toContain('The roll of pool stopped at s2');
		expect(adminStates(await bed.send('show servers state pool'))).toMatchObject({'pool/s1': '0', 'pool/s2': '8', 'pool/s3': '0'});
		// Leaving the grid, the way back to s2 is its roll's: taken up, it resumes s2, then s3.
		session = await startCliInTmux(common, {columns: 100, rows: 30});
		await session.waitForScreen((current) => /◐ s2 .* DRAIN/.test(current));
		await session.send('q');
		expect(await session.exited()).toBe(0);
		const note = (await session.screen()).replace(/\n/g, '');
		expect(note).toMatch(/It is part of the roll of pool that \S+ started at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; to take the roll up again: /);
		expect(note).toContain(`to take the roll up again: drainboard roll pool ${common.join(' ')}`);
		await session.kill();

		session = await startCliInTmux(['roll', 'pool', ...common], {columns: 100, rows: 30});
		let screen = await session.waitForScreen((current) => current.includes('❯ Start the maintenance of s2') && /◐ s2 .* DRAIN/.test(current));
		expect(screen).toContain('s1 ✓ · s2 … · s3 …');
		// Left drained by the failed --exec: skipping it would leave it out, said before the choice.
		expect(screen.replace(/\s+/g, ' ')).toContain('s2 is out of rotation now (FDRAIN): skipping it leaves it out, and this roll does not put it back.');
		expect(screen.replace(/\s+/g, ' ')).toMatch(/Taking up the roll of pool that \S+ started at .*: s1 done then, not touched again\./);
		screen = await session.press('Enter', '❯ y resume at maintain');
		expect(screen).toContain('ROLL pool · 2 of 3 · s2');
		await session.press('Enter', (current) => checklist(current).includes('▶ maintain'));
		await session.press('Enter', (current) => checklist(current).includes('▶ restore'), 15_000);
		await session.press('Enter', 'set server pool/s2 state ready');
		await session.press('y', 'maintenance complete');
		screen = await session.press('Enter', '❯ Start the maintenance of s3');
		expect(screen).toContain('s1 ✓ · s2 ✓ · s3 …');
		// ↓ ↓ Enter typed ahead in one go: Stop the roll, back to the grid.
		await session.press(['Down', 'Down', 'Enter'], (current) => !current.includes('ROLL') && / s3 /.test(current));
		await session.send('q');
		expect(await session.exited()).toBe(0);
		expect(Object.values(adminStates(await bed.send('show servers state pool')))).toEqual(['0', '0', '0']);
		expect(rollEvents(journal)).toEqual([
			'roll-started s1,s2,s3',
			'roll-server-started s1',
			'roll-server-done s1',
			'roll-server-started s2',
			expect.stringMatching(/^roll-stopped s2: --exec exited with 1/),
			'roll-resumed s1,s2,s3',
			// s2's maintenance, which the roll began, is taken up: not begun again.
			'roll-server-done s2',
			'roll-stopped s3: the operator stopped the roll before it',
		]);
		// The same roll, headless now: only s3 is left, and s1, s2 are not touched again.
		const rest = await runCli(['roll', 'pool', ...common, '--yes', '--exec', 'true']);
		expect(rest.code, rest.stderr).toBe(0);
		expect(rest.stderr).toContain('– 1 of 3 · s1: done earlier in this roll; not touched.');
		expect(rest.stderr).toContain('– 2 of 3 · s2: done earlier in this roll; not touched.');
		expect(rest.stderr).toContain('── 3 of 3 · s3');
	}, 120_000);

	it('drainboard roll pool --exec in a terminal: the output on screen at maintain; exit 0 is the work done, a failure leaves the server drained until Enter', async () => {
		await session?.kill();
		session = undefined;
		const journal = `${bed.dir}/exec.jsonl`;
		const command = 'echo "patching $DRAINBOARD_SERVER on port $DRAINBOARD_PORT"; test "$DRAINBOARD_SERVER" != s2';
		session = await startCliInTmux(['roll', 'pool', '--servers', 's1,s2', '--socket', bed.adminSocket, '--config', bed.configPath, '--url', bed.url, '--journal', journal, '--exec', command], {columns: 100, rows: 30});
		let screen = await session.waitForScreen('❯ Start the maintenance of s1');
		expect(screen.replace(/\s+/g, ' ')).toContain(`at maintain it runs --exec: ${command}`);
		for (const server of ['s1', 's2']) {
			await session.press('Enter', 'Enter run validate');
			await session.press('Enter', (current) => checklist(current).includes('▶ baseline'));
			await session.press('Enter', (current) => checklist(current).includes('▶ drain'));
			await session.press('Enter', `set server pool/${server} state drain`);
			await session.press('y', (current) => checklist(current).includes('▶ confirm'));
			// Confirm passes, and the command runs by itself: no Enter at maintain.
			screen = await session.press('Enter', (current) => current.includes(`patching ${server} on port ${bed.port(server)}`) && current.includes('--exec exited with'), 20_000);
			if (server === 's1') {
				expect(screen).toContain('✓ --exec exited with 0: the work is done');
				screen = await session.waitForScreen((current) => checklist(current).includes('▶ restore'), 15_000);
			} else {
				expect(screen.replace(/\s+/g, ' ')).toContain('✗ --exec exited with 1: pool/s2 stays DRAINED (out of rotation). Do the work by hand, then press Enter');
				expect(checklist(screen)).toContain('▶ maintain');
				expect(adminStates(await bed.send('show servers state pool'))).toMatchObject({'pool/s2': '8'});
				// The operator did the work by hand: Enter, and maintain waits for the health check.
				screen = await session.press('Enter', (current) => checklist(current).includes('▶ restore'), 15_000);
			}

			await session.press('Enter', `set server pool/${server} state ready`);
			await session.press('y', 'maintenance complete');
			screen = await session.press('Enter', server === 's1' ? '❯ Start the maintenance of s2' : 'The roll of pool is over (2 of 2 done)');
		}

		await session.press('Enter', (current) => !current.includes('ROLL'));
		await session.send('q');
		expect(await session.exited()).toBe(0);
		expect(Object.values(adminStates(await bed.send('show servers state pool')))).toEqual(['0', '0', '0']);
		const execs = readJournal(journal)
			.entries.filter((entry) => entry.check === 'exec' && entry.verdict !== undefined)
			.map((entry) => `${entry.target} ${entry.verdict} ${entry.observed}`);
		expect(execs).toEqual(['pool/s1 pass --exec exited with 0', 'pool/s2 fail --exec exited with 1']);
		expect(rollEvents(journal)).toEqual(['roll-started s1,s2', 'roll-server-started s1', 'roll-server-done s1', 'roll-server-started s2', 'roll-server-done s2', 'roll-finished s1,s2']);
	}, 120_000);

	it('q while --exec runs and ignores SIGTERM: drainboard ends only once the command is gone (SIGKILL after the grace)', async () => {
		await session?.kill();
		session = undefined;
		const pidFile = `${bed.dir}/stubborn.pid`;
		const command = `trap '' TERM; echo $$ > ${pidFile}; while :; do sleep 0.1; done`;
		session = await startCliInTmux(['roll', 'pool', '--servers', 's3', '--socket', bed.adminSocket, '--config', bed.configPath, '--url', bed.url, '--journal', `${bed.dir}/stubborn.jsonl`, '--exec', command], {columns: 100, rows: 30});
		try {
			await session.waitForScreen('❯ Start the maintenance of s3');
			await session.press('Enter', 'Enter run validate');
			await session.press('Enter', (current) => checklist(current).includes('▶ baseline'));
			await session.press('Enter', (current) => checklist(current).includes('▶ drain'));
			await session.press('Enter', 'set server pool/s3 state drain');
			await session.press('y', (current) => checklist(current).includes('▶ confirm'));
			await session.press('Enter', (current) => current.includes('--exec running…'), 20_000);
			const shell = await waitFor('the command to start', () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) || undefined : undefined), 20_000);
			expect(running(shell)).toBe(true);
			// The way back is the roll's (taken up, it resumes s3, then the rest), not s3's wizard alone.
			const comeBack = `drainboard roll pool --exec ${shellWord(command)} --socket ${bed.adminSocket} --config ${bed.configPath} --url ${bed.url} --journal ${bed.dir}/stubborn.jsonl`;
			await session.press('q', 'Quit anyway?');
			await session.send('y');
			expect(await session.exited()).toBe(0);
			// drainboard returned only after its command was gone, though the command ignored SIGTERM.
			expect(running(shell)).toBe(false);
			// The note on the way out, wrapped at the pane's width: read joined.
			expect((await session.screen()).replace(/\n/g, '')).toContain(`To resume: ${comeBack}`);
		} finally {
			await bed.send('set server pool/s3 state ready');
		}
	}, 120_000);
});
