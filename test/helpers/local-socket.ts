import {mkdtemp, rm} from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A UNIX socket server for transport tests: counts connections and answers as told. */
export type LocalSocket = {path: string; connections: number; received: string[]; close(): Promise<void>};

/**
 * `halfOpen`: keep answering after the client has ended its side, as a master CLI does (drainboard
 * ends its side of a master connection right after the command).
 */
export async function startLocalSocket(answer: (line: string, socket: net.Socket) => void, {halfOpen = false} = {}): Promise<LocalSocket> {
	const dir = await mkdtemp(path.join(os.tmpdir(), 'drainboard-sock-'));
	const socketPath = path.join(dir, 'sock');
	const sockets = new Set<net.Socket>();
	const state = {connections: 0, received: [] as string[]};
	const server = net.createServer({allowHalfOpen: halfOpen}, (socket) => {
		state.connections++;
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		let buffer = '';
		socket.on('data', (chunk) => {
			buffer += chunk.toString('utf8');
			if (buffer.includes('\n')) {
				state.received.push(buffer);
				answer(buffer, socket);
			}
		});
		socket.on('error', () => undefined);
	});
	await new Promise<void>((resolve) => {
		server.listen(socketPath, resolve);
	});
	return {
		path: socketPath,
		get connections() {
			return state.connections;
		},
		received: state.received,
		async close() {
			for (const socket of sockets) {
				socket.destroy();
			}

			await new Promise<void>((resolve) => {
				server.close(() => {
					resolve();
				});
			});
			await rm(dir, {recursive: true, force: true});
		},
	};
}
