import {writeFile} from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import process from 'node:process';
import {serverIs} from '../fixtures/under-load.cfg.js';
import type {TestBed} from './test-bed.js';

/** One restart the control server did (stopped, seen DOWN by HAProxy, started), with what the command's environment named. */
export type Restart = {server: string; backend: string; address: string; port: string};

/**
 * A loopback HTTP server through which a shell command (`roll --exec`, an Ansible task) really
 * stops and starts a demo backend of the bed: `node <script> <server>` stops it, waits for
 * HAProxy's health check to show it DOWN, starts it again, and exits 0 (non-zero on any failure);
 * with DEMO_ACTION=stop it only stops it (a service that does not come back).
 * The server is named by the argument, else by DRAINBOARD_SERVER.
 */
export async function startRestartControl(bed: TestBed) {
	const restarts: Restart[] = [];
	const server = http.createServer((request, response) => {
		const url = new URL(request.url ?? '/', 'http://127.0.0.1');
		const name = url.searchParams.get('server') ?? '';
		const stopOnly = url.searchParams.get('action') === 'stop';
		void (async () => {
			try {
				const demo = bed.demo(name);
				await demo.stop();
				await serverIs(bed, name, 'DOWN');
				if (stopOnly) {
					response.end(`stopped ${name}\n`);
					return;
				}

				await demo.start();
				restarts.push({
					server: name,
					backend: url.searchParams.get('backend') ?? '',
					address: url.searchParams.get('address') ?? '',
					port: url.searchParams.get('port') ?? '',
				});
				response.end(`restarted ${name}\n`);
			} catch (error) {
				response.statusCode = 500;
				response.end(`restart of ${name} failed: ${String(error)}\n`);
			}
		})();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as {port: number};
	const script = path.join(bed.dir, 'restart-demo.mjs');
	await writeFile(
		script,
		`const env = process.env;
const query = new URLSearchParams({action: env.DEMO_ACTION ?? 'restart', server: process.argv[2] ?? env.DRAINBOARD_SERVER ?? '', backend: env.DRAINBOARD_BACKEND ?? '', address: env.DRAINBOARD_ADDRESS ?? '', port: env.DRAINBOARD_PORT ?? ''});
const response = await fetch('http://127.0.0.1:${port}/restart?' + query, {signal: AbortSignal.timeout(30000)});
process.stdout.write(await response.text());
process.exit(response.ok ? 0 : 1);
`,
	);
	return {
		restarts,
		/** The shell command that restarts the server named by DRAINBOARD_SERVER. */
		command: `${JSON.stringify(process.execPath)} ${JSON.stringify(script)}`,
		script,
		async stop() {
			server.closeAllConnections();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
