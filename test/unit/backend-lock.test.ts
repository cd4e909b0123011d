import {mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, it} from 'vitest';
import type {RuntimeClient} from '../../source/poll/client.js';
import {BackendBusyError, BackendLock, lockDirectory} from '../../source/runbook/backend-lock.js';
import {instanceKeys, socketKey} from '../../source/runbook/instance-keys.js';
import {scratchDir} from '../helpers/scratch.js';

/** A client that only answers `show info`, for the lock's instance names, and says its socket. */
const client = (pid: number, node = 'lb1', socket = `/run/haproxy-${pid}.sock`): RuntimeClient =>
	({socket, info: async () => ({name: 'HAProxy', version: '2.6.12', pid, uptimeSeconds: 1, startTime: null, stopping: false, node})}) as unknown as RuntimeClient; // only socket and info are used by the lock

const tempDir = () => scratchDir('drainboard-lock-');

describe('the backend lock', () => {
	it('lets one drainboard at a time change a backend, and names the holder to the other', async () => {
		const dir = tempDir();
		const alice = new BackendLock({dir, backend: 'webapps', clients: [client(4242)], user: 'alice'});
		const bob = new BackendLock({dir, backend: 'webapps', clients: [client(4242)], user: 'bob'});
		expect(await alice.take('drain of webapps/app02')).toBeNull();
		const refusal = await bob.take('drain of webapps/app01').catch((error: unknown) => error);
		expect(refusal).toBeInstanceOf(BackendBusyError);
		expect((refusal as Error).message).toMatch(new RegExp(`^webapps is being changed by alice \\(pid ${process.pid}, drain of webapps/app02 since \\d\\d:\\d\\d:\\d\\d\\); try again when it is done\\.$`));
		expect(bob.isHeld).toBe(false);

		// One file by the worker's pid, one by the socket (the same across a reload with -sf).
		const [file, bySocket] = readdirSync(dir).sort();
		expect(file).toBe('drainboard.lb1-pid4242.webapps.lock');
		expect(bySocket).toBe(`drainboard.${socketKey('lb1', '/run/haproxy-4242.sock')}.webapps.lock`);
		expect(statSync(path.join(dir, file!)).mode & 0o777).toBe(0o666);
		expect(JSON.parse(readFileSync(path.join(dir, file!), 'utf8'))).toMatchObject({user: 'alice', pid: process.pid, what: 'drain of webapps/app02'});

		alice.release();
		expect(readdirSync(dir)).toEqual([]);
		expect(await bob.take('drain of webapps/app01')).toBeNull();
		bob.release();
	});

	it('locks one HAProxy whatever socket reaches it, and other backends or instances not at all', async () => {
		const dir = tempDir();
		const one = new BackendLock({dir, backend: 'webapps', clients: [client(4242)], user: 'alice'});
		await one.take('drain of webapps/app01');
		await expect(new BackendLock({dir, backend: 'webapps', clients: [client(4242, 'lb1', '/run/other.sock'), client(4242, 'lb1', '/run/other.sock')], user: 'bob'}).take('drain of webapps/app02')).rejects.toThrow(BackendBusyError);
		// The same socket path, another process (a reload with -sf and no master): the same instance.
		await expect(new BackendLock({dir, backend: 'webapps', clients: [client(5353, 'lb1', '/run/haproxy-4242.sock')], user: 'bob'}).take('drain of webapps/app02')).rejects.toThrow(BackendBusyError);
		const api = new BackendLock({dir, backend: 'api', clients: [client(4242)], user: 'bob'});
		expect(await api.take('drain of api/api1')).toBeNull();
		const elsewhere = new BackendLock({dir, backend: 'webapps', clients: [client(777)], user: 'bob'});
		expect(await elsewhere.take('drain of webapps/app02')).toBeNull();
		for (const lock of [one, api, elsewhere]) {
			lock.release();
		}
	});

	it('never shows what a hostile lock file says, and never follows a symbolic link', async () => {
		const dir = tempDir();
		const file = path.join(dir, 'drainboard.lb1-pid1.webapps.lock');
		const holder = new BackendLock({dir, backend: 'webapps', clients: [client(1)], user: 'alice'});
		await holder.take('drain of webapps/app01');
		writeFileSync(file, JSON.stringify({user: '\u001B]0;PWNED\u0007', pid: 1, host: os.hostname(), what: 'x', since: new Date().toISOString()}));
		const refusal = await new BackendLock({dir, backend: 'webapps', clients: [client(1)]}).take('drain').catch((error: unknown) => error);
		expect((refusal as Error).message).toBe('webapps is being changed by another drainboard (its lock file does not say who); try again when it is done.');
		holder.release();

		const linked = tempDir();
		mkdirSync(path.join(linked, 'target'));
		symlinkSync(path.join(linked, 'target', 'passwd'), path.join(linked, 'drainboard.lb1-pid1.webapps.lock'));
		const error = await new BackendLock({dir: linked, backend: 'webapps', clients: [client(1)]}).take('drain').catch((error_: unknown) => error_);
		expect((error as Error).message).toBe(
			`The lock file ${path.join(linked, 'drainboard.lb1-pid1.webapps.lock')} cannot be opened because it is a symbolic link; fix or remove it, or set DRAINBOARD_LOCK_DIR to a directory every operator can write.`,
		);
		expect(readdirSync(path.join(linked, 'target'))).toEqual([]);
	});

	it('names its holder to a reader without taking it (a dry run), from the kernel\'s table of locks', async () => {
		const dir = tempDir();
		const reader = new BackendLock({dir, backend: 'webapps', clients: [client(4242)], user: 'bob'});
		expect(await reader.holder()).toBeNull();
		expect(readdirSync(dir)).toEqual([]);

		const alice = new BackendLock({dir, backend: 'webapps', clients: [client(4242)], user: 'alice'});
		await alice.take('drain of webapps/app02');
		const file = path.join(dir, readdirSync(dir)[0]!);
		const written = readFileSync(file, 'utf8');
		expect(await reader.holder()).toMatch(new RegExp(`^alice \\(pid ${process.pid}, drain of webapps/app02 since \\d\\d:\\d\\d:\\d\\d\\)$`));
		expect(reader.isHeld).toBe(false);
		expect(readFileSync(file, 'utf8')).toBe(written);
		await expect(new BackendLock({dir, backend: 'webapps', clients: [client(4242)], user: 'carol'}).take('drain')).rejects.toThrow(BackendBusyError);
		alice.release();
		expect(await reader.holder()).toBeNull();

		// A file naming a holder that no longer holds it (killed before it could empty it) is not a lock.
		writeFileSync(file, JSON.stringify({user: 'dave', pid: process.pid, host: os.hostname(), what: 'drain of webapps/app01', since: new Date().toISOString()}));
		expect(await reader.holder()).toBeNull();
		// Without the kernel's table, the holder a file names counts while its process runs.
		const withoutTable = new BackendLock({dir, backend: 'webapps', clients: [client(4242)], user: 'bob', locksTable: path.join(dir, 'no-such-table')});
		expect(await withoutTable.holder()).toMatch(/^dave \(pid \d+, drain of webapps\/app01 since /);
	});

	it('lives in $DRAINBOARD_LOCK_DIR, else /run/lock', () => {
		expect(lockDirectory({DRAINBOARD_LOCK_DIR: '/srv/locks'})).toBe('/srv/locks');
		expect(lockDirectory({})).toBe('/run/lock');
	});
});

describe('instance names for the lock', () => {
	/** A /proc with a worker (pid 20, started at tick 500, 5 s after boot) and its parent. */
	function proc(parentCommand: string): string {
		const dir = tempDir();
		writeFileSync(path.join(dir, 'stat'), 'cpu  1 2 3\nbtime 1764000000\n');
		mkdirSync(path.join(dir, '20'));
		mkdirSync(path.join(dir, '10'));
		const fields = (pid: number, command: string, parent: number, start: number) => `${pid} (${command}) S ${parent} ${Array.from({length: 17}, () => '0').join(' ')} ${start} 0 0`;
		writeFileSync(path.join(dir, '20', 'stat'), fields(20, 'haproxy', 10, 500));
		writeFileSync(path.join(dir, '10', 'stat'), fields(10, parentCommand, 1, 100));
		return dir;
	}

	it('adds the master, whose pid a reload keeps, when /proc shows this very worker under a HAProxy master', () => {
		expect(instanceKeys({pid: 20, startTime: 1_764_000_005, node: 'lb1'}, proc('haproxy'))).toEqual(['lb1-pid20', 'lb1-master10']);
	});

	it('keeps to the pid when the worker is not this host\'s process, or has no HAProxy parent', () => {
		expect(instanceKeys({pid: 20, startTime: 1_700_000_000, node: 'lb1'}, proc('haproxy'))).toEqual(['lb1-pid20']);
		expect(instanceKeys({pid: 20, startTime: 1_764_000_005, node: 'lb1'}, proc('systemd'))).toEqual(['lb1-pid20']);
		expect(instanceKeys({pid: 99, startTime: null, node: 'lb/../1'}, proc('haproxy'))).toEqual(['lb_.._1-pid99']);
	});

	it('names the socket by its real directory: a symlinked way to the same socket is the same name, another path or address is not', () => {
		const dir = tempDir();
		mkdirSync(path.join(dir, 'real'));
		symlinkSync(path.join(dir, 'real'), path.join(dir, 'link'));
		const key = socketKey('lb1', path.join(dir, 'real', 'admin.sock'));
		expect(key).toMatch(/^lb1-sock[0-9a-f]{16}$/);
		expect(socketKey('lb1', path.join(dir, 'link', 'admin.sock'))).toBe(key);
		expect(socketKey('lb1', path.join(dir, 'real', 'other.sock'))).not.toBe(key);
		expect(socketKey('lb1', '127.0.0.1:9999')).not.toBe(socketKey('lb1', '127.0.0.1:9998'));
	});
});
