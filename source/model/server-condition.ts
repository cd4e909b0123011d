import {anyDrainMask, anyMaintMask, failingCheckStatuses, passingCheckStatuses} from '../decode/labels.js';
import type {Backend, Server} from './types.js';

/** The one word that sums a server up for the grid and the checks. */
export type Condition = 'up' | 'drain' | 'maint' | 'down' | 'starting' | 'stopping';

/** Drained by its own drain or one it inherits (IDRAIN). */
function drainedAnyHow(server: Server): boolean {
	return (server.adminState & anyDrainMask) !== 0;
}

/**
 * The server's own drain is set (FDRAIN): what `set server … state drain` sets and `state ready`
 * clears. A drain it inherits from a tracked server (IDRAIN) is not its own; a missing server is not drained.
 */
export function drainSet(server: Pick<Server, 'adminFlags'> | null | undefined): boolean {
	return server?.adminFlags.includes('FDRAIN') ?? false;
}

export function inMaintenance(server: Server): boolean {
	return (server.adminState & anyMaintMask) !== 0;
}

/** Out of rotation by an admin state: drained (own or inherited) or in any maintenance. */
export function outOfRotation(server: Pick<Server, 'adminState'>): boolean {
	return (server.adminState & (anyDrainMask | anyMaintMask)) !== 0;
}

export function isRunning(server: Server): boolean {
	return server.opState === 2;
}

/** Receives new load-balanced traffic: running, not drained, not in maintenance, weight above 0. */
export function isServing(server: Server): boolean {
	return isRunning(server) && !drainedAnyHow(server) && !inMaintenance(server) && server.userWeight > 0;
}

/** The last health check passed, or no check is configured (then HAProxy trusts the server). */
export function isHealthy(server: Server): boolean {
	if (!isRunning(server)) {
		return false;
	}

	return !server.checkConfigured || (server.checkStatus !== null && passingCheckStatuses.has(server.checkStatus));
}

/**
 * Running, but its last health check failed: HAProxy shows it `UP n/m` (L4CON, L7STS, …), going
 * down unless the next checks pass. It still takes traffic now, but it is no capacity to count on.
 */
export function failingChecks(server: Server): boolean {
	return isRunning(server) && server.checkConfigured && server.checkStatus !== null && failingCheckStatuses.has(server.checkStatus);
}

/** Serving, and not failing its health checks: capacity that stays while another server leaves. */
export function staysServing(server: Server): boolean {
	return isServing(server) && !failingChecks(server);
}

export function conditionOf(server: Server): Condition {
	if (inMaintenance(server)) {
		return 'maint';
	}

	switch (server.opState) {
		case 0: {
			return 'down';
		}

		case 1: {
			return 'starting';
		}

		case 3: {
			return 'stopping';
		}

		default: {
			return drainedAnyHow(server) ? 'drain' : 'up';
		}
	}
}

/** Counts for a backend's group row. */
export type BackendSummary = {
	total: number;
	up: number;
	serving: number;
	currentSessions: number;
	/** No server (active or backup) takes new traffic: HAProxy answers 503. */
	noneServing: boolean;
};

export function summarizeBackend(backend: Backend): BackendSummary {
	let up = 0;
	let serving = 0;
	let currentSessions = 0;
	for (const server of backend.servers) {
		if (isRunning(server) && !inMaintenance(server)) {
			up++;
		}

		if (isServing(server)) {
			serving++;
		}

		currentSessions += server.currentSessions;
	}

	return {total: backend.servers.length, up, serving, currentSessions, noneServing: backend.servers.length > 0 && serving === 0};
}
