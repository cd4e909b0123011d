import {symlinkSync} from 'node:fs';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {resolveConfig, type InstanceFacts} from '../../source/config/config-source.js';
import {findDefaultSocket} from '../../source/config/default-socket.js';
import {readRunningProcess, runningConfigOf, type RunningProcess} from '../../source/config/running-haproxy.js';
import {statsSockets} from '../../source/config/stats-socket.js';
import {UsageError} from '../../source/errors.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {FakeProc} from '../helpers/fake-proc.js';

let fake: FakeProc;

beforeEach(() => {
	fake = new FakeProc();
});

afterEach(() => {
	fake.remove();
});

const running = async (pid: number) => {
	const process = await readRunningProcess(pid, fake.reader, fake.proc);
	if ('problem' in process) {
		throw new Error(process.problem);
	}

	return process;
};

const filesOf = async (process: RunningProcess) => runningConfigOf(process, fake.reader, fake.proc);

describe('the files a running HAProxy loaded, from /proc/<pid>', () => {
	it('takes each -f in order, relative to its directory, a directory as HAProxy expands it', async () => {
		const run = fake.write('run', null);
		fake.write('run/haproxy.cfg', 'global\n');
		for (const name of ['20-b.cfg', '10-a.cfg', 'B.cfg', '.hidden.cfg', 'x.cfg.bak', 'a.cfg.cfg', 'notes.txt', '.cfg']) {
			fake.write(`run/conf.d/${name}`, '');
		}

		fake.write('run/conf.d/sub.cfg', null);
		fake.write('other.cfg', '');
		symlinkSync(path.join(fake.dir, 'other.cfg'), path.join(run, 'conf.d', 'link.cfg'));
		fake.add({pid: 4242, argv: ['/usr/sbin/haproxy', '-Ws', '-f', 'haproxy.cfg', '-f', 'conf.d/', '-p', '/run/haproxy.pid'], cwd: run, env: {ROLE: 'blue', PATH: '/usr/bin'}});
		const process = await running(4242);
		expect(process).toMatchObject({pid: 4242, exe: '/usr/sbin/haproxy', parentPid: 1, args: {masterWorker: true}});
		expect(process.environment).toEqual(new Map([['ROLE', 'blue'], ['PATH', '/usr/bin']]));
		expect(await filesOf(process)).toMatchObject({
			cwd: run,
			files: ['haproxy.cfg', 'conf.d/10-a.cfg', 'conf.d/20-b.cfg', 'conf.d/B.cfg', 'conf.d/link.cfg'].map((name) => path.join(run, name)),
		});
	});

	it('resolves relative paths against an absolute -C when the directory cannot be read', async () => {
		const etc = fake.write('etc/haproxy', null);
		fake.write('etc/haproxy/haproxy.cfg', '');
		fake.add({pid: 7, argv: ['haproxy', '-C', etc, '-f', 'haproxy.cfg'], cwd: '/'});
		fake.deny(7, 'cwd');
		expect(await filesOf(await running(7))).toMatchObject({files: [path.join(etc, 'haproxy.cfg')], cwd: etc});
	});

	it("uses the master's directory for a chrooted worker with the same command line", async () => {
		const run = fake.write('run', null);
		fake.write('run/haproxy.cfg', '');
		const argv = ['haproxy', '-W', '-f', 'haproxy.cfg', '-S', '/run/master.sock'];
		fake.add({pid: 10, argv, cwd: run});
		fake.add({pid: 11, argv, cwd: '/', root: '/var/empty', parentPid: 10});
		expect(await filesOf(await running(11))).toMatchObject({files: [path.join(run, 'haproxy.cfg')], cwd: run});
	});

	it('says why when it cannot tell', async () => {
		fake.add({pid: 20, argv: ['haproxy', '-f', 'haproxy.cfg'], cwd: '/srv'});
		fake.deny(20, 'cwd');
		expect(await filesOf(await running(20))).toEqual({problem: 'HAProxy pid 20 loaded the relative path haproxy.cfg, and the directory of HAProxy pid 20 is not readable by this user'});

		fake.add({pid: 21, argv: ['haproxy', '-f', 'haproxy.cfg'], cwd: '/', root: '/var/lib/haproxy'});
		expect(await filesOf(await running(21))).toEqual({problem: 'HAProxy pid 21 loaded the relative path haproxy.cfg, and HAProxy pid 21 is chrooted to /var/lib/haproxy, so the directory it started in cannot be read'});

		fake.add({pid: 22, argv: ['haproxy', '-f', '/nonexistent/haproxy.cfg'], cwd: '/'});
		expect(await filesOf(await running(22))).toEqual({problem: '/nonexistent/haproxy.cfg (from the command line of HAProxy pid 22) does not exist'});

		fake.add({pid: 23, argv: ['haproxy', '-db'], cwd: '/'});
		expect(await filesOf(await running(23))).toEqual({problem: 'HAProxy pid 23 was started without -f, so its command line names no configuration file'});

		fake.add({pid: 24, argv: ['/usr/bin/python3', 'app.py'], cwd: '/'});
		expect(await readRunningProcess(24, fake.reader, fake.proc)).toEqual({problem: 'process 24 on this host is python3, not HAProxy (HAProxy runs on another host or in another PID namespace)'});
		expect(await readRunningProcess(25, fake.reader, fake.proc)).toEqual({problem: 'no process 25 is visible on this host (HAProxy runs on another host or in another PID namespace)'});

		fake.add({pid: 26, argv: ['haproxy', '-f', '/etc/haproxy/haproxy.cfg'], cwd: '/'});
		fake.deny(26, 'cmdline');
		expect(await readRunningProcess(26, fake.reader, fake.proc)).toEqual({problem: 'the command line of HAProxy pid 26 is not readable by this user'});
		fake.deny(26, 'environ');
	});
});

describe('which configuration drainboard reads and checks', () => {
	const instance = (pid: number | null, socket = '/run/haproxy/admin.sock', version: string | null = '2.6.12'): InstanceFacts => ({socket, endpoint: parseEndpoint(socket), pid, version});
	const resolve = async (config: string | undefined, instances: InstanceFacts[]) => resolveConfig({config, haproxy: '/bin/true'}, instances, {reader: fake.reader, proc: fake.proc, buildInfo: async () => null, ownEnvironment: {}});

	beforeEach(() => {
		const run = fake.write('run', null);
		fake.write('run/haproxy.cfg', 'global\n.if defined(ROLE)\n    stats socket /run/blue.sock level admin\n.endif\nbackend web\n    server s1 10.0.0.1:80\n');
		fake.add({pid: 300, argv: ['haproxy', '-f', 'haproxy.cfg'], cwd: run, env: {ROLE: 'blue'}});
	});

	it('without --config: the files of the command line, read with its environment', async () => {
		const resolved = await resolve(undefined, [instance(300)]);
		expect(resolved).toMatchObject({origin: 'running', source: 'the file in the command line of HAProxy pid 300', warnings: [], cwd: path.join(fake.dir, 'run'), environment: {ROLE: 'blue'}});
		expect(resolved.config.files).toEqual([path.join(fake.dir, 'run', 'haproxy.cfg')]);
		expect(statsSockets(resolved.config.sections ?? []).map((socket) => socket.endpoint.label)).toEqual(['/run/blue.sock']);
	});

	it('with --config naming the same file (by another path): no warning', async () => {
		symlinkSync(path.join(fake.dir, 'run'), path.join(fake.dir, 'alias'));
		const resolved = await resolve(path.join(fake.dir, 'alias', 'haproxy.cfg'), [instance(300)]);
		expect(resolved).toMatchObject({origin: 'flag', warnings: [], source: `--config ${path.join(fake.dir, 'alias', 'haproxy.cfg')}, which HAProxy pid 300 loaded`});
	});

	it('with another --config: checks it as asked and warns, naming both', async () => {
		const other = fake.write('other.cfg', 'backend web\n');
		const resolved = await resolve(other, [instance(300)]);
		expect(resolved.origin).toBe('flag');
		expect(resolved.config.files).toEqual([other]);
		expect(resolved.warnings).toEqual([`--config ${other} is not what HAProxy pid 300 loaded (${path.join(fake.dir, 'run', 'haproxy.cfg')}); drainboard reads and checks --config as asked.`]);
	});

	it('when /proc cannot tell: says so and names what it reads instead', async () => {
		fake.deny(300, 'cmdline');
		const other = fake.write('other.cfg', 'backend web\n');
		expect((await resolve(other, [instance(300)])).warnings).toEqual([`The command line of HAProxy pid 300 is not readable by this user, so drainboard reads --config ${other} as given.`]);
		const fallback = await resolve(undefined, [instance(300)]);
		expect(fallback).toMatchObject({origin: 'default', config: {files: ['/etc/haproxy/haproxy.cfg']}});
		expect(fallback.warnings).toEqual(['The command line of HAProxy pid 300 is not readable by this user, so drainboard reads /etc/haproxy/haproxy.cfg (the default) instead; pass --config if HAProxy runs another file.']);
		expect((await resolve(undefined, [instance(300, '10.0.0.2:9999')])).warnings[0]).toBe(
			'HAProxy at 10.0.0.2:9999 runs on another host, so its command line cannot be read here, so drainboard reads /etc/haproxy/haproxy.cfg (the default) instead; pass --config if HAProxy runs another file.',
		);
		expect((await resolve(undefined, [instance(null)])).warnings[0]).toMatch(/^HAProxy at \/run\/haproxy\/admin.sock did not answer, so its command line could not be read, so drainboard reads/);
	});

	it("falls back to drainboard's own environment when HAProxy's is not readable, and says so", async () => {
		fake.deny(300, 'environ');
		const resolved = await resolve(undefined, [instance(300)]);
		expect(statsSockets(resolved.config.sections ?? [])).toEqual([]);
		expect(resolved.warnings).toEqual(['The environment of HAProxy pid 300 is not readable by this user: the configuration\'s .if conditions and "$VAR"s were evaluated with drainboard\'s own environment.']);
		expect(resolved.environment).toBeNull();
	});
});

describe('the default socket: the admin socket of what the running HAProxy loaded', () => {
	const defaultSocket = async (config?: string) => findDefaultSocket(config, {reader: fake.reader, proc: fake.proc, buildInfo: async () => null});
	const haproxy = (pid: number, name: string, extra: {argv?: string[]; global?: string; parentPid?: number} = {}) => {
		const file = fake.write(`${name}/haproxy.cfg`, `global\n${extra.global ?? ''}    stats socket /run/${name}-operator.sock level operator\n    stats socket /run/${name}.sock level admin\n`);
		fake.add({pid, argv: extra.argv ?? ['haproxy', '-W', '-f', file], cwd: '/', parentPid: extra.parentPid});
		return file;
	};

	it('takes the one running HAProxy (a master and its worker are one), and says why', async () => {
		const file = haproxy(500, 'lb');
		fake.add({pid: 501, argv: ['haproxy', '-W', '-f', file], cwd: '/', parentPid: 500});
		fake.add({pid: 502, argv: ['haproxy', '-c', '-f', '/elsewhere.cfg'], cwd: '/'});
		expect(await defaultSocket()).toEqual({endpoint: parseEndpoint('/run/lb.sock'), note: `Using /run/lb.sock, the admin stats socket of ${file}, which HAProxy pids 500, 501 loaded.`});
	});

	it('reads the running config with its .if, not a socket named in a false block', async () => {
		const file = haproxy(510, 'lb', {global: '.if defined(UNDEFINED_VAR)\n    stats socket /run/other.sock level admin\n.endif\n'});
		expect(await defaultSocket()).toMatchObject({endpoint: {path: '/run/lb.sock'}, note: expect.stringContaining(file) as unknown});
	});

	it('asks for --socket (exit 2) when several disagree; --config picks the one that loaded it', async () => {
		haproxy(520, 'blue');
		const green = haproxy(521, 'green');
		const error = await defaultSocket().catch((error: unknown) => error);
		expect(error).toBeInstanceOf(UsageError);
		expect((error as UsageError).exitCode).toBe(2);
		expect((error as UsageError).message).toBe('Several HAProxy processes run here and do not agree on a stats socket (pid 520: /run/blue.sock; pid 521: /run/green.sock); pass --socket to choose one.');
		expect(await defaultSocket(green)).toEqual({endpoint: parseEndpoint('/run/green.sock'), note: `Using /run/green.sock, the admin stats socket of --config ${green}, which HAProxy pid 521 loaded.`});
	});

	it('--config one of several files HAProxy loaded: the socket of them all, read with its environment', async () => {
		const global = fake.write('lb/conf.d/00-global.cfg', 'global\n.if defined(UNDEFINED_VAR)\n    stats socket /run/other.sock level admin\n.elif streq("${MYVAR}",yes)\n    stats socket /run/real.sock level admin\n.else\n    stats socket /run/other.sock level admin\n.endif\n');
		const extra = fake.write('lb/extra.cfg', 'backend web\n    server s1 127.0.0.1:1\n');
		fake.add({pid: 560, argv: ['haproxy', '-D', '-f', path.dirname(global), '-f', extra], cwd: '/', env: {MYVAR: 'yes'}});
		expect(await defaultSocket(path.dirname(global))).toEqual({
			endpoint: parseEndpoint('/run/real.sock'),
			note: `Using /run/real.sock, the admin stats socket of ${global}, ${extra}, which HAProxy pid 560 loaded (--config ${path.dirname(global)} is one of them).`,
		});
	});

	it('refuses (exit 2) a --config no HAProxy loaded that names the socket of one that loaded other files', async () => {
		const running = haproxy(570, 'lb');
		const copy = fake.write('copy/haproxy.cfg', 'global\n    stats socket /run/lb.sock level admin\n');
		const error = await defaultSocket(copy).catch((error: unknown) => error);
		expect(error).toBeInstanceOf(UsageError);
		expect((error as UsageError).exitCode).toBe(2);
		expect((error as UsageError).message).toBe(
			`--config ${copy} names the stats socket /run/lb.sock, but the HAProxy on it (pid 570) loaded ${running}, not --config; pass --socket to say which HAProxy to change, or --config with the files it loaded.`,
		);
	});

	it('falls back to the socket of --config, then of /etc/haproxy/haproxy.cfg, saying which and why', async () => {
		const spare = fake.write('spare.cfg', 'global\n    stats socket /run/spare.sock level admin\n');
		expect(await defaultSocket(spare)).toEqual({endpoint: parseEndpoint('/run/spare.sock'), note: `Using /run/spare.sock, the admin stats socket of ${spare}: no running HAProxy loaded --config ${spare}.`});
		fake.served.set('/etc/haproxy/haproxy.cfg', 'global\n    stats socket /run/haproxy/admin.sock mode 660 level admin\n');
		expect(await defaultSocket()).toEqual({endpoint: parseEndpoint('/run/haproxy/admin.sock'), note: 'Using /run/haproxy/admin.sock, the admin stats socket of /etc/haproxy/haproxy.cfg: no running HAProxy was found in /proc.'});
		fake.add({pid: 530, argv: ['haproxy', '-f', '/etc/haproxy/haproxy.cfg'], cwd: '/'});
		fake.deny(530, 'cmdline');
		expect((await defaultSocket()).note).toBe('Using /run/haproxy/admin.sock, the admin stats socket of /etc/haproxy/haproxy.cfg: the command line of HAProxy pid 530 is not readable by this user.');
	});
});
