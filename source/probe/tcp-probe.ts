import type {HostInterfaces} from '../local-address.js';
import {openConnection} from './connection.js';
import {targetUrl, type Probe, type ProbeAttempt, type ProbeTarget} from './probe.js';

/**
 * TCP connections (or TLS over TCP) through a `mode tcp` listener: each connects (PROXY header
 * and TLS handshake first when the target says so), waits a moment so HAProxy connects to a
 * server (counted in that server's `stot`), then closes. Success means the connection was
 * accepted and not closed at once by HAProxy (which it does with no server left), or that a
 * server answered through it: a service that writes its greeting or reply and closes (an
 * `echo`-like one, a banner) closes within the hold, after its bytes.
 */
export function tcpProbe(target: ProbeTarget, options: {timeoutMs?: number; holdMs?: number; interfaces?: HostInterfaces} = {}): Probe {
	const timeoutMs = options.timeoutMs ?? 5000;
	const holdMs = options.holdMs ?? 150;
	const one = async (signal?: AbortSignal): Promise<ProbeAttempt> => {
		const started = performance.now();
		/** An attempt succeeded when it has no error. */
		const result = (error: string | null): ProbeAttempt => ({ok: error === null, status: null, servedBy: null, error, ms: Math.round(performance.now() - started)});
		const socket = await openConnection(target, {timeoutMs, signal, interfaces: options.interfaces}).catch((error: unknown) => error as Error);
		if (socket instanceof Error) {
			return result(socket.message);
		}

		return new Promise((resolve) => {
			let settled = false;
			const done = (error: string | null) => {
				if (!settled) {
					settled = true;
					clearTimeout(timer);
					socket.destroy();
					resolve(result(error));
				}
			};

			const timer = setTimeout(() => {
				done(null);
			}, holdMs);
			// Bytes from the other end came from a server HAProxy connected to (with no server left,
			// HAProxy closes without a byte): after them a close or a reset is the server's own.
			let answered = false;
			socket.on('close', () => {
				done(answered ? null : 'closed by the listener before any byte came back');
			});
			socket.on('error', (error) => {
				done(answered ? null : error.message);
			});
			socket.on('data', () => {
				answered = true;
			});
		});
	};

	return {
		url: targetUrl(target),
		kind: 'tcp',
		target,
		async send(count, {signal} = {}) {
			const attempts: ProbeAttempt[] = [];
			for (let index = 0; index < count && !signal?.aborted; index++) {
				attempts.push(await one(signal));
			}

			return attempts;
		},
	};
}
