import {readJournal} from '../../source/runbook/journal.js';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {checklist} from '../helpers/checklist.js';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';

/**
 * Two frontends route to one backend: the wizard derives the first, and `l` lets the operator send
 * the traffic checks through the other (one firewalled, or not the one clients use).
 */
let bed: TestBed;
let session: TmuxSession | undefined;

beforeAll(async () => {
	bed = await startTestBed({
		demos: ['w1', 'w2'],
		config: (context) => `${context.global()}
${defaultsSection}
frontend fe_main
    bind 127.0.0.1:${context.frontendPort}
    default_backend web

frontend fe_admin
    bind 127.0.0.1:${context.spare[0]}
    default_backend web

backend web
    balance roundrobin
    default-server check inter 200 fall 2 rise 2
    server w1 127.0.0.1:${context.port('w1')}
    server w2 127.0.0.1:${context.port('w2')}
`,
	});
});

afterAll(async () => {
	await session?.kill();
	await bed?.stop();
});

/** Requests each frontend has taken (req_tot of its FRONTEND row). */
async function frontendRequests(): Promise<Record<string, number>> {
	const stat = await bed.send('show stat -1 1 -1');
	const [header, ...rows] = stat.trim().split('\n');
	const names = header!.replace(/^# /, '').split(',');
	const column = names.indexOf('req_tot');
	return Object.fromEntries(rows.map((row) => row.split(',')).map((fields) => [fields[0]!, Number(fields[column])]));
}

describe('choosing the listener of the traffic checks', () => {
	it('l lists the listeners the config routes to the backend; the one taken carries baseline', async () => {
		session = await startCliInTmux(['web/w1', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/listener.jsonl`, '--proof', 'probe'], {columns: 120, rows: 30});
		await session.waitForScreen('Enter run validate');
		let screen = await session.press('Enter', (current) => checklist(current).includes('▶ baseline'));
		expect(screen).toContain('Enter run baseline · l listener · ? help');
		screen = await session.press('l', 'Send the traffic checks through which listener?');
		expect(screen).toMatch(new RegExp(`❯ \\(now\\) http://127\\.0\\.0\\.1:${bed.frontendPort}/ .*frontend fe_main`));
		expect(screen).toMatch(new RegExp(`  http://127\\.0\\.0\\.1:${bed.spare[0]}/ .*frontend fe_admin`));
		await session.press(['Down', 'Enter'], (current) => !current.includes('which listener?'));
		const before = await frontendRequests();
		screen = await session.press('Enter', '✓ baseline passed', 20_000);
		expect(screen.replace(/\s+/g, ' ')).toContain(`Traffic goes through http://127.0.0.1:${bed.spare[0]}/ (derived from frontend fe_admin`);
		expect(screen.replace(/\s+/g, ' ')).toContain('chosen by the operator)');
		const after = await frontendRequests();
		expect(after['fe_admin']! - before['fe_admin']!).toBeGreaterThanOrEqual(10);
		expect(after['fe_main']! - before['fe_main']!).toBe(0);
		await session.press('Escape', (current) => !current.includes('BASELINE'));
		await session.send('q');
		expect(await session.exited()).toBe(0);
		// The choice is journaled before the checks it carried.
		const entries = readJournal(`${bed.dir}/listener.jsonl`).entries;
		const chosen = entries.findIndex((entry) => entry.check === 'listener-chosen');
		expect(entries[chosen]).toMatchObject({step: 'baseline', event: 'check', verdict: 'pass'});
		expect(entries[chosen]!.observed).toMatch(
			new RegExp(`^The operator chose http://127\\.0\\.0\\.1:${bed.spare[0]}/ \\(derived from frontend fe_admin.*\\) for the traffic checks, instead of http://127\\.0\\.0\\.1:${bed.frontendPort}/\\.$`),
		);
		expect(entries.findIndex((entry) => entry.check === 'traffic-reaches' || (entry.step === 'baseline' && entry.event === 'step-passed'))).toBeGreaterThan(chosen);
	});
});
