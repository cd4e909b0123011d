import net from 'node:net';
import type {Probe, ProbeAttempt} from './probe.js';

/**
 * TCP connections through a `mode tcp` listener: each connects, waits a moment so HAProxy
 * connects to a server (counted in that server's `stot`), then closes. Success means the
 * connection was accepted and not closed at once by HAProxy (which it does with no server left).
 */
export function tcpProbe(host: string, port: number, options: {timeoutMs?: number; holdMs?: number} = {}): Probe {
	const timeoutMs = options.timeoutMs ?? 5000;
	const holdMs = options.holdMs ?? 150;
	const one = async (): Promise<ProbeAttempt> =>
		new Promise((resolve) => {
			const started = performance.now();
			let settled = false;
			const socket = net.createConnection({host, port});
			const done = (ok: boolean, error: string | null) => {
				if (settled) {
					return;
				}

				settled = true;
				clearTimeout(timer);
				socket.destroy();
				resolve({ok, status: null, servedBy: null, error, ms: Math.round(performance.now() - started)});
			};

			const timer = setTimeout(() => {
				done(false, `no connection within ${timeoutMs / 1000} s`);
			}, timeoutMs);
			socket.on('connect', () => {
				setTimeout(() => {
					done(true, null);
				}, holdMs);
			});
			socket.on('close', () => {
				done(false, 'closed by the listener');
			});
			socket.on('error', (error: NodeJS.ErrnoException) => {
				done(false, error.code === 'ECONNREFUSED' ? 'connection refused' : error.message);
			});
			socket.on('data', () => undefined);
		});

	return {
		url: `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`,
		kind: 'tcp',
		async send(count, {signal} = {}) {
			const attempts: ProbeAttempt[] = [];
			for (let index = 0; index < count && !signal?.aborted; index++) {
				attempts.push(await one());
			}

			return attempts;
		},
	};
}
