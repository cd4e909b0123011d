import {writeFile} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import {findHaproxy} from '../../source/config/find-haproxy.js';
import {freePort} from '../../source/lab/free-port.js';
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

/** Starts it in the bed's temp dir (the bed's stop removes the dir; call stop first). */
export async function startSecondInstance(bed: TestBed, config: (context: BedContext) => string): Promise<SecondInstance> {
	const binary = await findHaproxy(process.env['HAPROXY_BIN']);
	const context: BedContext = {
		...bed,
		adminSocket: path.join(bed.dir, 'b-admin.sock'),
		operatorSocket: path.join(bed.dir, 'b-operator.sock'),
		tcpPort: await freePort(),
		frontendPort: await freePort(),
		global: bed.global,
	};
	const configPath = path.join(bed.dir, 'b-haproxy.cfg');
	await writeFile(configPath, config(context));
	const admin = parseEndpoint(context.adminSocket);
	let haproxy: HaproxyProcess | undefined;
	const start = async () => {
		haproxy = await startHaproxy({binary, configPath, socket: admin, cwd: bed.dir});
	};

	await start();
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
