import net from 'node:net';

/** Gives a TCP port on 127.0.0.1 to listen on. */
export type PortPicker = () => Promise<number>;

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export const freePort: PortPicker = async () =>
	new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			server.close(() => {
				resolve(port);
			});
		});
	});

/**
 * `pick`, never giving the same port twice. A port picked is closed again at once, so the OS may
 * hand it out again for the next pick; HAProxy binds with SO_REUSEPORT, so two of its listeners
 * then share one port without an error, and the kernel spreads connections between them (a probe
 * of one frontend answered by another: seen once in CI). Tries `tries` picks for a new one.
 */
export function distinctPorts(pick: PortPicker, tries = 20): PortPicker {
	const given = new Set<number>();
	return async () => {
		for (let attempt = 0; attempt < tries; attempt++) {
			const port = await pick();
			if (!given.has(port)) {
				given.add(port);
				return port;
			}
		}

		throw new Error(`no port that was not given already after ${tries} picks`);
	};
}

/**
 * Whether `error` says a port was taken: Node's EADDRINUSE, or an error marked `portTaken` (HAProxy's
 * start, when it "cannot bind socket (Address already in use)").
 */
function isPortTaken(error: unknown): boolean {
	if (typeof error !== 'object' || error === null) {
		return false;
	}

	const {code, portTaken} = error as {code?: unknown; portTaken?: unknown};
	return code === 'EADDRINUSE' || portTaken === true;
}

/** How many times a start is tried, with new ports each time, before its error is given up. */
export const portAttempts = 5;

/**
 * Runs `start` with ports from `pick`. A port is free when picked and bound later (by HAProxy):
 * in between, another process may take it (a client's outgoing connection gets its local port
 * from the same range). When the start fails on a taken port, `start` runs again with new ports,
 * up to `attempts` times in all; the last failure is thrown. Every other failure is thrown at once.
 */
export async function startOnFreePorts<T>(start: (pick: PortPicker) => Promise<T>, options: {pick?: PortPicker; attempts?: number} = {}): Promise<T> {
	const attempts = options.attempts ?? portAttempts;
	for (let attempt = 1; ; attempt++) {
		try {
			// Each attempt's ports told apart; a picker given (tests of a taken port) gives what it means to.
			return await start(options.pick ?? distinctPorts(freePort));
		} catch (error) {
			if (!isPortTaken(error) || attempt >= attempts) {
				throw error;
			}
		}
	}
}
