import {summarizeBackend, type BackendSummary} from '../../model/server-condition.js';
import type {Backend, InstanceSnapshot, PoolSnapshot, Server} from '../../model/types.js';

/** One line of the grid: an instance heading (several instances only), a backend, or a server. */
export type GridRow =
	| {kind: 'instance'; key: string; socket: string; snapshot: InstanceSnapshot}
	| {kind: 'backend'; key: string; socket: string; backend: Backend; summary: BackendSummary}
	| {kind: 'server'; key: string; socket: string; server: Server};

export function serverKey(socket: string, backend: string, server: string): string {
	return `s:${socket}|${backend}/${server}`;
}

export function backendKey(socket: string, backend: string): string {
	return `b:${socket}|${backend}`;
}

export function isServerKey(key: string | null): key is string {
	return key?.startsWith('s:') ?? false;
}

/**
 * The rows of the grid for a filter: a backend whose name matches shows all its servers; otherwise
 * only the servers whose name (or `backend/server`) matches, under their backend. Case-insensitive.
 */
export function buildRows(pool: PoolSnapshot | null, filter: string): GridRow[] {
	if (!pool) {
		return [];
	}

	const needle = filter.trim().toLowerCase();
	const severalInstances = pool.instances.length > 1;
	const rows: GridRow[] = [];
	for (const snapshot of pool.instances) {
		const {socket} = snapshot.instance;
		const instanceRows: GridRow[] = [];
		for (const backend of snapshot.backends) {
			const backendMatches = needle === '' || backend.name.toLowerCase().includes(needle);
			const servers = backendMatches
				? backend.servers
				: backend.servers.filter((server) => `${backend.name}/${server.server}`.toLowerCase().includes(needle) || server.server.toLowerCase().includes(needle));
			if (!backendMatches && servers.length === 0) {
				continue;
			}

			instanceRows.push({kind: 'backend', key: backendKey(socket, backend.name), socket, backend, summary: summarizeBackend(backend)});
			for (const server of servers) {
				instanceRows.push({kind: 'server', key: serverKey(socket, backend.name, server.server), socket, server});
			}
		}

		if (severalInstances && instanceRows.length > 0) {
			rows.push({kind: 'instance', key: `i:${socket}`, socket, snapshot});
		}

		rows.push(...instanceRows);
	}

	return rows;
}
