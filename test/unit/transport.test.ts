import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {createRuntimeClient} from '../../source/poll/client.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {RuntimeApiError} from '../../source/runtime/runtime-error.js';
import {maxLineBytes, sendLine} from '../../source/runtime/transport.js';
import {startLocalSocket, type LocalSocket} from '../helpers/local-socket.js';
import {statedWaits} from '../helpers/waited.js';

let local: LocalSocket | undefined;
afterEach(async () => {
	await local?.close();
	local = undefined;
});

const kindOf = async (promise: Promise<unknown>) =>
	promise.then(
		() => 'resolved',
		(error: unknown) => (error instanceof RuntimeApiError ? error.kind : `untyped: ${String(error)}`),
	);

describe('sendLine', () => {
	it('writes one line with its newline and reads the reply to EOF', async () => {
		local = await startLocalSocket((_line, socket) => {
			socket.end('first\nsecond\n\n');
		});
		expect(await sendLine(parseEndpoint(local.path), 'show info')).toBe('first\nsecond\n\n');
		expect(local.received).toEqual(['show info\n']);
	});

	it.each([
		['a newline', 'show info\nset server a/b state maint'],
		['a carriage return', 'show info\r'],
		['a NUL byte', 'show info\u0000'],
		['more than 4 KiB', `show servers state ${'a'.repeat(maxLineBytes)}`],
	])('refuses a line with %s without connecting', async (_case, line) => {
		local = await startLocalSocket((_line, socket) => socket.end('\n'));
		const error = await sendLine(parseEndpoint(local.path), line).catch((error_: unknown) => error_);
		expect(error).toBeInstanceOf(RuntimeApiError);
		expect((error as RuntimeApiError).kind).toBe('line-rejected');
		expect((error as RuntimeApiError).exitCode).toBe(2);
		expect(local.connections).toBe(0);
	});

	it('times out a socket that accepts and never answers, naming it', async () => {
		local = await startLocalSocket(() => undefined);
		const error = await sendLine(parseEndpoint(local.path), 'show info', {timeoutMs: 300}).catch((error_: unknown) => error_);
		expect(error).toMatchObject({kind: 'timed-out', exitCode: 3});
		expect(statedWaits((error as Error).message, 0.3)).toContain(`HAProxy at ${local.path} did not answer within 0.3 s;`);
	});

	it('maps a missing socket and a stale socket file to typed errors', async () => {
		expect(await kindOf(sendLine(parseEndpoint('/nonexistent/dir/admin.sock'), 'show info'))).toBe('socket-not-found');
		local = await startLocalSocket(() => undefined);
		const stale = local.path;
		await local.close();
		local = undefined;
		expect(await kindOf(sendLine(parseEndpoint(stale), 'show info'))).toBe('socket-not-found');
		expect(await kindOf(sendLine(parseEndpoint('127.0.0.1:1'), 'show info'))).toBe('connection-refused');
	});

	it('says a regular file given as the socket is not a socket (Linux refuses it as it refuses a dead socket)', async () => {
		const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'drainboard-file-')), 'admin.sock');
		await writeFile(file, 'not a socket\n');
		const error = await sendLine({...parseEndpoint(file), flag: '--socket'}, 'show info').catch((error_: unknown) => error_);
		expect(error).toMatchObject({kind: 'not-a-socket', exitCode: 3});
		expect((error as Error).message).toBe(`${file} is not a socket; check the path: it must be the socket HAProxy's "stats socket" line names.`);
		await rm(path.dirname(file), {recursive: true});
	});

	it('says a socket path given with --socket does not exist, and a socket drainboard found where it came from', async () => {
		const given = sendLine({...parseEndpoint('/nonexistent/dir/admin.sock'), flag: '--socket'}, 'show info');
		await expect(given).rejects.toThrow('No HAProxy socket at /nonexistent/dir/admin.sock (the path does not exist); check the path, or that HAProxy is running with "stats socket /nonexistent/dir/admin.sock".');
		const found = sendLine(parseEndpoint('/nonexistent/dir/admin.sock'), 'show info');
		await expect(found).rejects.toThrow('No HAProxy socket at /nonexistent/dir/admin.sock; check the "stats socket" line of haproxy.cfg or pass --socket.');
	});

	it('stops reading a reply larger than the cap', async () => {
		local = await startLocalSocket((_line, socket) => socket.end('x\n'.repeat(10_000)));
		expect(await kindOf(sendLine(parseEndpoint(local.path), 'show stat', {maxReplyBytes: 1000}))).toBe('reply-too-large');
	});

	it.each([
		['in one write', ['a\nb\n', 'x'.repeat(3000), '\n\n']],
		['a byte at a time', [...'a\n', ...'x'.repeat(2100)]],
		['ended in the chunk after', ['ok\n', 'x'.repeat(1500), `${'x'.repeat(600)}\nnext\n\n`]],
	])('stops reading a reply line longer than the line cap, %s, and says so in one sentence', async (_case, writes) => {
		local = await startLocalSocket((_line, socket) => {
			for (const write of writes) {
				socket.write(write);
			}

			socket.end();
		});
		const error = await sendLine(parseEndpoint(local.path), 'show info', {maxLineBytes: 2000}).catch((error_: unknown) => error_);
		expect(error).toMatchObject({kind: 'reply-too-large', exitCode: 3});
		expect((error as Error).message).toBe(
			`HAProxy at ${local.path} sent a line of more than 2 KB in reply to "show info"; no HAProxy reply has lines that long, so it was not read further. Check that ${local.path} is HAProxy's stats socket.`,
		);
	});

	it('reads lines up to the line cap', async () => {
		local = await startLocalSocket((_line, socket) => socket.end(`${'x'.repeat(2000)}\n${'y'.repeat(2000)}\n\n`));
		expect(await sendLine(parseEndpoint(local.path), 'show info', {maxLineBytes: 2000})).toHaveLength(4003);
	});

	it('can be cancelled', async () => {
		local = await startLocalSocket(() => undefined);
		const controller = new AbortController();
		const pending = sendLine(parseEndpoint(local.path), 'show info', {signal: controller.signal});
		controller.abort();
		expect(await kindOf(pending)).toBe('aborted');
	});
});

describe('RuntimeClient replies', () => {
	it('turns garbage and binary replies into a typed error naming the socket', async () => {
		local = await startLocalSocket((_line, socket) => socket.end(Buffer.from([0, 1, 2, 255, 254, 10, 10])));
		const client = createRuntimeClient(parseEndpoint(local.path));
		for (const call of [client.info(), client.serversState(), client.stat(), client.snapshot()]) {
			const error = await call.catch((error_: unknown) => error_);
			expect(error).toMatchObject({kind: 'bad-reply', exitCode: 3});
			expect((error as Error).message).toContain(local.path);
		}
	});

	it('requires the empty reply for a state change and reports anything else', async () => {
		local = await startLocalSocket((_line, socket) => socket.end('No such server.\n\n'));
		const client = createRuntimeClient(parseEndpoint(local.path));
		const {parseTarget} = await import('../../source/runtime/names.js');
		const error = await client.setServerState(parseTarget('webapps/app09'), 'drain').catch((error_: unknown) => error_);
		expect(error).toMatchObject({kind: 'haproxy-error', reply: 'No such server.', exitCode: 1});
		expect((error as Error).message).toBe(`HAProxy at ${local.path} answered "No such server." to "set server webapps/app09 state drain".`);
	});

	it('reads the replies of a few lines (show info, show cli level, a state change) with a small cap', async () => {
		local = await startLocalSocket((_line, socket) => socket.end('Name: HAProxy\n'.repeat(6000)));
		const client = createRuntimeClient(parseEndpoint(local.path));
		const {parseTarget} = await import('../../source/runtime/names.js');
		for (const call of [client.info(), client.cliLevel(), client.setServerState(parseTarget('webapps/app01'), 'drain'), client.shutdownSessions(parseTarget('webapps/app01'))]) {
			const error = await call.catch((error_: unknown) => error_);
			expect(error).toMatchObject({kind: 'reply-too-large', exitCode: 3});
			expect((error as Error).message).toMatch(new RegExp(`^HAProxy at ${local.path} sent more than 64 KB in reply to "[a-z /0-9]+", far more than that command's answer; it was not read further\\.`));
		}
	});

	it('takes a connection closed on no reply at all as a lost reply, never as success', async () => {
		local = await startLocalSocket((_line, socket) => socket.end());
		const {parseTarget} = await import('../../source/runtime/names.js');
		const error = await createRuntimeClient(parseEndpoint(local.path))
			.setServerState(parseTarget('webapps/app01'), 'drain')
			.catch((error_: unknown) => error_);
		expect(error).toMatchObject({kind: 'bad-reply', exitCode: 3});
		expect((error as Error).message).toBe(`HAProxy at ${local.path} closed the connection without answering "set server webapps/app01 state drain".`);
	});

	it('strips severity-output prefixes from error replies', async () => {
		local = await startLocalSocket((_line, socket) => socket.end('[3]: Permission denied\n\n'));
		const {parseTarget} = await import('../../source/runtime/names.js');
		const error = await createRuntimeClient(parseEndpoint(local.path))
			.setServerState(parseTarget('webapps/app01'), 'drain')
			.catch((error_: unknown) => error_);
		expect(error).toMatchObject({kind: 'not-admin', exitCode: 3});
		expect((error as Error).message).toMatch(/level admin/);
	});
});
