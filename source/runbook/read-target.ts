import type {Backend, InstanceSnapshot, Server} from '../model/types.js';
import {isUnreachable} from '../runtime/runtime-error.js';
import type {RunbookContext} from './context.js';

/** The target's backend and server as one instance reports it now. */
export type TargetView = {socket: string; snapshot: InstanceSnapshot; backend: Backend | undefined; server: Server | undefined};

/**
 * Reads the target's backend on every instance (filtered commands); `whole`: every backend, for
 * capacity (the servers that track the target may be anywhere).
 */
export async function readTarget(context: RunbookContext, signal?: AbortSignal, whole = false): Promise<TargetView[]> {
	return Promise.all(
		context.clients.map(async (client) => {
			const snapshot = await client.snapshot(whole ? undefined : context.target.backend, signal);
			const backend = snapshot.backends.find((candidate) => candidate.name === context.target.backend);
			return {socket: client.socket, snapshot, backend, server: backend?.servers.find((server) => server.server === context.target.server)};
		}),
	);
}

/** `on /run/haproxy/admin.sock` for one instance, `on 2 instances` for several. */
export function onInstances(context: RunbookContext): string {
	return context.clients.length === 1 ? `on ${context.clients[0]!.socket}` : `on ${context.clients.length} instances`;
}

/** ` on both instances` / ` on all 3 instances` with several instances, nothing with one. */
export function everywhere(context: RunbookContext): string {
	const count = context.clients.length;
	return count === 1 ? '' : count === 2 ? ' on both instances' : ` on all ${count} instances`;
}

/** Prefixes a sentence with the socket when there are several instances. */
export function perInstance(context: RunbookContext, socket: string, text: string): string {
	return context.clients.length > 1 ? `${socket}: ${text}` : text;
}

/** Like {@link readTarget}, but null while HAProxy does not answer: for checks that wait anyway. */
export async function readTargetPatiently(context: RunbookContext, signal?: AbortSignal): Promise<TargetView[] | null> {
	try {
		return await readTarget(context, signal);
	} catch (error) {
		if (isUnreachable(error)) {
			return null;
		}

		throw error;
	}
}

export const unreachableLine = 'HAProxy does not answer; waiting for it (the step keeps its place)';
