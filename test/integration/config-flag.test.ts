import {writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {headlessResultSchema} from '../../source/headless/result-schema.js';
import {routesJsonSchema} from '../../source/headless/routes-json.js';
import {statusJsonSchema} from '../../source/headless/status-schema.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {startForwardingSocket} from '../helpers/forwarding-socket.js';
import {runCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';

/** The project's own README: text, not HAProxy's configuration. */
const readme = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');

let bed: TestBed;

beforeAll(async () => {
	bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
});

afterAll(async () => {
	await bed?.stop();
});

/** Every command that takes --config, with what it needs besides. */
const commands = (journal: string) => [
	['status'],
	['status', '--backend', 'webapps'],
	['drain', 'webapps/app01', '--yes', '--journal', journal],
	['drain', 'webapps/app01', '--yes', '--dry-run', '--journal', journal],
	['restore', 'webapps/app01', '--yes', '--journal', journal],
	['roll', 'webapps', '--exec', 'true', '--yes', '--journal', journal],
	['routes'],
];

describe('--config with no frontend, listen or backend section', () => {
	it.each([
		['the project README', () => readme],
		['/etc/passwd', () => '/etc/passwd'],
		['a file of only comments and a global section', () => {
			const file = path.join(bed.dir, 'global-only.cfg');
			writeFileSync(file, `# just a global section\nglobal\n    stats socket ${bed.adminSocket} level admin\n`);
			return file;
		}],
	])('%s: every command refuses it with exit 2 in one sentence, and asks HAProxy nothing', async (_name, file) => {
		const config = file();
		const socket = await startForwardingSocket(bed.adminSocket, () => 'forward');
		try {
			for (const args of commands(path.join(bed.dir, 'not-config.jsonl'))) {
				// Without --socket too, where the socket would come from --config; only for the commands that change nothing.
				for (const socketFlags of args[0] === 'status' || args[0] === 'routes' ? [['--socket', socket.path], []] : [['--socket', socket.path]]) {
					const run = await runCli([...args, ...socketFlags, '--config', config]);
					expect({args, code: run.code, stderr: run.stderr, stdout: run.stdout}).toEqual({
						args,
						code: 2,
						stderr: `${config} has no frontend, listen or backend section; pass --config with the HAProxy configuration that defines the backends.\n`,
						stdout: '',
					});
				}
			}

			expect(socket.forwarded).toEqual([]);
			expect(socket.connections).toBe(0);
		} finally {
			await socket.close();
		}
	});

	it('a --config that does not exist is refused the same way by every command, before HAProxy is asked anything', async () => {
		const missing = path.join(bed.dir, 'no-such.cfg');
		const socket = await startForwardingSocket(bed.adminSocket, () => 'forward');
		try {
			for (const args of commands(path.join(bed.dir, 'missing-config.jsonl'))) {
				const run = await runCli([...args, '--socket', socket.path, '--config', missing]);
				expect({args, code: run.code, stderr: run.stderr}).toEqual({args, code: 2, stderr: `${missing} does not exist; pass --config with the file HAProxy runs.\n`});
			}

			expect(socket.connections).toBe(0);
		} finally {
			await socket.close();
		}
	});

	it('a --config that never ends (/dev/zero) is read no further than 64 MiB and refused, exit 2, HAProxy not asked', async () => {
		const socket = await startForwardingSocket(bed.adminSocket, () => 'forward');
		try {
			for (const args of [['routes'], ['status']]) {
				const run = await runCli([...args, '--socket', socket.path, '--config', '/dev/zero']);
				expect({args, code: run.code, stderr: run.stderr}).toEqual({args, code: 2, stderr: '/dev/zero is larger than 64 MiB, more than any configuration; pass --config with the file HAProxy runs.\n'});
			}

			expect(socket.connections).toBe(0);
		} finally {
			await socket.close();
		}
	});

	it('with --json, each command prints one object of its own schema with the error: status and routes theirs, drain its own', async () => {
		const sentence = `${readme} has no frontend, listen or backend section; pass --config with the HAProxy configuration that defines the backends.`;
		const status = await runCli(['status', '--socket', bed.adminSocket, '--config', readme, '--json']);
		expect(status.code).toBe(2);
		expect(statusJsonSchema.parse(JSON.parse(status.stdout))).toEqual({instances: [], servers: [], differences: [], drains: [], lostDrains: [], unserved: [], error: {code: 'usage', message: sentence}});
		const routes = await runCli(['routes', '--config', readme, '--json']);
		expect(routes.code).toBe(2);
		expect(routesJsonSchema.parse(JSON.parse(routes.stdout))).toEqual({config: null, routes: [], error: {code: 'usage', message: sentence}});
		const unknown = await runCli(['routes', '--config', bed.configPath, '--backend', 'nosuch', '--json']);
		expect(unknown.code).toBe(2);
		expect(routesJsonSchema.parse(JSON.parse(unknown.stdout))).toMatchObject({config: null, routes: [], error: {code: 'not-found', message: expect.stringContaining('has no backend or listen section nosuch; it has ') as string}});
		const drain = await runCli(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--config', readme, '--journal', path.join(bed.dir, 'json.jsonl'), '--yes', '--json']);
		expect(drain.code).toBe(2);
		expect(headlessResultSchema.parse(JSON.parse(drain.stdout))).toMatchObject({ok: false, changed: false, target: 'webapps/app01', error: {code: 'usage', message: sentence}});
	});

	it('HAProxy configuration is still taken: status and routes with the bed\'s own file', async () => {
		const status = await runCli(['status', '--config', bed.configPath]);
		expect(status.code, status.stderr).toBe(0);
		expect(status.stdout).toContain('webapps/app01');
		const routes = await runCli(['routes', '--config', bed.configPath, '--backend', 'webapps']);
		expect(routes.code, routes.stderr).toBe(0);
		expect(routes.stdout).toContain(`http://127.0.0.1:${bed.frontendPort}/`);
	});
});
