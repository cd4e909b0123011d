import {summarizeBackend, type BackendSummary} from '../../model/server-condition.js';
import type {Backend, InstanceSnapshot, PoolSnapshot, Server} from '../../model/types.js';

/** One line of the grid: an instance heading (several instances only), a backend, or a server. */
export type GridRow =
	| {kind: 'instance'; key: string; socket: string; snapshot: InstanceSnapshot}
	| {kind: 'backend'; key: string; socket: string; backend: Backend; summary: BackendSummary}
	| {kind: 'server'; key: string; socket: string; server: Server; differs: boolean};

export function serverKey(socket: string, backend: string, server: string): string {
	return `s:${socket}|${backend}/${server}`;
}

function backendKey(socket: string, backend: string): string {
	return `b:${socket}|${backend}`;
}

export function isServerKey(key: string | null): key is string {
	return key?.startsWith('s:') ?? false;
}

/** What the grid's cursor needs of the rows: how many, the key of one, where a key is. */
export type RowIndex = {
	readonly length: number;
	keyAt(index: number): string | null;
	indexOf(key: string): number;
};

type Section =
	| {kind: 'instance'; socket: string; snapshot: InstanceSnapshot}
	| {kind: 'backend'; socket: string; backend: Backend; servers: readonly Server[]};

const summaries = new WeakMap<Backend, BackendSummary>();

function summaryOf(backend: Backend): BackendSummary {
	let summary = summaries.get(backend);
	if (!summary) {
		summary = summarizeBackend(backend);
		summaries.set(backend, summary);
	}

	return summary;
}

/**
 * The rows of the grid, without making them: backends and their servers as sections with
 * offsets. A row object (and its key) is made only when asked for, so with 10,000 servers a poll
 * costs the sections, not 10,000 rows; the screen asks for the twenty it shows.
 */
class GridRows implements RowIndex {
	readonly length: number;
	/** Servers shown (all, or those the filter keeps). */
	readonly servers: number;
	private readonly sections: Section[];
	/** Row index where each section starts. */
	private readonly starts: number[];
	/** `backend/server` names whose admin state differs between instances. */
	private readonly differences: ReadonlyMap<string, unknown>;

	constructor(sections: Section[], differences: ReadonlyMap<string, unknown> = new Map()) {
		this.sections = sections;
		this.differences = differences;
		this.starts = [];
		let row = 0;
		let servers = 0;
		for (const section of sections) {
			this.starts.push(row);
			row += section.kind === 'instance' ? 1 : 1 + section.servers.length;
			servers += section.kind === 'backend' ? section.servers.length : 0;
		}

		this.length = row;
		this.servers = servers;
	}

	private locate(index: number): {section: Section; offset: number} | undefined {
		if (index < 0 || index >= this.length) {
			return undefined;
		}

		let low = 0;
		let high = this.starts.length - 1;
		while (low < high) {
			const middle = (low + high + 1) >> 1;
			if (this.starts[middle]! <= index) {
				low = middle;
			} else {
				high = middle - 1;
			}
		}

		return {section: this.sections[low]!, offset: index - this.starts[low]!};
	}

	at(index: number): GridRow | undefined {
		const found = this.locate(index);
		if (!found) {
			return undefined;
		}

		const {section, offset} = found;
		if (section.kind === 'instance') {
			return {kind: 'instance', key: `i:${section.socket}`, socket: section.socket, snapshot: section.snapshot};
		}

		if (offset === 0) {
			return {kind: 'backend', key: backendKey(section.socket, section.backend.name), socket: section.socket, backend: section.backend, summary: summaryOf(section.backend)};
		}

		const server = section.servers[offset - 1]!;
		const differs = this.differences.size > 0 && this.differences.has(`${section.backend.name}/${server.server}`);
		return {kind: 'server', key: serverKey(section.socket, section.backend.name, server.server), socket: section.socket, server, differs};
	}

	slice(start: number, end: number): GridRow[] {
		const rows: GridRow[] = [];
		for (let index = Math.max(0, start); index < Math.min(end, this.length); index++) {
			rows.push(this.at(index)!);
		}

		return rows;
	}

	keyAt(index: number): string | null {
		return this.at(index)?.key ?? null;
	}

	/** Where a row key is, comparing names without building keys for every row; -1 when gone. */
	indexOf(key: string): number {
		const match = /^([sbi]):(.*?)(?:\|([^/]*)(?:\/(.*))?)?$/s.exec(key);
		if (!match) {
			return -1;
		}

		const [, kind, socket, backendName, serverName] = match;
		for (const [index, section] of this.sections.entries()) {
			if (section.socket !== socket) {
				continue;
			}

			if (kind === 'i' && section.kind === 'instance') {
				return this.starts[index]!;
			}

			if (section.kind === 'backend' && section.backend.name === backendName) {
				if (kind === 'b') {
					return this.starts[index]!;
				}

				const server = section.servers.findIndex((candidate) => candidate.server === serverName);
				return server === -1 ? -1 : this.starts[index]! + 1 + server;
			}
		}

		return -1;
	}

	/** The server a key names, when it is shown. */
	serverOf(key: string | null): Server | undefined {
		if (!isServerKey(key)) {
			return undefined;
		}

		const row = this.at(this.indexOf(key));
		return row?.kind === 'server' ? row.server : undefined;
	}
}

/**
 * The rows of the grid for a filter: a backend whose name matches shows all its servers; otherwise
 * only the servers whose name (or `backend/server`) matches, under their backend. Case-insensitive.
 */
export function buildRows(pool: PoolSnapshot | null, filter: string, differences?: ReadonlyMap<string, unknown>): GridRows {
	if (!pool) {
		return new GridRows([]);
	}

	const needle = filter.trim().toLowerCase();
	const severalInstances = pool.instances.length > 1;
	const sections: Section[] = [];
	for (const snapshot of pool.instances) {
		const {socket} = snapshot.instance;
		const instanceSections: Section[] = [];
		for (const backend of snapshot.backends) {
			const backendMatches = needle === '' || backend.name.toLowerCase().includes(needle);
			const servers = backendMatches
				? backend.servers
				: backend.servers.filter((server) => `${backend.name}/${server.server}`.toLowerCase().includes(needle) || server.server.toLowerCase().includes(needle));
			if (backendMatches || servers.length > 0) {
				instanceSections.push({kind: 'backend', socket, backend, servers});
			}
		}

		if (severalInstances && instanceSections.length > 0) {
			sections.push({kind: 'instance', socket, snapshot});
		}

		sections.push(...instanceSections);
	}

	return new GridRows(sections, differences);
}
