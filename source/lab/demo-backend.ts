import http from 'node:http';

/** A demo HTTP backend on 127.0.0.1 that answers every request with its name. */
export type DemoBackend = {
	readonly name: string;
	readonly port: number;
	readonly running: boolean;
	/** Requests answered since start. */
	readonly served: number;
	/** Stops listening and drops open connections, like a stopped service. */
	stop(): Promise<void>;
	/** Listens again on the same port. */
	start(): Promise<void>;
};

/** `delayMs`: how long each answer takes, like a real service (in-flight requests exist). */
export async function startDemoBackend(name: string, port = 0, options: {delayMs?: number} = {}): Promise<DemoBackend> {
	let server: http.Server | undefined;
	let served = 0;
	let boundPort = port;

	const listen = async () =>
		new Promise<void>((resolve, reject) => {
			const next = http.createServer((request, response) => {
				served++;
				request.resume();
				response.setHeader('content-type', 'text/plain');
				if (options.delayMs) {
					setTimeout(() => response.end(`${name}\n`), options.delayMs);
				} else {
					response.end(`${name}\n`);
				}
			});
			next.keepAliveTimeout = 5000;
			next.once('error', reject);
			next.listen(boundPort, '127.0.0.1', () => {
				const address = next.address();
				boundPort = typeof address === 'object' && address ? address.port : boundPort;
				server = next;
				resolve();
			});
		});

	await listen();
	return {
		name,
		get port() {
			return boundPort;
		},
		get running() {
			return server !== undefined;
		},
		get served() {
			return served;
		},
		async stop() {
			const current = server;
			server = undefined;
			if (!current) {
				return;
			}

			await new Promise<void>((resolve) => {
				current.close(() => {
					resolve();
				});
				current.closeAllConnections();
			});
		},
		async start() {
			if (!server) {
				await listen();
			}
		},
	};
}
