import {errorCodeOf, sentenceOf} from '../errors.js';
import {differingServers} from '../model/differences.js';
import {isServing, summarizeBackend} from '../model/server-condition.js';
import type {Instance, PoolSnapshot, Server} from '../model/types.js';
import {terminalSafeJson} from '../visible-text.js';
import type {DrainOwner} from './drain-owners.js';
import type {LostDrainJson} from './lost-drains.js';
import {instanceFields, serverFields, statusJsonSchema, type StatusJson} from './status-schema.js';

/** The contract's server fields, each one the compiler finds on the model's {@link Server}. */
const modelServerFields: ReadonlyArray<keyof Server> = serverFields;

/** The instances' JSON, with the fields of the contract in its order. */
const instancesJson = (instances: readonly Instance[]) => JSON.stringify(instances, (instanceFields satisfies ReadonlyArray<keyof Instance>) as string[]);

function differencesJson(pool: PoolSnapshot) {
	return [...differingServers(pool).values()].map((difference) => ({server: difference.name, states: difference.states}));
}

/** Servers per piece of JSON: about 100 KB of text. */
const serversPerPiece = 400;

/** The text before the first server. */
export const statusJsonHead = (instances: readonly Instance[]) => `{"instances":${terminalSafeJson(instancesJson(instances))},"servers":[`;

/** The text after the last server of one instance (one instance has no differences). */
export const singleInstanceTail = (drains: readonly DrainOwner[], lostDrains: readonly LostDrainJson[] = [], unserved: readonly UnservedJson[] = []) =>
	`],"differences":[],"drains":${terminalSafeJson(JSON.stringify(drains))},"lostDrains":${terminalSafeJson(JSON.stringify(lostDrains))},"unserved":${terminalSafeJson(JSON.stringify(unserved))}}\n`;

/** One backend with servers of which none serves, as `status --json` prints it. */
type UnservedJson = StatusJson['unserved'][number];

/** The backends of `pool` with servers of which none serves, in HAProxy's order, instance by instance. */
function unservedOf(pool: PoolSnapshot): UnservedJson[] {
	return pool.instances.flatMap(({instance, backends}) => backends.filter((backend) => summarizeBackend(backend).noneServing).map((backend) => ({socket: instance.socket, backend: backend.name})));
}

/**
 * The backends seen with no server serving while the servers of one instance stream by: a
 * backend is added at its first server, and is served once one of its servers serves.
 */
export class UnservedTally {
	private readonly serving = new Map<string, boolean>();

	add(server: Server): void {
		this.serving.set(server.backend, (this.serving.get(server.backend) ?? false) || isServing(server));
	}

	of(socket: string): UnservedJson[] {
		return [...this.serving].filter(([, serving]) => !serving).map(([backend]) => ({socket, backend}));
	}
}

/**
 * The `servers` array's items, made as the servers are added (in order), handed to `onPiece`
 * a few hundred servers at a time. Each batch is written with the contract's field list (from
 * `status-schema.ts`) as `JSON.stringify`'s property list, so V8 writes it natively, with no
 * object made per server.
 */
export class ServersJson {
	private batch: Server[] = [];
	private written = 0;

	constructor(private readonly onPiece: (text: string) => void) {}

	add(server: Server): void {
		this.batch.push(server);
		if (this.batch.length === serversPerPiece) {
			this.flush();
		}
	}

	/** After the last server: hands on the last, partial batch. */
	end(): void {
		if (this.batch.length > 0) {
			this.flush();
		}
	}

	private flush(): void {
		const text = terminalSafeJson(JSON.stringify(this.batch, modelServerFields as string[]));
		// The batch's array without its brackets, after a comma unless it is the first.
		this.onPiece(`${this.written === 0 ? '' : ','}${text.slice(1, -1)}`);
		this.written += this.batch.length;
		this.batch = [];
	}
}

/**
 * `status --json` of a whole snapshot (several instances, or one backend): the object of
 * `status-schema.ts` (`instances`, `servers`, `differences`, the servers whose admin state is
 * not the same on every instance, empty with one instance, `drains` and `lostDrains`), as text and a newline, in one
 * `JSON.stringify` per part. (Writing it in 400-server pieces was measured against this and
 * gained nothing: test/bench/README.md.)
 */
export function statusJson(pool: PoolSnapshot, drains: readonly DrainOwner[], lostDrains: readonly LostDrainJson[] = []): string {
	const servers = pool.instances.flatMap(({backends}) => backends.flatMap((backend) => backend.servers));
	const instances = instancesJson(pool.instances.map(({instance}) => instance));
	return `${terminalSafeJson(`{"instances":${instances},"servers":${JSON.stringify(servers, modelServerFields as string[])},"differences":${JSON.stringify(differencesJson(pool))},"drains":${JSON.stringify(drains)},"lostDrains":${JSON.stringify(lostDrains)},"unserved":${JSON.stringify(unservedOf(pool))}}`)}\n`;
}

/**
 * `status --json` when status fails (a bad flag, a backend HAProxy does not have, no socket): the
 * contract's object with empty lists and `error` (its code, and stderr's sentence), checked
 * against the schema first (a mismatch is a bug, not output).
 */
export function statusErrorJson(error: unknown): string {
	const checked = statusJsonSchema.parse({instances: [], servers: [], differences: [], drains: [], lostDrains: [], unserved: [], error: {code: errorCodeOf(error), message: sentenceOf(error)}});
	return `${terminalSafeJson(JSON.stringify(checked))}\n`;
}
