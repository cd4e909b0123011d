import http from 'node:http';
import {setTimeout as delay} from 'node:timers/promises';

/** One request through the listener: when it was sent and answered, and the status (0: no answer). */
export type LoggedRequest = {startedAt: number; endedAt: number; status: number};

/**
 * Sends one request at a time to `url` (loopback), a new connection each, every `everyMs`, until
 * `stop()` or until `maxMs` / `maxRequests` is reached, and logs each with its times.
 */
export function startRequestLog(url: string, options: {maxMs: number; maxRequests: number; everyMs?: number}) {
	const log: LoggedRequest[] = [];
	const started = Date.now();
	let stopped = false;
	const one = async () =>
		new Promise<LoggedRequest>((resolve) => {
			const startedAt = Date.now();
			const request = http.get(url, {agent: false, timeout: 2000}, (response) => {
				response.resume();
				response.on('end', () => {
					resolve({startedAt, endedAt: Date.now(), status: response.statusCode ?? 0});
				});
				response.on('error', () => {
					resolve({startedAt, endedAt: Date.now(), status: 0});
				});
			});
			request.on('timeout', () => {
				request.destroy(new Error('timeout'));
			});
			request.on('error', () => {
				resolve({startedAt, endedAt: Date.now(), status: 0});
			});
		});

	const running = (async () => {
		while (!stopped && Date.now() - started < options.maxMs && log.length < options.maxRequests) {
			log.push(await one());
			await delay(options.everyMs ?? 10);
		}
	})();

	return {
		log,
		/** Resolves once the loop reached its bounds by itself. */
		async completed(): Promise<LoggedRequest[]> {
			await running;
			return log;
		},
		async stop(): Promise<LoggedRequest[]> {
			stopped = true;
			await running;
			return log;
		},
	};
}
