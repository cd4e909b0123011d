import {differingServers} from '../model/differences.js';
import type {Instance, PoolSnapshot, Server} from '../model/types.js';

/**
 * The fields of one server in `status --json`, in the order DESIGN.md gives them (about 20 ms
 * less at 10,000 servers on a cold start as a property list than one small stringify per server).
 */
const serverFields: ReadonlyArray<keyof Server> = [
	'socket',
	'backend',
	'server',
	'address',
	'port',
	'opState',
	'opStateName',
	'adminState',
	'adminFlags',
	'userWeight',
	'initialWeight',
	'status',
	'checkStatus',
	'currentSessions',
	'totalSessions',
];

function instancesJson(instances: readonly Instance[]) {
	return instances.map((instance) => ({socket: instance.socket, pid: instance.pid, version: instance.version, startTime: instance.startTime}));
}

function differencesJson(pool: PoolSnapshot) {
	return [...differingServers(pool).values()].map((difference) => ({server: difference.name, states: difference.states}));
}

/** Servers per piece of {@link statusJsonPieces}: about 100 KB of text. */
export const serversPerPiece = 400;

/** The text before the first server. */
export const statusJsonHead = (instances: readonly Instance[]) => `{"instances":${JSON.stringify(instancesJson(instances))},"servers":[`;

/** The text after the last server, given the differences' JSON. */
const statusJsonTail = (differences: string) => `],"differences":${differences}}\n`;

/** The text after the last server of one instance (one instance has no differences). */
export const singleInstanceTail = statusJsonTail('[]');

/**
 * A batch of servers as JSON array items (after a comma unless `first`). Written with the
 * contract's field list as `JSON.stringify`'s property list, so V8 writes the batch natively,
 * with no object made per server.
 */
export function serversJsonText(batch: readonly Server[], first: boolean): string {
	const text = JSON.stringify(batch, serverFields as string[]);
	return `${first ? '' : ','}${text.slice(1, -1)}`;
}

/**
 * `status --json`: the object of DESIGN.md (`instances`, `servers`) and `differences`, the
 * servers whose admin state is not the same on every instance (empty with one instance); as
 * text and a newline, in pieces of a few hundred servers. Written piece by piece, 10,000 servers
 * never become one 3 MB string and its 3 MB buffer: fresh memory is what a cold start pays for most.
 */
export function* statusJsonPieces(pool: PoolSnapshot): Generator<string> {
	let piece = statusJsonHead(pool.instances.map(({instance}) => instance));
	let batch: Server[] = [];
	let written = 0;
	const flush = () => {
		piece += serversJsonText(batch, written === 0);
		written += batch.length;
		batch = [];
	};

	for (const {backends} of pool.instances) {
		for (const backend of backends) {
			for (const server of backend.servers) {
				batch.push(server);
				if (batch.length === serversPerPiece) {
					flush();
					yield piece;
					piece = '';
				}
			}
		}
	}

	if (batch.length > 0) {
		flush();
	}

	yield `${piece}${statusJsonTail(JSON.stringify(differencesJson(pool)))}`;
}
