import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {parseOptions} from '../../source/options.js';
import {readJournal} from '../../source/runbook/journal.js';
import {beginMaintenance, prepareMaintenance} from '../../source/runbook/prepare.js';
import {runStep} from '../../source/runbook/run-step.js';
import {parseTarget} from '../../source/runtime/names.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';
import {waitFor} from '../helpers/wait-for.js';

let bed: TestBed;
let session: TmuxSession | undefined;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
	// Every server of webapps has passed its first checks, so the probe traffic reaches each.
	await waitFor('webapps checked UP', async () => ((await bed.send('show stat webapps 4 -1')).split('\n').filter((row) => /,UP,.*,L7OK,/.test(row)).length === 3 ? true : undefined));
});

afterEach(async () => {
	await session?.kill();
	session = undefined;
	await bed.demo('app01').start().catch(() => undefined);
	await bed.send('set server webapps/app01 state ready');
});

afterAll(async () => {
	await bed?.stop();
});

const admin = async () => adminStates(await bed.send('show servers state webapps'))['webapps/app01'];
const statusOf = async () => (await bed.send('show stat webapps 4 1')).split('\n').find((row) => row.startsWith('webapps,app01,')) ?? '';
const down = async () => waitFor('HAProxy to see app01 DOWN', async () => ((await statusOf()).includes(',DOWN') ? true : undefined));
const serving = async () => waitFor('HAProxy to see app01 healthy', async () => ((await statusOf()).includes(',DRAIN,') ? true : undefined));
const checklist = (screen: string) => screen.split('\n').find((line) => line.startsWith(' ') && line.includes('validate ›')) ?? '';
const flat = (screen: string) => screen.replace(/\n\s*/g, ' ');

describe('restore never sends "state ready" to a server that is not healthy', () => {
	it('headless: maintain passed earlier, the service stopped since: restore refuses, sends nothing, and the server stays drained', async () => {
		const journal = `${bed.dir}/headless.jsonl`;
		const common = ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal, '--yes'];
		expect((await runCli(['drain', 'webapps/app01', ...common])).code).toBe(0);
		// An earlier restore run got as far as maintain (the work done, the service healthy) and stopped there.
		const options = parseOptions({socket: [bed.adminSocket], config: bed.configPath, journal});
		const earlier = await prepareMaintenance(options, parseTarget('webapps/app01'), {interactive: false});
		expect(earlier.resume?.step).toBe('maintain');
		beginMaintenance(earlier.context, earlier.resume);
		expect(await runStep('maintain', earlier.context, {dispatch() {}, ask: async () => true})).toBe('passed');
		earlier.context.journal.close();

		await bed.demo('app01').stop();
		await down();
		const result = await runCli(['restore', 'webapps/app01', ...common]);
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/→ the maintenance that \S+ started at .* drained it; it goes on at restore\./);
		expect(result.stderr).toMatch(
			/✗ restore · Ready command: webapps\/app01 is not healthy now \(DOWN · L4CON \(.+\)\), so "state ready" was not sent by this maintenance; bring the service back, and restore once its health check passes\./,
		);
		expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^webapps\/app01 is DRAINED now/);
		expect(await admin()).toBe('8');
		expect(readJournal(journal).entries.filter((entry) => entry.command?.endsWith('state ready'))).toEqual([]);
	});

	it('wizard: maintain passed, then the service stopped: restore refuses; a ready question open when it stops is withdrawn', async () => {
		const journal = `${bed.dir}/wizard.jsonl`;
		session = await startCliInTmux(['webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 100, rows: 30});
		await session.waitForScreen('Enter run validate');
		for (const next of ['baseline', 'drain', 'confirm', 'maintain', 'restore']) {
			await session.press('Enter');
			if (next === 'confirm') {
				await session.waitForScreen('y send it');
				await session.press('y');
			}

			await session.waitForScreen((screen) => checklist(screen).includes(`▶ ${next}`), 20_000);
		}

		await bed.demo('app01').stop();
		await down();
		await session.press('Enter');
		let screen = await session.waitForScreen((current) => flat(current).includes('so "state ready" was not sent by this maintenance'));
		expect(flat(screen)).toMatch(/✗ Ready command: webapps\/app01 is not healthy now \(DOWN · L4CON/);
		expect(screen).not.toContain('y send it');
		expect(await admin()).toBe('8');

		await bed.demo('app01').start();
		await serving();
		await session.press('Enter');
		await session.waitForScreen('set server webapps/app01 state ready');
		await bed.demo('app01').stop();
		screen = await session.waitForScreen((current) => flat(current).includes('The question was withdrawn'));
		// Withdrawn at the first failed check (DRAIN 1/2 · L4CON) or once HAProxy marks it DOWN, whichever poll sees first.
		expect(flat(screen)).toMatch(/The question was withdrawn: webapps\/app01 is no longer healthy \((DOWN|DRAIN \d\/\d) · L4CON \(.+\)\), so "state ready" was not sent by this maintenance/);
		expect(screen).not.toContain('y send it');
		expect(await admin()).toBe('8');
		expect(readJournal(journal).entries.filter((entry) => entry.command?.endsWith('state ready'))).toEqual([]);

		await bed.demo('app01').start();
		await serving();
		await session.press('Enter');
		await session.waitForScreen('set server webapps/app01 state ready');
		await session.press('y');
		await session.waitForScreen('maintenance complete', 15_000);
		expect(await admin()).toBe('0');
	});
});
