import {execFileSync} from 'node:child_process';
import process from 'node:process';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {findHaproxy} from '../../source/config/find-haproxy.js';
import {releaseOf} from '../../source/decode/info.js';
import type {HeadlessResult} from '../../source/headless/report.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {defaultsSection, startTestBed, type BedContext, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';

/**
 * A frontend and a backend may share a name, and often do (`frontend web` → `backend web`).
 * `show stat web …` then answers with the frontend's rows: drainboard must read the backend's.
 * HAProxy 3.3 and later refuse such a config ("no longer supported as of 3.3"): there the test
 * checks that refusal, so the case cannot arise on them.
 */
const haproxyBin = await findHaproxy(process.env['HAPROXY_BIN']);
const release = releaseOf(execFileSync(haproxyBin, ['-v'], {encoding: 'utf8'}).split('\n')[0]!.split(' ')[2] ?? '');
const [major = 0, minor = 0] = release.split('.').map(Number);
const refused = major > 3 || (major === 3 && minor >= 3);

const config = (context: BedContext) => `${context.global()}
${defaultsSection}
frontend web
    bind 127.0.0.1:${context.frontendPort}
    default_backend web

backend web
    balance roundrobin
    option httpchk GET /
    default-server check inter 200 fall 2 rise 2
    server s1 127.0.0.1:${context.port('s1')}
    server s2 127.0.0.1:${context.port('s2')}
`;

let bed: TestBed | undefined;

if (refused) {
	describe(`HAProxy ${release}: a backend that shares its name with a frontend`, () => {
		it('is refused by HAProxy itself (from 3.3), so drainboard never meets it', async () => {
			await expect(startTestBed({demos: ['s1', 's2'], config})).rejects.toThrow(/backend 'web' has the same name as frontend 'web'/);
		});
	});
} else {
	describe(`HAProxy ${release}: a backend that shares its name with a frontend`, () => {
		beforeAll(async () => {
			bed = await startTestBed({demos: ['s1', 's2'], config});
			await waitFor('both servers up', async () => {
				const stat = await bed!.send('show stat -1 4 -1');
				return ['web,s1,', 'web,s2,'].every((start) => stat.split('\n').some((row) => row.startsWith(start) && row.includes(',UP,'))) ? true : undefined;
			});
		});

		afterAll(async () => {
			await bed?.stop();
		});

		it('HAProxy itself answers `show stat <name>` with the frontend (why drainboard asks by id)', async () => {
			const byName = await bed!.send('show stat web 6 -1');
			expect(byName.split('\n').filter((row) => row.startsWith('web,'))).toEqual([]);
		});

		it('status --backend reads the backend\'s servers and their status', async () => {
			const result = await runCli(['status', '--socket', bed!.adminSocket, '--backend', 'web', '--json']);
			expect(result.code, result.stderr).toBe(0);
			const servers = (JSON.parse(result.stdout) as {servers: Array<{server: string; status: string | null}>}).servers;
			expect(servers.map(({server, status}) => [server, status])).toEqual([
				['s1', 'UP'],
				['s2', 'UP'],
			]);
		});

		it('drains and restores web/s1 with the traffic proven by the backend\'s counters', async () => {
			const flags = ['--socket', bed!.adminSocket, '--config', bed!.configPath, '--journal', `${bed!.dir}/shared.jsonl`, '--yes', '--json', '--proof', 'probe'];
			const drain = await runCli(['drain', 'web/s1', ...flags]);
			expect(drain.code, drain.stderr).toBe(0);
			expect((JSON.parse(drain.stdout) as HeadlessResult).drained).toBe(true);
			expect(adminStates(await bed!.send('show servers state web'))['web/s1']).toBe('8');
			const restore = await runCli(['restore', 'web/s1', ...flags]);
			expect(restore.code, restore.stderr).toBe(0);
			expect(adminStates(await bed!.send('show servers state web'))['web/s1']).toBe('0');
		});
	});
}
