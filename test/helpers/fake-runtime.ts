import path from 'node:path';
import {writeFileSync} from 'node:fs';
import {parseConfigFiles, type ParsedConfig} from '../../source/config/parse-config.js';
import {adminFlagsOf, opStateNames} from '../../source/decode/labels.js';
import type {StatRecord} from '../../source/decode/stat.js';
import {isServing} from '../../source/model/server-condition.js';
import type {Server} from '../../source/model/types.js';
import {targetFromUrl} from '../../source/probe/create-probe.js';
import type {ProbeAttempt, Probe} from '../../source/probe/probe.js';
import type {RuntimeClient} from '../../source/poll/client.js';
import type {CliLevel} from '../../source/runtime/connection.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {parseTarget, type Target} from '../../source/runtime/names.js';
import {RuntimeApiError} from '../../source/runtime/runtime-error.js';
import type {Clock, RunbookContext, RunbookIo} from '../../source/runbook/context.js';
import {runbookContext} from '../../source/runbook/context.js';
import {createRunbookStore} from '../../source/runbook/store.js';
import {BackendLock} from '../../source/runbook/backend-lock.js';
import {DrainMarks} from '../../source/runbook/drain-mark.js';
import {scratchDir} from './scratch.js';
import {Journal} from '../../source/runbook/journal.js';
import {initialRunbookState, type Prompt, type RunbookAction, type RunbookState} from '../../source/runbook/state.js';
import {makeServer} from './model.js';

/** An in-memory HAProxy for engine unit tests: servers whose state the test and the engine change. */
export class FakeHaproxy {
	socket = '/fake/admin.sock';
	pid = 100;
	startTime = 1_764_000_000;
	level: CliLevel = 'admin';
	reachable = true;
	algorithm = 'roundrobin';
	mode: 'http' | 'tcp' = 'http';
	readonly servers: Server[];
	readonly sent: string[] = [];
	/** The backend row's lastsess (seconds since its last session, null: never); undefined: `show stat` gives server rows only. */
	backendLastSession: number | null | undefined = undefined;
	/** Replies to state changes, by command; default: the empty success reply. */
	readonly replies = new Map<string, string>();
	/** Commands HAProxy applies and then never answers, going silent (a lost reply). */
	readonly lostReplies = new Set<string>();
	/** Commands on their way: applied and answered only once their promise resolves (a slow reply). */
	readonly heldCommands = new Map<string, Promise<void>>();

	constructor(names: string[], backend = 'webapps') {
		this.servers = names.map((name, index) => makeServer({backend, server: name, serverId: index + 1, socket: this.socket}));
	}

	/** A haproxy.cfg that defines these servers, as parsed. */
	config(): ParsedConfig {
		const text = ['backend webapps', ...this.servers.map((server) => `    server ${server.server} ${server.address}:${server.port ?? 80} check`)].join('\n');
		return parseConfigFiles([{file: '/etc/haproxy/haproxy.cfg', text}]);
	}

	server(name: string): Server {
		const found = this.servers.find((server) => server.server === name);
		if (!found) {
			throw new Error(`no server ${name}`);
		}

		return found;
	}

	set(name: string, changes: Partial<Server>): void {
		const server = this.server(name);
		Object.assign(server, changes);
		server.adminFlags = adminFlagsOf(server.adminState);
		server.opStateName = opStateNames[server.opState]!;
	}

	reload(): void {
		this.pid++;
		this.startTime++;
		for (const server of this.servers) {
			this.set(server.server, {adminState: 0, requestsTotal: 0, totalSessions: 0});
		}
	}

	private check(): void {
		if (!this.reachable) {
			throw new RuntimeApiError('connection-refused', this.socket, `Nothing answers on ${this.socket} (connection refused).`);
		}
	}

	private backendOf(backend?: string) {
		if (backend !== undefined && backend !== 'webapps') {
			throw new RuntimeApiError('haproxy-error', this.socket, `HAProxy at ${this.socket} answered "Can't find backend."`, {reply: "Can't find backend."});
		}

		return {socket: this.socket, name: 'webapps', id: 3, mode: this.mode, algorithm: this.algorithm, servers: this.servers.map((server) => ({...server}))};
	}

	client(): RuntimeClient {
		const info = () => ({name: 'HAProxy', version: '2.6.12', pid: this.pid, uptimeSeconds: 5, startTime: this.startTime, stopping: false, node: null});
		return {
			endpoint: parseEndpoint(this.socket),
			socket: this.socket,
			info: async () => {
				this.check();
				return info();
			},
			// The fake's configuration names no map.
			heldMap: async () => {
				this.check();
				return null;
			},
			serversState: async () => {
				this.check();
				return this.servers.map((server) => ({
					backendId: 3,
					backend: 'webapps',
					serverId: server.serverId,
					server: server.server,
					address: server.address,
					opState: server.opState,
					opStateName: server.opStateName,
					adminState: server.adminState,
					adminFlags: server.adminFlags,
					userWeight: server.userWeight,
					initialWeight: server.initialWeight,
					secondsSinceChange: 1,
					checkStatus: 15,
					checkStatusName: 'L7OK',
					checkResultName: 'passed',
					checkHealth: 4,
					checkState: 6,
					agentState: server.agentCheck === 'none' ? 0 : server.agentCheck === 'enabled' ? 0x16 : 0x12,
					checkConfigured: server.checkConfigured,
					agentConfigured: server.agentCheck !== 'none',
					fqdn: null,
					port: server.port,
				}));
			},
			stat: async (backend) => {
				this.check();
				const rows = this.backendOf(backend).servers.map(
					(server): StatRecord => ({
						proxy: 'webapps',
						service: server.server,
						kind: 'server',
						proxyId: 3,
						serverId: server.serverId,
						status: server.status,
						weight: server.userWeight,
						active: !server.backup,
						backup: server.backup,
						queueCurrent: 0,
						currentSessions: server.currentSessions,
						sessionLimit: null,
						totalSessions: server.totalSessions,
						lbTotal: server.lbTotal,
						requestsTotal: this.mode === 'tcp' ? null : server.requestsTotal,
						lastChange: 1,
						secondsSinceLastSession: null,
						tracked: server.tracked,
						checkStatus: server.checkStatus,
						checkInProgress: false,
						checkCode: 200,
						checkDescription: null,
						responses2xx: 0,
						responses5xx: 0,
						address: null,
						mode: this.mode,
						algorithm: null,
					}),
				);
				return this.backendLastSession === undefined
					? rows
					: [...rows, {...rows[0]!, service: 'BACKEND', kind: 'backend', serverId: null, secondsSinceLastSession: this.backendLastSession}];
			},
			snapshot: async (backend) => {
				this.check();
				return {instance: {socket: this.socket, pid: this.pid, version: '2.6.12', startTime: this.startTime, stopping: false}, backends: [this.backendOf(backend)]};
			},
			streamServers: async (onServer) => {
				this.check();
				for (const server of this.backendOf().servers) {
					onServer(server);
				}

				return {socket: this.socket, pid: this.pid, version: '2.6.12', startTime: this.startTime, stopping: false};
			},
			cliLevel: async () => {
				this.check();
				return this.level;
			},
			setServerState: async (target, state) => {
				this.check();
				const command = `set server ${target.backend}/${target.server} state ${state}`;
				this.sent.push(command);
				await this.heldCommands.get(command);
				const reply = this.replies.get(command) ?? '\n';
				if (reply.trim() !== '') {
					throw new RuntimeApiError(reply.trim() === 'Permission denied' ? 'not-admin' : 'haproxy-error', this.socket, `HAProxy at ${this.socket} answered "${reply.trim()}" to "${command}".`, {reply: reply.trim()});
				}

				const server = this.server(target.server);
				const admin = state === 'drain' ? (server.adminState & ~0x01) | 0x08 : state === 'maint' ? (server.adminState & ~0x08) | 0x01 : server.adminState & ~0x09;
				this.set(target.server, {adminState: admin, status: state === 'drain' ? 'DRAIN' : state === 'maint' ? 'MAINT' : 'UP'});
				if (this.lostReplies.has(command)) {
					this.reachable = false;
					throw new RuntimeApiError('timed-out', this.socket, `HAProxy at ${this.socket} did not answer within 5 s.`);
				}

				return {command, reply};
			},
			agentCheck: async (target, action) => {
				this.check();
				const command = `${action} agent ${target.backend}/${target.server}`;
				this.sent.push(command);
				this.set(target.server, {agentCheck: action === 'disable' ? 'disabled' : 'enabled'});
				return {command, reply: '\n'};
			},
			shutdownSessions: async (target) => {
				this.check();
				const command = `shutdown sessions server ${target.backend}/${target.server}`;
				this.sent.push(command);
				this.set(target.server, {currentSessions: 0});
				return {command, reply: '\n'};
			},
		};
	}

	/** A probe that load-balances round robin over the serving servers and counts in req_tot. */
	probe(): Probe {
		let next = 0;
		return {
			url: 'http://127.0.0.1:8080/',
			kind: this.mode === 'tcp' ? 'tcp' : 'http',
			target: targetFromUrl(this.mode === 'tcp' ? 'tcp://127.0.0.1:8080' : 'http://127.0.0.1:8080/'),
			send: async (count) => {
				const attempts: ProbeAttempt[] = [];
				for (let index = 0; index < count; index++) {
					const serving = this.servers.filter((server) => isServing(server) && !server.backup);
					const pool = serving.length > 0 ? serving : this.servers.filter((server) => isServing(server));
					const chosen = this.algorithm === 'source' ? pool.find((server) => server.server !== 'app01') : pool[next++ % Math.max(1, pool.length)];
					if (!chosen) {
						attempts.push({ok: false, status: 503, servedBy: null, error: 'HTTP 503', ms: 1});
						continue;
					}

					chosen.requestsTotal = (chosen.requestsTotal ?? 0) + 1;
					chosen.lbTotal = (chosen.lbTotal ?? 0) + 1;
					chosen.totalSessions += 1;
					attempts.push({ok: true, status: 200, servedBy: chosen.server, error: null, ms: 1});
				}

				return attempts;
			},
		};
	}
}

/** A clock whose sleep advances time at once (and gives the test a hook at each tick). */
export class FakeClock implements Clock {
	time = 1_764_000_000_000;
	onSleep: ((time: number) => void) | undefined;
	now = () => this.time;
	sleep = async (ms: number) => {
		this.time += ms;
		this.onSleep?.(this.time);
		await Promise.resolve();
	};
}

export type EngineHarness = {
	context: RunbookContext;
	io: RunbookIo;
	state: () => RunbookState;
	prompts: Prompt[];
	answers: boolean[];
	actions: RunbookAction[];
	journalFile: string;
};

/** A context over fakes, and an io that records prompts and answers from `answers` (default yes). */
export function engineHarness(haproxy: FakeHaproxy, clock: FakeClock, overrides: Partial<RunbookContext['options']> = {}, target = 'webapps/app01'): EngineHarness {
	const dir = scratchDir('drainboard-journal-');
	const journalFile = path.join(dir, 'journal.jsonl');
	// The server-state file the fake configuration loads: one that exists, so validate's check of
	// it reads the same on every machine (whatever /var/lib/haproxy holds there).
	const serverStateFile = path.join(dir, 'server-state');
	writeFileSync(serverStateFile, '1\n');
	const parsed: Target = parseTarget(target);
	const clients = [haproxy.client()];
	const context: RunbookContext = runbookContext({
		target: parsed,
		clients,
		store: createRunbookStore(initialRunbookState(target, clock.now(), {probe: haproxy.probe(), probeSource: 'from --url'})),
		clock,
		journal: new Journal(journalFile, {session: 'test', user: 'tester', host: 'lb1'}),
		lock: new BackendLock({dir, backend: parsed.backend, clients, user: 'tester'}),
		marks: new DrainMarks({dir, clients}),
		config: {files: ['/etc/haproxy/haproxy.cfg'], source: 'the file HAProxy pid 100 loaded (its command line)', warnings: [], parsed: haproxy.config()},
		backendFacts: {name: 'webapps', mode: 'http', balance: 'roundrobin', persistence: [], serverStateFile, loadsServerState: true, uncertain: []},
		configProblem: null,
		checkConfig: async () => ({ok: true, exitCode: 0, warnings: [], alerts: [], output: 'Configuration file is valid'}),
		commandFlags: {socket: []},
		options: {requests: 10, proof: 'probe', proofWindowMs: 30_000, autoSampleMs: 3000, quietTimeoutMs: 5000, readyTimeoutMs: 10_000, settleMs: 2000, holdMs: 1000, force: false, skipValidate: false, interactive: false, dryRun: false, allowDown: false, takeOver: false, ...overrides},
	});
	const prompts: Prompt[] = [];
	const answers: boolean[] = [];
	const actions: RunbookAction[] = [];
	return {
		context,
		prompts,
		answers,
		actions,
		journalFile,
		state: () => context.store.getState(),
		io: {
			dispatch(action) {
				actions.push(action);
				context.store.dispatch(action);
			},
			async ask(prompt) {
				prompts.push(prompt);
				return answers.length > 0 ? answers.shift()! : true;
			},
		},
	};
}
