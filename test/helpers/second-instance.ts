import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import {findHaproxy} from '../../source/config/find-haproxy.js';
import {startOnFreePorts, type PortPicker} from '../../source/lab/free-port.js';
import {startHaproxy, type HaproxyProcess} from '../../source/lab/haproxy-process.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {sendLine} from '../../source/runtime/transport.js';
import type {BedContext, TestBed} from './test-bed.js';

/** A second, independent HAProxy in front of the same demo backends as a test bed: an HA pair. */
export type SecondInstance = {
	adminSocket: string;
	operatorSocket: string;
	configPath: string;
	url: string;
	send(line: string): Promise<string>;
	/** Graceful reload (`-sf`): a new process, the runtime state of the old one gone. */
	reload(): Promise<void>;
	stop(): Promise<void>;
	start(): Promise<void>;
};

/**
 * Starts it in the bed's temp dir (the bed's stop removes the dir; call stop first), on ports of
 * its own: picked again, and HAProxy started again, when one was taken before HAProxy bound it.
 */
export async function startSecondInstance(bed: TestBed, config: (context: BedContext) => string, options: {pickPort?: PortPicker} = {}): Promise<SecondInstance> {
	const binary = await findHaproxy(process.env['HAPROXY_BIN']);
	const configPath = path.join(bed.dir, 'b-haproxy.cfg');
	const adminSocket = path.join(bed.dir, 'b-admin.sock');
	const admin = parseEndpoint(adminSocket);
	let haproxy: HaproxyProcess | undefined;
	const start = async () => {
		haproxy = await startHaproxy({binary, configPath, socket: admin, cwd: bed.dir});
	};

	const context = await startOnFreePorts(
		async (pick) => {
			const picked: BedContext = {
				...bed,
				adminSocket,
				operatorSocket: path.join(bed.dir, 'b-operator.sock'),
				tcpPort: await pick(),
				frontendPort: await pick(),
				global: bed.global,
			};
			await writeFile(configPath, config(picked));
			await start();
			return picked;
		},
		{pick: options.pickPort},
	);
	const onExit = () => haproxy?.kill();
	process.once('exit', onExit);
	return {
		adminSocket: context.adminSocket,
		operatorSocket: context.operatorSocket,
		configPath,
		url: `http://127.0.0.1:${context.frontendPort}/`,
		send: async (line) => sendLine(admin, line, {timeoutMs: 5000}),
		async reload() {
			await haproxy?.reload();
		},
		async stop() {
			process.removeListener('exit', onExit);
			await haproxy?.stop();
			haproxy = undefined;
		},
		async start() {
			process.once('exit', onExit);
			await start();
		},
	};
}
