import type {AdminFlag, OpStateName} from '../decode/labels.js';

/** One HAProxy process, reached through one Runtime API socket. */
export type Instance = {
	/** The socket label as given (`/run/haproxy/admin.sock`, `127.0.0.1:9999`). */
	socket: string;
	pid: number;
	version: string;
	/** Start_time_sec; null on releases before 2.4. */
	startTime: number | null;
	stopping: boolean;
};

/** Whether a server has an agent-check, and whether it runs. */
type AgentCheck = 'none' | 'enabled' | 'disabled';

/** A server as the grid and the checks read it: servers-state merged with its `show stat` row. */
export type Server = {
	socket: string;
	backend: string;
	server: string;
	backendId: number;
	serverId: number;
	address: string;
	port: number | null;
	opState: number;
	opStateName: OpStateName;
	adminState: number;
	adminFlags: readonly AdminFlag[];
	userWeight: number;
	initialWeight: number;
	/** HAProxy's status text from `show stat` (`UP`, `DRAIN`, `MAINT (via b/s)`, …). */
	status: string;
	/** Last health check result name (`L7OK`, `L4CON`, …), null when no check is configured. */
	checkStatus: string | null;
	checkConfigured: boolean;
	/**
	 * A health check configured but disabled at runtime (`disable health`, srv_check_state without
	 * its ENABLED bit): no result comes, and HAProxy keeps the server's last state whatever the service does.
	 */
	checkDisabled: boolean;
	checkDescription: string | null;
	/**
	 * The server's agent-check (srv_agent_state): `enabled` can set the server's state (an agent
	 * answering `ready` undoes a drain), `disabled` was stopped with `disable agent`.
	 */
	agentCheck: AgentCheck;
	currentSessions: number;
	totalSessions: number;
	sessionLimit: number | null;
	/** HTTP responses from this server (`req_tot`); null in TCP mode. */
	requestsTotal: number | null;
	lbTotal: number | null;
	backup: boolean;
	/** `backend/server` this server tracks, or null. */
	tracked: string | null;
	secondsSinceChange: number;
	/** When that was, in ms since the epoch (read time minus `secondsSinceChange`). */
	changedAt: number;
};

/** A backend of one instance with its servers in configuration order. */
export type Backend = {
	socket: string;
	name: string;
	id: number;
	/** `http` or `tcp`, when `show stat` reports it. */
	mode: string | null;
	algorithm: string | null;
	servers: Server[];
};

/** Everything read from one instance in one poll. */
export type InstanceSnapshot = {
	instance: Instance;
	backends: Backend[];
};

/** Every instance drainboard watches, read in one poll. */
export type PoolSnapshot = {
	instances: InstanceSnapshot[];
	/** When the poll finished (ms since the epoch). */
	takenAt: number;
};
