import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {poolConfig, poolDemos} from '../fixtures/pool.cfg.js';
import {runCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {checklist} from '../helpers/checklist.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';

let bed: TestBed;
let session: TmuxSession | undefined;

beforeAll(async () => {
	bed = await startTestBed({demos: poolDemos, config: poolConfig});
});

afterAll(async () => {
	await bed?.stop();
});

afterEach(async () => {
	await session?.kill();
	session = undefined;
	await bed.send('set server webapps/app01 state ready');
});

const line = (screen: string, server: string) => screen.split('\n').find((row) => row.includes(` ${server} `)) ?? '';

describe('the live grid in a real terminal, against a real HAProxy', () => {
	it('follows a drain made from outside (within its next polls), and q leaves with exit 0', async () => {
		session = await startCliInTmux(['--socket', bed.adminSocket]);
		let screen = await session.waitForScreen((current) => /● app01 .* UP /.test(line(current, 'app01')));
		expect(screen.split('\n')[0]).toMatch(/^drainboard {2}HAProxy \d+\.\d+\.\d+ {2}pid \d+ {2}\/tmp\/.*admin\.sock +live$/);
		expect(screen).toMatch(/▸ webapps +4\/5 up · 4 serving/);

		expect(await bed.send('set server webapps/app01 state drain')).toBe('\n');
		screen = await session.waitForScreen((current) => /◐ app01 .* DRAIN +drain /.test(line(current, 'app01')), 5000);
		expect(line(screen, 'app01-shadow')).toMatch(/DRAIN +drain via app01/);

		await session.send('q');
		expect(await session.exited()).toBe(0);
		expect((await session.screen()).trim()).toBe('');
	});

	it('shows a stale banner while HAProxy is stopped and recovers when it is back', async () => {
		session = await startCliInTmux(['--socket', bed.adminSocket]);
		await session.waitForScreen('app01');
		await bed.stopHaproxy();
		try {
			const screen = await session.waitForScreen('unreachable since');
			expect(screen).toMatch(/✗ .*admin\.sock unreachable since \d\d:\d\d:\d\d — retrying/);
			expect(screen).toMatch(/STALE \d+s/);
			expect(screen).toContain('app01');
		} finally {
			await bed.startHaproxy();
		}

		const recovered = await session.waitForScreen((current) => !current.includes('unreachable') && / (?:live|updated \d+s ago)$/m.test(current.split('\n')[0] ?? ''));
		expect(recovered).toContain('app01');
		await session.send('q');
		expect(await session.exited()).toBe(0);
	});

	it('lays out at 200x50 with the wide columns', async () => {
		session = await startCliInTmux(['--socket', bed.adminSocket], {columns: 200, rows: 50});
		const screen = await session.waitForScreen((current) => / dead .* L4CON .* Layer4 connection problem/.test(current));
		expect(line(screen, 'app02')).toMatch(/ L7OK /);
		expect(screen).toMatch(/REQS +UP\/DOWN +CHECK DETAIL/);
		expect(screen.split('\n')[0]).toMatch(/3 backends · 9 servers +live$/);
		expect(Math.max(...screen.split('\n').map((row) => row.length))).toBeLessThanOrEqual(200);
	});

	it('opens the wizard on Enter, and goes back with Esc before anything is done', async () => {
		session = await startCliInTmux(['--socket', bed.adminSocket, '--journal', `${bed.dir}/grid.jsonl`]);
		await session.waitForScreen('app01');
		const wizard = await session.press(['j', 'j', 'Enter'], 'Enter run validate');
		expect(wizard.split('\n')[0]).toMatch(/^drainboard · webapps\/app02 /);
		expect(checklist(wizard)).toBe(' ▶ validate › · baseline › · drain › · confirm › · maintain › · restore');
		await session.press('Escape', 'Enter select');
	});

	it('uses colour, and none with NO_COLOR, keeping the cursor visible', async () => {
		session = await startCliInTmux(['--socket', bed.adminSocket]);
		await session.waitForScreen('app01');
		expect(await session.screen(true)).toMatch(/\u001B\[(?:3[0-7]|9[0-7])m/);
		await session.kill();
		session = await startCliInTmux(['--socket', bed.adminSocket], {env: {NO_COLOR: '1'}});
		await session.waitForScreen('app01');
		const styled = await session.screen(true);
		expect(styled).not.toMatch(/\u001B\[(?:3[0-7]|9[0-7]|38;)/);
		expect(styled).toMatch(/\u001B\[(?:[0-9]+;)*7m/);
	});

	it('refuses to start without a terminal, in one sentence, with exit 2', async () => {
		const result = await runCli(['--socket', bed.adminSocket]);
		expect(result.code).toBe(2);
		expect(result.stderr).toBe('The interactive app needs a terminal, and stdin is not one; use "drainboard status" for a snapshot, or drain/restore with --yes in scripts.\n');
	});
});
