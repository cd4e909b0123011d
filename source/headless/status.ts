import type {RuntimeClient} from '../runtime/client.js';
import type {ProxyName} from '../runtime/names.js';
import {RuntimeApiError} from '../runtime/runtime-error.js';
import type {PoolSnapshot} from '../model/types.js';
import {statusJsonPieces} from './status-json.js';
import {formatStatusTable} from './status-table.js';

export type StatusOptions = {backend?: ProxyName; json: boolean; width: number};

/** Reads every instance once (in parallel) into one snapshot. */
export async function readPool(clients: readonly RuntimeClient[], backend?: ProxyName): Promise<PoolSnapshot> {
	const instances = await Promise.all(
		clients.map(async (client) => {
			try {
				return await client.snapshot(backend);
			} catch (error) {
				if (backend && error instanceof RuntimeApiError && error.kind === 'haproxy-error' && /^(?:Can't find backend\.|No such proxy\.)$/.test(error.reply ?? '')) {
					throw new RuntimeApiError('haproxy-error', client.socket, `HAProxy at ${client.socket} has no backend "${backend}"; run drainboard status to list the backends.`, {
						reply: error.reply,
					});
				}

				throw error;
			}
		}),
	);
	return {instances, takenAt: Date.now()};
}

/** `drainboard status`: one snapshot, handed to `write` as JSON (in pieces) or as a plain table. */
export async function runStatus(clients: readonly RuntimeClient[], options: StatusOptions, write: (text: string) => void): Promise<void> {
	const pool = await readPool(clients, options.backend);
	if (!options.json) {
		write(formatStatusTable(pool, options.width));
		return;
	}

	for (const piece of statusJsonPieces(pool)) {
		write(piece);
	}
}
