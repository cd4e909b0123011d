import {mkdtempSync, readdirSync, rmSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {writeFileSync} from 'node:fs';
import {findHaproxy} from '../../source/config/find-haproxy.js';
import {freePort, portAttempts, type PortPicker} from '../../source/lab/free-port.js';
import {startHaproxy, type HaproxyProcess} from '../../source/lab/haproxy-process.js';
import {startLab, type Lab} from '../../source/lab/lab.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {sendLine} from '../../source/runtime/transport.js';
import {webappsConfig, webappsDemos} from '../fixtures/webapps.cfg.js';
import {startSecondInstance, type SecondInstance} from '../helpers/second-instance.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';

/** A port something else listens on, as when another process took it after it was picked. */
async function occupiedPort(): Promise<{port: number; close: () => Promise<void>}> {
	const server = net.createServer((socket) => socket.destroy());
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const address = server.address();
	return {
		port: typeof address === 'object' && address ? address.port : 0,
		close: async () =>
			new Promise<void>((resolve) => {
				server.close(() => {
					resolve();
				});
			}),
	};
}

/**
 * A port another HAProxy listens on, as HAProxy listens by default: with SO_REUSEPORT, which lets
 * a second process that sets it too bind the same port and take half of its connections.
 */
async function haproxyOnPort(dir: string): Promise<{port: number; haproxy: HaproxyProcess}> {
	const port = await freePort();
	const config = path.join(dir, 'squatter.cfg');
	writeFileSync(
		config,
		`global\n    stats socket ${dir}/squatter.sock mode 600 level admin\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nfrontend squatter\n    bind 127.0.0.1:${port}\n    http-request return status 200 content-type text/plain string squatter\n`,
	);
	const haproxy = await startHaproxy({binary: await findHaproxy(process.env['HAPROXY_BIN']), configPath: config, socket: parseEndpoint(`${dir}/squatter.sock`), reusePort: true});
	return {port, haproxy};
}

/** Gives the taken port first (or every time), then free ones; remembers what it gave. */
function picker(taken: number, always = false): {pick: PortPicker; picked: number[]} {
	const picked: number[] = [];
	return {
		picked,
		async pick() {
			const port = always || picked.length === 0 ? taken : await freePort();
			picked.push(port);
			return port;
		},
	};
}

/** The body of the reply to a GET of `url` (on loopback). */
async function answer(url: string): Promise<string> {
	const response = await fetch(url, {signal: AbortSignal.timeout(5000)});
	return (await response.text()).trim();
}

let taken: Awaited<ReturnType<typeof occupiedPort>>;
beforeAll(async () => {
	taken = await occupiedPort();
});

afterAll(async () => {
	await taken?.close();
});

describe('a port taken between picking it and HAProxy binding it', () => {
	let bed: TestBed | undefined;
	let second: SecondInstance | undefined;
	afterEach(async () => {
		await second?.stop();
		second = undefined;
		await bed?.stop();
		bed = undefined;
	});

	it('the test bed picks new ports and starts HAProxy again, on them', async () => {
		const ports = picker(taken.port);
		bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context), pickPort: ports.pick});
		// Four ports an attempt: the first set held the taken one, HAProxy could not bind it.
		expect(ports.picked).toHaveLength(8);
		expect(ports.picked[0]).toBe(taken.port);
		expect([bed.tcpPort, bed.frontendPort, ...bed.spare]).toEqual(ports.picked.slice(4));
		// Served through the new port once HAProxy's first checks have passed (it may answer 503 before).
		expect(await waitFor('a demo server to answer through the new port', async () => {
			const body = await answer(bed!.url);
			return /^app0[1-3]$/.test(body) ? body : undefined;
		}, 10_000)).toMatch(/^app0[1-3]$/);
		expect(await sendLine(parseEndpoint(`127.0.0.1:${bed.tcpPort}`), 'show info', {timeoutMs: 5000})).toMatch(/^Pid: \d+$/m);
	});

	it('a port another HAProxy listens on (SO_REUSEPORT) is not shared: the bed starts again on new ports', async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-squatter-'));
		const squatter = await haproxyOnPort(dir);
		try {
			const ports = picker(squatter.port);
			bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context), pickPort: ports.pick});
			expect(ports.picked[0]).toBe(squatter.port);
			expect([bed.tcpPort, bed.frontendPort, ...bed.spare]).toEqual(ports.picked.slice(4));
			// Every connection to the port still reaches the HAProxy that had it.
			const answers = await Promise.all(Array.from({length: 6}, async () => answer(`http://127.0.0.1:${squatter.port}/`)));
			expect(answers).toEqual(Array.from({length: 6}, () => 'squatter'));
		} finally {
			await squatter.haproxy.stop();
			rmSync(dir, {recursive: true, force: true});
		}
	});

	it('the test bed gives up after a bounded number of attempts, with HAProxy\'s reason', async () => {
		const ports = picker(taken.port, true);
		await expect(startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context), pickPort: ports.pick})).rejects.toThrow(/cannot bind socket \(Address already in use\)/);
		expect(ports.picked).toHaveLength(portAttempts * 4);
	});

	it('a second instance picks new ports and starts again, on them', async () => {
		bed = await startTestBed({demos: webappsDemos, config: (context) => webappsConfig(context)});
		const ports = picker(taken.port);
		second = await startSecondInstance(bed, (context) => webappsConfig(context), {pickPort: ports.pick});
		expect(ports.picked).toHaveLength(4);
		expect(ports.picked[0]).toBe(taken.port);
		expect(second.url).toBe(`http://127.0.0.1:${ports.picked[3]}/`);
		expect(await answer(second.url)).toMatch(/^app0[1-3]$/);
		expect(await second.send('show info')).toMatch(/^Pid: \d+$/m);
	});
});

describe('the lab on a frontend port taken before HAProxy bound it', () => {
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'drainboard-porttest-'));
	const tmpdir = process.env['TMPDIR'];
	let lab: Lab | undefined;
	beforeAll(() => {
		// The lab's temp dir, and its sweep of dead labs, stay in this test's own directory.
		process.env['TMPDIR'] = tmp;
	});

	afterEach(async () => {
		await lab?.stop();
		lab = undefined;
	});

	afterAll(() => {
		if (tmpdir === undefined) {
			delete process.env['TMPDIR'];
		} else {
			process.env['TMPDIR'] = tmpdir;
		}

		rmSync(tmp, {recursive: true, force: true});
	});

	it('starts on another port, serving through it', async () => {
		const ports = picker(taken.port);
		lab = await startLab({pickPort: ports.pick});
		expect(ports.picked).toHaveLength(2);
		expect(ports.picked[0]).toBe(taken.port);
		expect(lab.url).toBe(`http://127.0.0.1:${ports.picked[1]}/`);
		expect(await answer(lab.url)).toMatch(/^app0[1-3]$/);
		expect(readdirSync(tmp).filter((name) => name.startsWith('drainboard-lab-'))).toHaveLength(1);
	});

	it('does not share a frontend port another HAProxy listens on (SO_REUSEPORT): starts on another', async () => {
		const squatter = await haproxyOnPort(tmp);
		try {
			const ports = picker(squatter.port);
			lab = await startLab({pickPort: ports.pick});
			expect(ports.picked).toEqual([squatter.port, ports.picked[1]]);
			expect(lab.url).toBe(`http://127.0.0.1:${ports.picked[1]}/`);
			const answers = await Promise.all(Array.from({length: 6}, async () => answer(`http://127.0.0.1:${squatter.port}/`)));
			expect(answers).toEqual(Array.from({length: 6}, () => 'squatter'));
		} finally {
			await squatter.haproxy.stop();
		}
	});

	it('s on a stopped demo server whose port another program took meanwhile says so, and starts it when the port is free again', async () => {
		lab = await startLab();
		const app01 = lab.demos.get('app01')!;
		expect(await lab.toggle('app01')).toMatch(/^lab: app01 stopped;/);
		const squatter = net.createServer((socket) => socket.destroy());
		await new Promise<void>((resolve, reject) => {
			squatter.once('error', reject);
			squatter.listen(app01.port, '127.0.0.1', resolve);
		});
		try {
			expect(await lab.toggle('app01')).toBe(`lab: app01 cannot start: another program took port ${app01.port}. q ends the lab.`);
			expect(app01.running).toBe(false);
		} finally {
			await new Promise<void>((resolve) => {
				squatter.close(() => {
					resolve();
				});
			});
		}

		expect(await lab.toggle('app01')).toMatch(/^lab: app01 started;/);
		expect(app01.running).toBe(true);
	});

	it('s on a maintenance of several stops the demo servers that run, names each, and starts them all again', async () => {
		lab = await startLab();
		const names = ['app01', 'app02', 'app02', 'api1'];
		await lab.toggle('api1');
		// One of them stopped already: s stops the others, and says which.
		expect(await lab.toggleAll(names)).toBe('lab: app01, app02 stopped; HAProxy sees them DOWN within about 2 s. s starts them again.');
		expect(['app01', 'app02', 'api1'].map((name) => lab!.demos.get(name)!.running)).toEqual([false, false, false]);
		expect(lab.demos.get('app03')!.running).toBe(true);
		expect(await lab.toggleAll(names)).toBe('lab: app01, app02, api1 started; HAProxy sees them UP after two good checks (about 2 s).');
		expect(['app01', 'app02', 'api1'].map((name) => lab!.demos.get(name)!.running)).toEqual([true, true, true]);
	});

	it('gives up after a bounded number of attempts, says why, and leaves nothing behind', async () => {
		const ports = picker(taken.port, true);
		await expect(startLab({pickPort: ports.pick})).rejects.toThrow(/^HAProxy exited at start \(code 1\): .*cannot bind socket \(Address already in use\)/);
		expect(ports.picked).toHaveLength(portAttempts);
		expect(readdirSync(tmp).filter((name) => name.startsWith('drainboard-lab-'))).toEqual([]);
	});
});
