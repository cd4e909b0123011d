import {readFile, writeFile} from 'node:fs/promises';
import {readFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {adminStates, rawStat} from '../helpers/raw-haproxy.js';
import type {RoutesJson} from '../../source/headless/routes-json.js';
import {runCli} from '../helpers/run-cli.js';
import {startSecondInstance, type SecondInstance} from '../helpers/second-instance.js';
import {defaultsSection, startTestBed, type BedContext, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';

/**
 * webappsConfig with `balance roundrobin` in webapps: HAProxy 3.4 balances at random by
 * default, and ten baseline requests may then all miss the target.
 */
function roundRobin(context: BedContext): string {
	return webappsConfig(context).replace('\nbackend webapps\n', '\nbackend webapps\n    balance roundrobin\n');
}

/** roundRobin, cut in two files: global and defaults, then the proxies. */
function splitWebapps(context: BedContext): Array<{name: string; text: string}> {
	const text = roundRobin(context);
	const at = text.indexOf('frontend web');
	return [
		{name: '10-global.cfg', text: text.slice(0, at)},
		{name: '20-webapps.cfg', text: text.slice(at)},
		{name: '30-old.cfg.off', text: 'this would not parse\n'},
		{name: 'notes.txt', text: 'neither would this\n'},
	];
}

/** Waits until HAProxy has every server of webapps UP (some releases start them down until their checks pass). */
async function webappsUp(send: (line: string) => Promise<string>): Promise<void> {
	await waitFor('every webapps server UP', async () => {
		const rows = rawStat(await send('show stat webapps 4 -1')).filter((row) => row['pxname'] === 'webapps');
		return rows.length > 0 && rows.every((row) => row['status'] === 'UP') ? true : undefined;
	});
}

const validateLine = (stderr: string) => stderr.split('\n').find((line) => line.includes('validate · Configuration valid:')) ?? '';

describe('the configuration HAProxy was started with: -f conf.d/ (two .cfg files)', () => {
	let bed: TestBed;

	beforeAll(async () => {
		bed = await startTestBed({demos: webappsDemos, config: () => '', files: {texts: splitWebapps, pass: 'directory'}});
		await webappsUp(bed.send);
	});

	afterAll(async () => {
		await bed?.stop();
	});

	it('drain without --config checks exactly the files of the directory, in order, and passes', async () => {
		const drain = await runCli(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--journal', `${bed.dir}/dir.jsonl`, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		const files = ['10-global.cfg', '20-webapps.cfg'].map((name) => path.join(bed.dir, 'conf.d', name));
		const serverLine = splitWebapps(bed)[1]!.text.split('\n').findIndex((line) => line.includes('server app01')) + 1;
		expect(validateLine(drain.stderr)).toBe(
			`✓ validate · Configuration valid: haproxy -c -V -f ${files[0]} -f ${files[1]} passed (the files in the command line of HAProxy pid ${bed.haproxy.pid}); webapps/app01 is defined at ${files[1]} line ${serverLine}.`,
		);
		const proxies = splitWebapps(bed)[1]!.text.split('\n');
		const lineOf = (start: string) => proxies.findIndex((line) => line.trim().startsWith(start)) + 1;
		expect(drain.stderr).toContain(`derived from frontend web (${files[1]} line ${lineOf('frontend web')}): default_backend webapps (${files[1]} line ${lineOf('default_backend webapps')})`);
		expect(adminStates(await bed.send('show servers state'))['webapps/app01']).toBe('8');
	});

	it('a --config that is not what HAProxy loaded is checked as asked, with a warning naming both', async () => {
		const other = path.join(bed.dir, 'copy.cfg');
		const texts = splitWebapps(bed);
		await writeFile(other, texts[0]!.text + texts[1]!.text);
		const files = ['10-global.cfg', '20-webapps.cfg'].map((name) => path.join(bed.dir, 'conf.d', name));
		const drain = await runCli(['drain', 'webapps/app02', '--socket', bed.adminSocket, '--config', other, '--journal', `${bed.dir}/copy.jsonl`, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		const line = validateLine(drain.stderr);
		expect(line).toMatch(/^! validate · Configuration valid: haproxy -c -V -f \S+copy\.cfg passed/);
		expect(line).toContain(`--config ${other} is not what HAProxy pid ${bed.haproxy.pid} loaded (${files.join(', ')}); drainboard reads and checks --config as asked.`);
	});

	it('without --socket, --config naming one of the files HAProxy loaded finds that HAProxy, and says it loaded others too', async () => {
		const files = ['10-global.cfg', '20-webapps.cfg'].map((name) => path.join(bed.dir, 'conf.d', name));
		const status = await runCli(['status', '--config', files[1]!]);
		expect(status.code, status.stderr).toBe(0);
		expect(status.stderr).toContain(`Using ${bed.adminSocket}, the admin stats socket of ${files.join(', ')}, which HAProxy pid ${bed.haproxy.pid} loaded (--config ${files[1]} is one of them).`);
		expect(status.stdout).toContain('app01');
	});

	it('without --socket, a --config no HAProxy loaded that names this one\'s socket is refused (exit 2): nothing is asked or sent', async () => {
		const other = path.join(bed.dir, 'copy-no-socket.cfg');
		const texts = splitWebapps(bed);
		await writeFile(other, texts[0]!.text + texts[1]!.text);
		const before = adminStates(await bed.send('show servers state'));
		const drain = await runCli(['drain', 'webapps/app01', '--config', other, '--journal', `${bed.dir}/copy-no-socket.jsonl`, '--yes']);
		expect(drain.code, drain.stderr).toBe(2);
		expect(drain.stderr).toContain(`--config ${other} names the stats socket ${bed.adminSocket}, but the HAProxy on it (pid ${bed.haproxy.pid}) loaded ${path.join(bed.dir, 'conf.d', '10-global.cfg')}, ${path.join(bed.dir, 'conf.d', '20-webapps.cfg')}, not --config; pass --socket to say which HAProxy to change, or --config with the files it loaded.`);
		expect(adminStates(await bed.send('show servers state'))).toEqual(before);
	});
});

describe('a configuration whose target is only inside a false .if', () => {
	let bed: TestBed;

	beforeAll(async () => {
		bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
	});

	afterAll(async () => {
		await bed?.stop();
	});

	it('fails validate naming the condition (file, line), and sends nothing', async () => {
		const running = await readFile(bed.configPath, 'utf8');
		const global = running.slice(0, running.indexOf('frontend web'));
		const edited = `${global}
frontend web
    bind 127.0.0.1:${bed.frontendPort}
    use_backend api if { path_beg /api }
.if defined(UNDEFINED_VAR)
    default_backend webapps

backend webapps
    server app01 127.0.0.1:${bed.port('app01')}
.endif

backend api
    server api1 127.0.0.1:${bed.port('api1')} check inter 200
`;
		await writeFile(bed.configPath, edited);
		const ifLine = edited.split('\n').indexOf('.if defined(UNDEFINED_VAR)') + 1;
		const before = await bed.send('show servers state');
		// Defined for drainboard, not for HAProxy: the condition must be read with HAProxy's environment.
		const drain = await runCli(['drain', 'webapps/app01', '--socket', bed.adminSocket, '--journal', `${bed.dir}/if.jsonl`, '--yes'], {env: {UNDEFINED_VAR: ''}});
		expect(drain.code, drain.stderr).toBe(1);
		expect(validateLine(drain.stderr)).toContain(
			`✗ validate · Configuration valid: haproxy -c -V -f ${bed.configPath} passed, but backend webapps is only inside \`.if defined(UNDEFINED_VAR)\` (${bed.configPath} line ${ifLine}), which is false.`,
		);
		expect(drain.stderr).toContain('Nothing was changed on HAProxy by this run.');
		expect(adminStates(await bed.send('show servers state'))).toEqual(adminStates(before));
	});
});

describe('a stats socket and a frontend named only inside a false .if', () => {
	let bed: TestBed;
	let other: SecondInstance;
	let config: string;

	beforeAll(async () => {
		bed = await startTestBed({
			demos: webappsDemos,
			config: (context) => {
				const otherSocket = path.join(context.dir, 'b-admin.sock');
				return `global
.if defined(UNDEFINED_VAR)
    stats socket ${otherSocket} mode 600 level admin
.endif
    stats socket ${context.adminSocket} mode 600 level admin
    stats timeout 10s
${defaultsSection}
.if defined(UNDEFINED_VAR)
frontend other
    bind 127.0.0.1:${context.spare[0]}
    default_backend webapps
.endif

frontend web
    bind 127.0.0.1:${context.frontendPort}
    default_backend webapps

backend webapps
    option httpchk GET /
    default-server check inter 200 fall 2 rise 2
    balance roundrobin
    server app01 127.0.0.1:${context.port('app01')}
    server app02 127.0.0.1:${context.port('app02')}
`;
			},
		});
		config = bed.configPath;
		other = await startSecondInstance(bed, (context) => roundRobin({...context, frontendPort: context.spare[0]!}));
		await webappsUp(bed.send);
		await webappsUp(other.send);
	});

	afterAll(async () => {
		await other?.stop();
		await bed?.stop();
	});

	it('drains the HAProxy that loaded --config, through its real socket; the other one is never touched', async () => {
		expect(process.env['UNDEFINED_VAR']).toBeUndefined();
		const otherBefore = await other.send('show servers state');
		const drain = await runCli(['drain', 'webapps/app01', '--config', config, '--journal', `${bed.dir}/two.jsonl`, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		expect(drain.stderr).toContain(`Using ${bed.adminSocket}, the admin stats socket of --config ${config}, which HAProxy pid ${bed.haproxy.pid} loaded.`);
		expect(drain.stderr).toContain(`Traffic goes through http://127.0.0.1:${bed.frontendPort}/`);
		expect(adminStates(await bed.send('show servers state'))['webapps/app01']).toBe('8');
		expect(adminStates(otherBefore)['webapps/app01']).toBe('0');
		expect(adminStates(await other.send('show servers state'))).toEqual(adminStates(otherBefore));
	});

	it('without --socket or --config, several HAProxy processes that disagree are exit 2, asking for --socket', async () => {
		const status = await runCli(['status']);
		expect(status.code).toBe(2);
		expect(status.stderr).toMatch(/^Several HAProxy processes run here and do not agree on a stats socket \(.*\); pass --socket to choose one\.\n$/);
		expect(status.stderr).toMatch(new RegExp(`\\b${bed.haproxy.pid}\\b`));
		expect(status.stdout).toBe('');
	});
});

describe('.if conditions read with the running HAProxy environment', () => {
	let bed: TestBed;

	beforeAll(async () => {
		bed = await startTestBed({
			demos: webappsDemos,
			env: {DRAINBOARD_TEST_ROLE: 'blue'},
			config: (context) => {
				const text = roundRobin(context);
				const at = text.indexOf('\nbackend webapps') + 1;
				const end = text.indexOf('\nbackend api') + 1;
				// The frontend's bind too: blue listens on the bed's port, another role on a port nothing listens on.
				const bind = `    bind 127.0.0.1:${context.frontendPort}\n`;
				const chosen = text.slice(0, at).replace(bind, `.if streq("$DRAINBOARD_TEST_ROLE",blue)\n${bind}.else\n    bind 127.0.0.1:${context.spare[0]!}\n.endif\n`);
				return `${chosen}.if streq("$DRAINBOARD_TEST_ROLE",blue)\n${text.slice(at, end)}.else\nbackend webapps\n    server elsewhere 127.0.0.1:1\n.endif\n\n${text.slice(end)}`;
			},
		});
		await webappsUp(bed.send);
	});

	afterAll(async () => {
		await bed?.stop();
	});

	it('takes the branch HAProxy took (its /proc environ), for the check and for haproxy -c', async () => {
		expect(process.env['DRAINBOARD_TEST_ROLE']).toBeUndefined();
		const drain = await runCli(['drain', 'webapps/app03', '--socket', bed.adminSocket, '--journal', `${bed.dir}/env.jsonl`, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		expect(validateLine(drain.stderr)).toMatch(new RegExp(`^✓ validate · Configuration valid: haproxy -c -V -f ${bed.configPath} passed \\(the file in the command line of HAProxy pid ${bed.haproxy.pid}\\); webapps/app03 is defined at ${bed.configPath} line \\d+\\.$`));
	});

	it('routes, with --config or --socket, shows the probe of the branch HAProxy took, not of drainboard\'s own environment', async () => {
		expect(process.env['DRAINBOARD_TEST_ROLE']).toBeUndefined();
		for (const flags of [['--config', bed.configPath], ['--socket', bed.adminSocket], ['--socket', bed.adminSocket, '--config', bed.configPath]]) {
			const routes = await runCli(['routes', ...flags, '--backend', 'webapps', '--json']);
			expect(routes.code, routes.stderr).toBe(0);
			const json = JSON.parse(routes.stdout) as RoutesJson;
			expect(json.routes[0]?.probe?.url, flags.join(' ')).toBe(`http://127.0.0.1:${bed.frontendPort}/`);
		}
	});

	it('routes of a copy of the file, with the --socket of the HAProxy that runs it: read with that HAProxy\'s environment, and said so', async () => {
		const copy = path.join(bed.dir, 'laptop-copy.cfg');
		await writeFile(copy, readFileSync(bed.configPath, 'utf8'));
		const routes = await runCli(['routes', '--config', copy, '--socket', bed.adminSocket, '--backend', 'webapps', '--json']);
		expect(routes.code, routes.stderr).toBe(0);
		const json = JSON.parse(routes.stdout) as RoutesJson;
		expect(json.routes[0]?.probe?.url).toBe(`http://127.0.0.1:${bed.frontendPort}/`);
		const text = await runCli(['routes', '--config', copy, '--socket', bed.adminSocket, '--backend', 'webapps']);
		expect((text.stdout + text.stderr).replace(/\s+/g, ' ')).toContain(`${copy}, read with the environment of HAProxy pid ${bed.haproxy.pid}`);
	});
});

describe('a master-worker HAProxy', () => {
	let bed: TestBed;

	beforeAll(async () => {
		bed = await startTestBed({demos: webappsDemos, config: (context) => roundRobin(context), masterWorker: true});
		await webappsUp(bed.send);
	});

	afterAll(async () => {
		await bed?.stop();
	});

	it('is read through the worker, whose command line is the master one', async () => {
		const drain = await runCli(['drain', 'webapps/app02', '--master', `${bed.dir}/master.sock`, '--journal', `${bed.dir}/mw.jsonl`, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		expect(validateLine(drain.stderr)).toMatch(new RegExp(`^✓ validate · Configuration valid: haproxy -c -V -f ${bed.configPath} passed \\(the file in the command line of HAProxy pid ${bed.haproxy.pid}\\)`));
	});
});
