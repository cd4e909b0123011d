import net from 'node:net';
import {startLocalSocket, type LocalSocket} from './local-socket.js';

/**
 * What the fake socket does with a command line: `forward` it and pass HAProxy's reply on;
 * `lose-reply`: forward it, never answer; `lose-command`: neither forward nor answer;
 * `lose-reply-then-die`: forward it, never answer, and from then on close every connection unanswered;
 * `{lateMs}`: forward it that much later (as a slow network or a busy HAProxy would), then answer,
 * even if the client has gone meanwhile (a command written is applied whether or not its reply is read).
 */
export type Forwarding = 'forward' | 'lose-reply' | 'lose-command' | 'lose-reply-then-die' | {lateMs: number};

/**
 * A UNIX socket in front of a real HAProxy admin socket, for faults of the socket itself: each
 * command line goes through as `decide` says.
 */
export async function startForwardingSocket(adminSocket: string, decide: (line: string) => Forwarding): Promise<LocalSocket & {forwarded: string[]; received: string[]}> {
	const forwarded: string[] = [];
	// Every line as it arrives, whatever is done with it.
	const received: string[] = [];
	let dead = false;
	const local = await startLocalSocket((line, client) => {
		if (dead) {
			client.destroy();
			return;
		}

		received.push(line.trim());
		const what = decide(line);
		if (what === 'lose-command') {
			return;
		}

		if (typeof what === 'object') {
			client.on('error', () => undefined);
			setTimeout(() => {
				forwarded.push(line.trim());
				const late = net.createConnection({path: adminSocket});
				late.on('error', () => client.destroy());
				late.on('connect', () => late.write(line));
				late.on('data', (chunk) => {
					if (!client.destroyed) {
						client.write(chunk);
					}
				});
				late.on('end', () => client.end());
			}, what.lateMs);
			return;
		}

		forwarded.push(line.trim());
		const upstream = net.createConnection({path: adminSocket});
		upstream.on('error', () => client.destroy());
		upstream.on('connect', () => upstream.write(line));
		if (what === 'forward') {
			upstream.pipe(client);
			return;
		}

		// The reply is read from HAProxy and dropped; the client waits for it in vain.
		upstream.resume();
		if (what === 'lose-reply-then-die') {
			dead = true;
		}
	});
	return Object.assign(local, {forwarded, received});
}
