import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {startDemoBackend, type DemoBackend} from '../../source/lab/demo-backend.js';
import {findHaproxy} from '../../source/config/find-haproxy.js';
import {startOnFreePorts, type PortPicker} from '../../source/lab/free-port.js';
import {startHaproxy, type HaproxyProcess} from '../../source/lab/haproxy-process.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {sendLine} from '../../source/runtime/transport.js';
import {rawStat} from './raw-haproxy.js';
import {waitFor} from './wait-for.js';

/** What a config template can use: the temp dir, sockets and ports picked for this bed. */
export type BedContext = {
	dir: string;
	adminSocket: string;
	operatorSocket: string;
	tcpPort: number;
	frontendPort: number;
	/** Spare free ports for more listeners (two, or as many as `spareCount` asks). */
	spare: number[];
	/** Port of a demo backend by name. */
	port(name: string): number;
	/** The global section with the three stats sockets (admin, operator, TCP admin). */
	global(extra?: string[]): string;
};

export type TestBed = BedContext & {
	/** The config file, or with `files`, the directory of them. */
	configPath: string;
	url: string;
	haproxy: HaproxyProcess;
	demos: Map<string, DemoBackend>;
	demo(name: string): DemoBackend;
	/**
	 * Starts a stopped demo server again and waits (at most `timeoutMs`) until HAProxy's checks see
	 * it healthy in every backend that checks it (a `rise` of several checks takes that long), so
	 * the next test does not find it DOWN, rising, and refuse its baseline.
	 */
	restartDemo(name: string, timeoutMs?: number): Promise<void>;
	/** Sends one raw line to the admin socket. */
	send(line: string): Promise<string>;
	/** Stops HAProxy (the bed stays: start it again with startHaproxy). */
	stopHaproxy(): Promise<void>;
	/** Starts a new HAProxy process on the same config. */
	startHaproxy(): Promise<void>;
	stop(): Promise<void>;
};

export type BedOptions = {
	demos: string[];
	/** Response time of the demo servers (default: at once). */
	demoDelayMs?: number;
	config: (context: BedContext) => string;
	/**
	 * Several files instead of `config`: written to `conf.d/` in the bed's directory and given
	 * to HAProxy as `-f conf.d/` (`directory`, relative to its working directory) or one `-f`
	 * each, in the order given (`each`).
	 */
	files?: {texts: (context: BedContext) => Array<{name: string; text: string}>; pass: 'directory' | 'each'};
	/** Variables added to HAProxy's environment. */
	env?: Record<string, string>;
	masterWorker?: boolean;
	/** How many spare ports the context offers (default 2). */
	spareCount?: number;
	/** Where the bed's ports come from (default: free ones; the retry's test gives a taken one first). */
	pickPort?: PortPicker;
	/** How long HAProxy may take to answer on its socket (default 10 s; the bench's 50,000 servers take longer). */
	readyTimeoutMs?: number;
};

// \`timeout check\`: without it HAProxy gives a whole check \`inter\` (200 ms in the fixtures) to
// connect and read; the demo servers answer from the test's own process, which a loaded CI core
// can stall that long, and two such stalls took a server DOWN mid-test (3.0 row). A stopped demo
// refuses at once, so checks still see it go down within two \`inter\`s.
const defaults = `defaults
    mode http
    timeout connect 1s
    timeout check 2s
    timeout client 10s
    timeout server 10s
`;

/** The default sections every test config starts with. */
export const defaultsSection = defaults;

/**
 * Starts demo backends on free 127.0.0.1 ports, writes the config into a temp dir and starts
 * a real HAProxy on it; when a port picked for HAProxy was taken before it bound it, picks new
 * ones and starts again. Fails with a clear message when HAProxy is not installed: integration
 * tests never skip.
 */
export async function startTestBed(options: BedOptions): Promise<TestBed> {
	const binary = await findHaproxy(process.env['HAPROXY_BIN']).catch(() => {
		throw new Error('HAProxy is not installed: integration tests need it (sudo apt-get install -y haproxy, or run .ci/run).');
	});
	const dir = await mkdtemp(path.join(os.tmpdir(), 'drainboard-test-'));
	const demos = new Map<string, DemoBackend>();
	let haproxy: HaproxyProcess | undefined;
	try {
		for (const name of options.demos) {
			demos.set(name, await startDemoBackend(name, 0, {delayMs: options.demoDelayMs}));
		}

		const admin = parseEndpoint(path.join(dir, 'admin.sock'));
		const launch = async (configArgs: string[]) =>
			startHaproxy({
				binary,
				configPath: configArgs,
				socket: admin,
				cwd: dir,
				env: options.env,
				masterSocket: options.masterWorker ? path.join(dir, 'master.sock') : undefined,
				readyTimeoutMs: options.readyTimeoutMs,
			});
		const {context, configPath, configArgs, running} = await startOnFreePorts(
			async (pick) => {
				const ports = {tcpPort: await pick(), frontendPort: await pick(), spare: [] as number[]};
				for (let index = 0; index < (options.spareCount ?? 2); index++) {
					ports.spare.push(await pick());
				}

				const picked = bedContext(dir, demos, ports);
				const written = await writeConfig(picked, options);
				return {context: picked, ...written, running: await launch(written.configArgs)};
			},
			{pick: options.pickPort},
		);
		haproxy = running;
		let started = running;
		const onExit = () => {
			started.kill();
		};

		process.once('exit', onExit);
		return {
			...context,
			configPath,
			url: `http://127.0.0.1:${context.frontendPort}/`,
			get haproxy() {
				return started;
			},
			demos,
			demo(name) {
				const demo = demos.get(name);
				if (!demo) {
					throw new Error(`no demo backend named ${name}`);
				}

				return demo;
			},
			send: async (line) => sendLine(admin, line, {timeoutMs: 5000}),
			async restartDemo(name, timeoutMs = 30_000) {
				const demo = demos.get(name);
				if (!demo) {
					throw new Error(`no demo backend named ${name}`);
				}

				await demo.start();
				const address = `127.0.0.1:${demo.port}`;
				await waitFor(
					`HAProxy to see the demo server ${name} (${address}) healthy again`,
					async () => {
						const rows = rawStat(await sendLine(admin, 'show stat -1 4 -1', {timeoutMs: 5000})).filter((row) => row['addr'] === address);
						// Settled: UP (or drained, or in maintenance, or unchecked); not DOWN, nor on its way up or down (`DOWN 1/2`, `UP 2/3`).
						return rows.every((row) => /^(?:UP|DRAIN|NOLB|no check|MAINT.*)$/.test(row['status'] ?? '')) ? true : undefined;
					},
					timeoutMs,
				);
			},
			async stopHaproxy() {
				await started.stop();
			},
			async startHaproxy() {
				// Same ports as before: one may be held a moment by another test's client socket (a lost
				// port race), which lets go within a few seconds. Tried again then, at most 10 times.
				for (let attempt = 1; ; attempt++) {
					try {
						started = await launch(configArgs);
						return;
					} catch (error) {
						if (attempt >= 10 || !String((error as Error).message).includes('Address already in use')) {
							throw error;
						}

						await new Promise((resolve) => {
							setTimeout(resolve, 500);
						});
					}
				}
			},
			async stop() {
				process.removeListener('exit', onExit);
				await started.stop();
				await Promise.all([...demos.values()].map(async (demo) => demo.stop()));
				await rm(dir, {recursive: true, force: true});
			},
		};
	} catch (error) {
		await haproxy?.stop();
		await Promise.all([...demos.values()].map(async (demo) => demo.stop()));
		await rm(dir, {recursive: true, force: true});
		throw error;
	}
}

function bedContext(dir: string, demos: Map<string, DemoBackend>, ports: Pick<BedContext, 'tcpPort' | 'frontendPort' | 'spare'>): BedContext {
	return {
		dir,
		adminSocket: path.join(dir, 'admin.sock'),
		operatorSocket: path.join(dir, 'operator.sock'),
		...ports,
		port(name) {
			const demo = demos.get(name);
			if (!demo) {
				throw new Error(`no demo backend named ${name}`);
			}

			return demo.port;
		},
		global(extra = []) {
			return [
				'global',
				`    stats socket ${this.adminSocket} mode 600 level admin`,
				`    stats socket ${this.operatorSocket} mode 600 level operator`,
				`    stats socket ipv4@127.0.0.1:${this.tcpPort} level admin`,
				'    stats timeout 10s',
				...extra.map((line) => `    ${line}`),
				'',
			].join('\n');
		},
	};
}

/** Writes the bed's config (or its files); returns where it is and the `-f` arguments for it. */
async function writeConfig(context: BedContext, options: BedOptions): Promise<{configPath: string; configArgs: string[]}> {
	if (options.files) {
		const configPath = path.join(context.dir, 'conf.d');
		await mkdir(configPath, {recursive: true});
		const texts = options.files.texts(context);
		for (const {name, text} of texts) {
			await writeFile(path.join(configPath, name), text);
		}

		return {configPath, configArgs: options.files.pass === 'directory' ? ['conf.d/'] : texts.map(({name}) => path.join('conf.d', name))};
	}

	const configPath = path.join(context.dir, 'haproxy.cfg');
	await writeFile(configPath, options.config(context));
	return {configPath, configArgs: [configPath]};
}
