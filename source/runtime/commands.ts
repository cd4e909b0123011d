import {formatTarget, type MapName, type ProxyName, type Target} from './names.js';

/** The admin states drainboard sets (`set server B/S state …`). */
export type ServerAdminState = 'ready' | 'drain' | 'maint';

/** What drainboard does to a server's agent-check around a drain. */
export type AgentAction = 'disable' | 'enable';

/**
 * Command lines, built only from validated names ({@link ProxyName}), so no caller can put
 * `;`, `\` or a newline into a line sent to HAProxy.
 */
export const commands = {
	showInfo: () => 'show info',
	showCliLevel: () => 'show cli level',
	showServersState: (backend?: ProxyName) => (backend ? `show servers state ${backend}` : 'show servers state'),
	/** Backend and server rows (type mask 2|4) of one backend, or of every proxy. */
	showStat: (backend?: ProxyName) => (backend ? `show stat ${backend} 6 -1` : 'show stat -1 6 -1'),
	/**
	 * The same rows of one proxy by its numeric id. `show stat <name>` takes the first proxy of
	 * that name, frontends included: a frontend and a backend may share a name, and then the
	 * name gives the frontend's (empty) rows. The backend's id (`be_id`) is unambiguous.
	 */
	showStatOfId: (proxyId: number) => `show stat ${Math.trunc(proxyId)} 6 -1`,
	/** The entries of a map as HAProxy holds them now (its file's, and what `add map`/`set map` changed since). */
	showMap: (name: MapName) => `show map ${name}`,
	setServerState: (target: Target, state: ServerAdminState) => `set server ${formatTarget(target)} state ${state}`,
	shutdownSessions: (target: Target) => `shutdown sessions server ${formatTarget(target)}`,
	/** Stops (`disable`) or resumes (`enable`) the server's agent-check, which can set its state. */
	agentCheck: (target: Target, action: AgentAction) => `${action} agent ${formatTarget(target)}`,
	/**
	 * A harmless probe of the socket level for releases without `show cli level`: a state change
	 * on server id 0, which cannot exist. At level admin HAProxy answers that there is no such
	 * backend; below it answers `Permission denied` (it checks the level before the names).
	 */
	adminProbe: () => 'set server #0/#0 state ready',
} as const;
