import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {InstanceSnapshot} from '../../source/model/types.js';
import {headlessResultSchema} from '../../source/headless/result-schema.js';
import {serverFields, statusJsonSchema, type StatusJson} from '../../source/headless/status-schema.js';
import {createRuntimeClient} from '../../source/poll/client.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {poolConfig, poolDemos} from '../fixtures/pool.cfg.js';
import {adminStates, rawServersState, rawStat} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';

let bed: TestBed;

beforeAll(async () => {
	bed = await startTestBed({demos: poolDemos, config: poolConfig});
	expect(await bed.send('set server webapps/app02 state drain')).toBe('\n');
	// And every checked server's status settled: right after start it is transitional (3.4.0 shows
	// `UP 0/3` until a server's health is full, t1's as well as api-1.v2's), and the test compares
	// two reads taken a moment apart.
	await waitFor('the dead server to be seen down, api-1.v2 up, no status in transition', async () => {
		const dump = await bed.send('show stat api.v2-pool 4 -1');
		const all = await bed.send('show stat -1 4 -1');
		return dump.includes(',DOWN,') && /^api\.v2-pool,api-1\.v2,(?:[^,]*,){15}UP,/m.test(dump) && dump.includes(',L4OK,') && !/,(?:UP|DOWN) \d+\/\d+,/.test(all) ? true : undefined;
	});
});

afterAll(async () => {
	await bed?.stop();
});

/** Real `status --json` output, held to the one schema of its contract (strict: no field more or less). */
const statusJson = (stdout: string): StatusJson => statusJsonSchema.parse(JSON.parse(stdout));

describe('drainboard status --json against a real HAProxy', () => {
	it('prints exactly what HAProxy reports, in the contract shape', async () => {
		const result = await runCli(['status', '--socket', bed.adminSocket, '--json']);
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		const json = statusJson(result.stdout);
		const states = rawServersState(await bed.send('show servers state'));
		const stats = rawStat(await bed.send('show stat'));
		const info = Object.fromEntries(
			(await bed.send('show info'))
				.split('\n')
				.filter((line) => line.includes(': '))
				.map((line) => line.split(': ') as [string, string]),
		);

		expect(json.instances).toEqual([{socket: bed.adminSocket, pid: Number(info['Pid']), version: info['Version'], startTime: Number(info['Start_time_sec'])}]);
		expect(json.servers.map((server) => Object.keys(server))).toEqual(states.map(() => serverFields));
		for (const [index, state] of states.entries()) {
			const stat = stats.find((row) => row['pxname'] === state['be_name'] && row['svname'] === state['srv_name'])!;
			expect(json.servers[index]).toMatchObject({
				socket: bed.adminSocket,
				backend: state['be_name'],
				server: state['srv_name'],
				address: state['srv_addr'],
				port: Number(state['srv_port']),
				opState: Number(state['srv_op_state']),
				adminState: Number(state['srv_admin_state']),
				userWeight: Number(state['srv_uweight']),
				initialWeight: Number(state['srv_iweight']),
				status: stat['status'],
				currentSessions: Number(stat['scur']),
				totalSessions: Number(stat['stot']),
			});
		}
	});

	it('decodes the drained, disabled, backup, tracking and oddly named servers', async () => {
		const json = statusJson((await runCli(['status', '--socket', bed.adminSocket, '--json'])).stdout);
		const byName = new Map(json.servers.map((server) => [`${server.backend}/${server.server}`, server]));
		expect(byName.get('webapps/app02')).toMatchObject({adminState: 8, adminFlags: ['FDRAIN'], status: 'DRAIN', opStateName: 'running', checkStatus: 'L7OK'});
		expect(byName.get('webapps/app03')).toMatchObject({adminFlags: ['FMAINT', 'CMAINT'], status: 'MAINT', opStateName: 'stopped'});
		expect(byName.get('webapps/app01-shadow')).toMatchObject({adminFlags: [], status: 'UP', checkStatus: null});
		expect(byName.get('api.v2-pool/api:2')).toMatchObject({status: 'no check', checkStatus: null});
		expect(byName.get('api.v2-pool/api-1.v2')).toMatchObject({status: 'UP', checkStatus: 'L4OK'});
		expect(byName.get('api.v2-pool/dead')).toMatchObject({opStateName: 'stopped', status: 'DOWN', checkStatus: 'L4CON'});
		expect(byName.has('webapps/spare')).toBe(true);
		// Drained by hand (socat, in beforeAll): listed, and no maintenance is named for it.
		expect(json.drains).toEqual([{socket: bed.adminSocket, server: 'webapps/app02', by: null}]);
	});

	it('reads the same through the TCP admin socket and narrows to one backend', async () => {
		const result = await runCli(['status', '--socket', `127.0.0.1:${bed.tcpPort}`, '--backend', 'api.v2-pool', '--json']);
		expect(result.code).toBe(0);
		const json = statusJson(result.stdout);
		expect(json.servers.map((server) => server.server)).toEqual(['api-1.v2', 'api:2', 'dead']);
		expect(json.instances[0]!.socket).toBe(`127.0.0.1:${bed.tcpPort}`);
	});

	it('finds the admin socket in --config when --socket is not given', async () => {
		const result = await runCli(['status', '--config', bed.configPath, '--json']);
		expect(result.code).toBe(0);
		expect(statusJson(result.stdout).instances[0]!.socket).toBe(bed.adminSocket);
	});

	it('prints a plain table without escape codes when stdout is not a terminal', async () => {
		const result = await runCli(['status', '--socket', bed.adminSocket]);
		expect(result.code).toBe(0);
		expect(result.stdout).not.toContain('\u001B[');
		const lines = result.stdout.trimEnd().split('\n');
		expect(lines[0]).toContain(bed.adminSocket);
		expect(lines[1]).toMatch(/^BACKEND\/SERVER\s+ADDRESS\s+STATUS\s+ADMIN\s+WT\s+SESS\s+CHECK$/);
		expect(lines.find((line) => line.startsWith('webapps/app02 '))).toMatch(/DRAIN\s+drain\s+1\s+0\s+L7OK/);
		expect(lines.find((line) => line.startsWith('webapps/spare '))).toMatch(/backup/);
		expect(result.stdout.trimEnd().split('\n\n').at(-1)).toBe(
			['Drained, and whose maintenance (from the drain marks on this host):', '  webapps/app02: no drainboard maintenance names it (drained by hand or by', '    another tool)'].join('\n'),
		);
		expect(Math.max(...lines.slice(1).map((line) => line.length))).toBeLessThanOrEqual(80);
	});
});

describe('drainboard status on a backend with no server serving', () => {
	it('says so under the table, as the grid does; the other backends are not named', async () => {
		expect(await bed.send('set server tcp-svc/t1 state maint')).toBe('\n');
		try {
			const result = await runCli(['status', '--socket', bed.adminSocket]);
			expect(result.code, result.stderr).toBe(0);
			const said = result.stdout.split('\n').filter((line) => line.startsWith('✗ '));
			expect(said).toEqual(['✗ tcp-svc has no server serving (none up and in rotation, backups included): HAProxy closes its new connections.']);
			// --json says it too: the whole instance (written as the dump arrives) and one backend (from a snapshot).
			expect(statusJson((await runCli(['status', '--socket', bed.adminSocket, '--json'])).stdout).unserved).toEqual([{socket: bed.adminSocket, backend: 'tcp-svc'}]);
			expect(statusJson((await runCli(['status', '--socket', bed.adminSocket, '--backend', 'tcp-svc', '--json'])).stdout).unserved).toEqual([{socket: bed.adminSocket, backend: 'tcp-svc'}]);
			expect(statusJson((await runCli(['status', '--socket', bed.adminSocket, '--backend', 'webapps', '--json'])).stdout).unserved).toEqual([]);
		} finally {
			expect(await bed.send('set server tcp-svc/t1 state ready')).toBe('\n');
		}

		const after = await runCli(['status', '--socket', bed.adminSocket]);
		expect(after.stdout).not.toContain('has no server serving');
		expect(statusJson((await runCli(['status', '--socket', bed.adminSocket, '--json'])).stdout).unserved).toEqual([]);
	});
});

describe('drainboard status errors', () => {
	it('exits 3 and says the --socket path does not exist, without asking for the --socket it was given', async () => {
		const result = await runCli(['status', '--socket', `${bed.dir}/missing.sock`]);
		expect(result.code).toBe(3);
		expect(result.stdout).toBe('');
		expect(result.stderr).toBe(`No HAProxy socket at ${bed.dir}/missing.sock (the path does not exist); check the path, or that HAProxy is running with "stats socket ${bed.dir}/missing.sock".\n`);
	});

	it('exits 3 and says the --master path does not exist, without asking for the --master it was given', async () => {
		const result = await runCli(['status', '--master', `${bed.dir}/missing-master.sock`]);
		expect(result.code).toBe(3);
		expect(result.stdout).toBe('');
		expect(result.stderr).toBe(`No HAProxy master CLI at ${bed.dir}/missing-master.sock (the path does not exist); check the path, or that HAProxy is running with "-S ${bed.dir}/missing-master.sock".\n`);
	});

	it('with one --socket that exists and one that does not, names the missing one and leaves HAProxy unchanged', async () => {
		const before = adminStates(await bed.send('show servers state'));
		const result = await runCli(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--socket', `${bed.dir}/gone.sock`, '--config', bed.configPath, '--journal', `${bed.dir}/gone.jsonl`, '--yes']);
		expect(result.code).toBe(3);
		expect(result.stderr).toContain(`No HAProxy socket at ${bed.dir}/gone.sock (the path does not exist); check the path, or that HAProxy is running with "stats socket ${bed.dir}/gone.sock".`);
		expect(result.stderr).not.toContain('pass --socket');
		expect(adminStates(await bed.send('show servers state'))).toEqual(before);
	});

	it('names an unknown backend and the backends HAProxy has, with exit 2', async () => {
		const result = await runCli(['status', '--socket', bed.adminSocket, '--backend', 'nosuch']);
		expect(result.code).toBe(2);
		expect(result.stdout).toBe('');
		expect(result.stderr).toMatch(new RegExp(`^HAProxy at ${bed.adminSocket} has no backend nosuch; it has webapps, \\S.*\\.\\n$`));
	});

	it.each([['webapps;set server webapps/app01 state maint'], ['webapps\nset server webapps/app01 state maint'], ['web\\apps'], ['']])(
		'refuses the hostile backend %j with exit 2 and leaves HAProxy unchanged',
		async (backend) => {
			const before = adminStates(await bed.send('show servers state'));
			const result = await runCli(['status', '--socket', bed.adminSocket, '--backend', backend]);
			expect(result.code).toBe(2);
			expect(result.stdout).toBe('');
			expect(result.stderr.trim().split('\n')).toHaveLength(1);
			expect(adminStates(await bed.send('show servers state'))).toEqual(before);
		},
	);

	it.each([
		['not-found', 2, (bed: TestBed) => ['--socket', bed.adminSocket, '--backend', 'nosuch'], 'has no backend nosuch; it has webapps'],
		['invalid-name', 2, (bed: TestBed) => ['--socket', bed.adminSocket, '--backend', 'web;apps'], 'characters HAProxy does not allow'],
		['usage', 2, (bed: TestBed) => ['--socket', bed.adminSocket, '--timeout', '-1'], '--timeout must be more than 0 seconds'],
		['usage', 2, (bed: TestBed) => ['--socket', bed.adminSocket, 'webapps'], '"status" takes no target'],
		['unreachable', 3, (bed: TestBed) => ['--socket', `${bed.dir}/missing.sock`], `missing.sock`],
	] as const)('with --json, error %s (exit %d) is one object of status\'s own schema, its message stderr\'s sentence', async (code, exit, args, message) => {
		const before = adminStates(await bed.send('show servers state'));
		const result = await runCli(['status', ...args(bed), '--json']);
		expect(result.code).toBe(exit);
		expect(result.stdout.split('\n')).toHaveLength(2);
		const json = statusJson(result.stdout);
		expect(json).toEqual({instances: [], servers: [], differences: [], drains: [], lostDrains: [], unserved: [], error: {code, message: expect.stringContaining(message) as string}});
		expect(json.error!.message).toBe(result.stderr.trim());
		// Not drain's object: no ok, changed, target, steps.
		expect(headlessResultSchema.safeParse(JSON.parse(result.stdout)).success).toBe(false);
		expect(adminStates(await bed.send('show servers state'))).toEqual(before);
	});

	it('with --json, a snapshot has no error field', async () => {
		const json = statusJson((await runCli(['status', '--socket', bed.adminSocket, '--backend', 'webapps', '--json'])).stdout);
		expect(json.error).toBeUndefined();
		expect(json.servers.length).toBeGreaterThan(0);
		expect(statusJsonSchema.safeParse({...json, error: {code: 'usage', message: 'x'}}).success).toBe(false);
	});

	it('refuses a bad flag value in one sentence', async () => {
		const result = await runCli(['status', '--socket', bed.adminSocket, '--timeout', '-1']);
		expect(result.code).toBe(2);
		expect(result.stderr).toBe('--timeout must be more than 0 seconds; see drainboard --help.\n');
	});
});

describe('drainboard status into a pipe that closes early', () => {
	it('stops quietly, without a stack trace', async () => {
		const {spawn} = await import('node:child_process');
		const {cliPath} = await import('../helpers/run-cli.js');
		const result = await new Promise<{code: number | null; stderr: string}>((resolve) => {
			const child = spawn(process.execPath, [cliPath, 'status', '--socket', bed.adminSocket], {stdio: ['ignore', 'pipe', 'pipe']});
			let stderr = '';
			child.stderr.on('data', (chunk: Buffer) => {
				stderr += chunk.toString();
			});
			// The reader is gone before drainboard writes: its write meets EPIPE.
			child.stdout.destroy();
			child.on('close', (code) => {
				resolve({code, stderr});
			});
		});
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
	});
});

describe('the Runtime API client, full read after full read', () => {
	it('reads each change into the buffers of the last read, and keeps nothing of the reads before', async () => {
		const client = createRuntimeClient(parseEndpoint(bed.adminSocket), {timeoutMs: 5000});
		const spare = (snapshot: InstanceSnapshot) => snapshot.backends.find((backend) => backend.name === 'webapps')?.servers.find((server) => server.server === 'spare');
		let first: InstanceSnapshot | undefined = await client.snapshot();
		const firstServer = new WeakRef(spare(first)!);
		first = undefined;
		try {
			for (const state of ['drain', 'maint', 'ready'] as const) {
				expect(await bed.send(`set server webapps/spare state ${state}`)).toBe('\n');
				const flags = {drain: ['FDRAIN'], maint: ['FMAINT'], ready: []}[state];
				expect(spare(await client.snapshot())?.adminFlags).toEqual(flags);
			}
		} finally {
			await bed.send('set server webapps/spare state ready');
		}

		// Each read reuses the buffers of the one before; it must not keep the read itself, nor
		// through it every read and every server before it (as a live grid polls for hours).
		v8.setFlagsFromString('--expose-gc');
		(vm.runInNewContext('gc') as () => void)();
		expect(firstServer.deref()).toBeUndefined();
	});
});

describe('--socket given as a relative path', () => {
	it('is resolved against the current directory and named by its full path', async () => {
		const relative = path.join(path.basename(bed.dir), 'admin.sock');
		const result = await runCli(['status', '--socket', relative, '--json'], {cwd: path.dirname(bed.dir)});
		expect(result.stderr).toBe('');
		expect(result.code).toBe(0);
		const json = statusJson(result.stdout);
		expect(json.instances.map((instance) => instance.socket)).toEqual([bed.adminSocket]);
		expect(json.servers.length).toBeGreaterThan(0);

		const table = await runCli(['status', '--socket', `./${relative}`], {cwd: path.dirname(bed.dir)});
		expect(table.code).toBe(0);
		expect(table.stdout.split('\n')[0]).toMatch(new RegExp(`^${bed.adminSocket} {2}HAProxy `));
	});
});
