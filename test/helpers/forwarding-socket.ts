import net from 'node:net';
import {startLocalSocket, type LocalSocket} from './local-socket.js';

/**
 * What the fake socket does with a command line: `forward` it and pass HAProxy's reply on;
 * `lose-reply`: forward it, never answer; `lose-command`: neither forward nor answer;
 * `lose-reply-then-die`: forward it, never answer, and from then on close every connection unanswered.
 */
export type Forwarding = 'forward' | 'lose-reply' | 'lose-command' | 'lose-reply-then-die';

/**
 * A UNIX socket in front of a real HAProxy admin socket, for faults of the socket itself: each
 * command line goes through as `decide` says.
 */
export async function startForwardingSocket(adminSocket: string, decide: (line: string) => Forwarding): Promise<LocalSocket & {forwarded: string[]}> {
	const forwarded: string[] = [];
	let dead = false;
	const local = await startLocalSocket((line, client) => {
		if (dead) {
			client.destroy();
			return;
		}

		const what = decide(line);
		if (what === 'lose-command') {
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
	return Object.assign(local, {forwarded});
}
