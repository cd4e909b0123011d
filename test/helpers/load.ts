import http from 'node:http';

/** What a burst of load saw. */
export type LoadResult = {ok: number; failed: number; errors: Record<string, number>; perServer: Record<string, number>; ms: number};

/**
 * Drives `clients` concurrent keep-alive clients against `url` (loopback) until `stop()` is
 * called or `maxMs` / `maxRequests` is reached. A reply below 500 counts as served. `headers`
 * go with every request (a routing header, or a persistence cookie: sticky clients);
 * `paceMs` is each client's pause between requests (default none).
 */
export function startLoad(url: string, options: {clients: number; maxMs: number; maxRequests?: number; headers?: Record<string, string>; paceMs?: number}) {
	const result: LoadResult = {ok: 0, failed: 0, errors: {}, perServer: {}, ms: 0};
	const started = Date.now();
	let stopped = false;
	const maxRequests = options.maxRequests ?? 500_000;
	const fail = (why: string) => {
		result.failed++;
		result.errors[why] = (result.errors[why] ?? 0) + 1;
	};

	const one = async (agent: http.Agent) =>
		new Promise<void>((resolve) => {
			const request = http.get(url, {agent, timeout: 5000, headers: options.headers}, (response) => {
				let body = '';
				response.setEncoding('utf8');
				response.on('data', (chunk: string) => {
					body += chunk;
				});
				response.on('end', () => {
					if ((response.statusCode ?? 0) < 500) {
						result.ok++;
						const name = body.trim();
						result.perServer[name] = (result.perServer[name] ?? 0) + 1;
					} else {
						fail(`HTTP ${response.statusCode}`);
					}

					resolve();
				});
				response.on('error', (error) => {
					fail(error.message);
					resolve();
				});
			});
			request.on('timeout', () => {
				request.destroy(new Error('timeout'));
			});
			request.on('error', (error: NodeJS.ErrnoException) => {
				fail(error.code ?? error.message);
				resolve();
			});
		});

	const worker = async () => {
		const agent = new http.Agent({keepAlive: true, maxSockets: 1});
		while (!stopped && Date.now() - started < options.maxMs && result.ok + result.failed < maxRequests) {
			await one(agent);
			if (options.paceMs) {
				await new Promise((resolve) => {
					setTimeout(resolve, options.paceMs);
				});
			}
		}

		agent.destroy();
	};

	const workers = Array.from({length: options.clients}, async () => worker());
	return {
		result,
		async stop(): Promise<LoadResult> {
			stopped = true;
			await Promise.all(workers);
			result.ms = Date.now() - started;
			return result;
		},
	};
}
