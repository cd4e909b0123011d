import {readFileSync} from 'node:fs';
import type net from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {createRuntimeClient} from '../../source/poll/client.js';
import {parseName} from '../../source/runtime/names.js';
import {onWorker, parseMasterEndpoint} from '../../source/runtime/endpoint.js';
import {decodeShowProc, discoverWorkers} from '../../source/runtime/master.js';
import {startLocalSocket, type LocalSocket} from '../helpers/local-socket.js';

const afterReload = readFileSync(new URL('../fixtures/haproxy-2.6.12/show-proc-after-reload.txt', import.meta.url), 'utf8');

let local: LocalSocket | undefined;
afterEach(async () => {
	await local?.close();
	local = undefined;
});

/** Answers like a master CLI: only after the client closed its side. */
async function startMaster(answer: (line: string) => string): Promise<LocalSocket> {
	return startLocalSocket((line, socket: net.Socket) => {
		socket.once('end', () => {
			socket.end(answer(line));
		});
	});
}

describe('show proc', () => {
	it('reads the master, the current workers and the old ones of a real reply (HAProxy 2.6, after a reload)', () => {
		expect(decodeShowProc(afterReload)).toEqual({
			master: {pid: 1970, type: 'master', reloads: 1, uptime: '0d00h01m21s', version: '2.6.12-1+deb12u4'},
			workers: [{pid: 3233, type: 'worker', reloads: 0, uptime: '0d00h00m02s', version: '2.6.12-1+deb12u4'}],
			oldWorkers: [{pid: 1971, type: 'worker', reloads: 1, uptime: '0d00h01m21s', version: '2.6.12-1+deb12u4'}],
		});
	});

	it('is undefined for anything that is not show proc', () => {
		expect(decodeShowProc('Unknown command: show proc\n')).toBeUndefined();
		expect(decodeShowProc('#<PID> <type>\nnot-a-pid worker 0 x y\n')).toBeUndefined();
		expect(decodeShowProc('')).toBeUndefined();
	});

	it('addresses each current worker, names them and the old ones left alone', async () => {
		local = await startMaster(() => afterReload);
		const found = await discoverWorkers(parseMasterEndpoint(local.path));
		expect(found.list.workers.map((worker) => worker.pid)).toEqual([3233]);
		expect(onWorker(parseMasterEndpoint(local.path), 3233, 1)).toEqual({kind: 'unix', path: local.path, label: `${local.path} [worker 1]`, master: true, flag: '--master', worker: 3233});
		expect(found.found).toBe(
			`Master CLI ${local.path}: worker 1 is pid 3233 (HAProxy 2.6.12-1+deb12u4); 1 old worker(s) still finishing connections (pid 1971) are left alone.`,
		);
		expect(local.received).toEqual(['show proc\n']);
	});

	it('puts @!<pid> before every command of a line, and closes its side so the master answers', async () => {
		local = await startMaster(() => 'admin\n\n');
		const client = createRuntimeClient(onWorker(parseMasterEndpoint(local.path), 3233));
		expect(await client.cliLevel()).toBe('admin');
		await client.snapshot(parseName('webapps', 'backend')).catch(() => undefined);
		expect(local.received).toEqual(['@!3233 show cli level\n', '@!3233 show info;@!3233 show servers state webapps;@!3233 show stat webapps 6 -1\n']);
	});

	it('names the master CLI and --master in its errors; a --master path that does not exist is said so, without asking for --master again', async () => {
		await expect(discoverWorkers(parseMasterEndpoint('/nonexistent/master.sock'))).rejects.toMatchObject({
			kind: 'socket-not-found',
			message: 'No HAProxy master CLI at /nonexistent/master.sock (the path does not exist); check the path, or that HAProxy is running with "-S /nonexistent/master.sock".',
		});
		expect(() => parseMasterEndpoint('bad host:x')).toThrow('The socket "bad host:x" is not a path or host:port; pass --master /run/haproxy-master.sock or --master 127.0.0.1:9999.');
	});

	it('says the worker is gone when the master no longer knows its pid', async () => {
		local = await startMaster(() => "Can't find the target PID matching the prefix '@!3233'\n");
		const client = createRuntimeClient(onWorker(parseMasterEndpoint(local.path), 3233));
		await expect(client.info()).rejects.toMatchObject({
			kind: 'worker-gone',
			exitCode: 3,
			socket: `${local.path} [worker 1]`,
			message: `The HAProxy worker 3233 behind ${local.path} [worker 1] is gone (HAProxy was reloaded or restarted).`,
		});
	});
});
