import * as z from 'zod/mini';
import {adminFlagOrder, opStateNames} from '../decode/labels.js';
import {errorCodes} from '../errors.js';

/** A whole number, 0 or more; a new schema at each use, so that each field keeps its own description. */
const count = () => z.int().check(z.minimum(0));

/** One HAProxy process, as `show info` names it. */
const instanceSchema = z.strictObject({
	socket: z.string().check(z.describe('the socket as given (`/run/haproxy/admin.sock`, `127.0.0.1:9999`, `/run/haproxy-master.sock [worker 1]`)')),
	pid: count().check(z.describe('`Pid` of `show info`')),
	version: z.string().check(z.describe('HAProxy\'s version as `show info` prints it (`2.6.12-1+deb12u4`)')),
	startTime: z.nullable(count()).check(z.describe('`Start_time_sec` of `show info` (seconds since the epoch); null before HAProxy 2.4')),
});

/** One server: its `show servers state` row merged with its `show stat` row. */
const serverSchema = z.strictObject({
	socket: z.string().check(z.describe('the instance it was read from (an `instances[].socket`)')),
	backend: z.string().check(z.describe('backend name')),
	server: z.string().check(z.describe('server name')),
	address: z.string().check(z.describe('`srv_addr`')),
	port: z.nullable(count()).check(z.describe('`srv_port`; null when HAProxy does not print it (before 1.8)')),
	opState: count().check(z.describe('`srv_op_state`: 0 stopped, 1 starting, 2 running, 3 stopping')),
	opStateName: z.enum(opStateNames).check(z.describe('`opState` in words')),
	adminState: count().check(z.describe('`srv_admin_state`, a bit mask (8 = FDRAIN)')),
	adminFlags: z.array(z.enum(adminFlagOrder as [string, ...string[]])).check(z.describe('the bits of `adminState` by name: FMAINT, IMAINT (inherited), CMAINT (disabled in the config), FDRAIN, IDRAIN (inherited), RMAINT (DNS), HMAINT (FQDN changed)')),
	userWeight: count().check(z.describe('`srv_uweight`: the weight now (a drain does not change it)')),
	initialWeight: count().check(z.describe('`srv_iweight`: the weight in the configuration')),
	status: z.string().check(z.describe('HAProxy\'s status text from `show stat` (`UP`, `DRAIN`, `MAINT (via b/s)`, `DOWN 1/2`, …)')),
	checkStatus: z.nullable(z.string()).check(z.describe('the last health check\'s result (`L7OK`, `L4CON`, …); null without a check or before its first result')),
	currentSessions: count().check(z.describe('`scur`: sessions open now')),
	totalSessions: count().check(z.describe('`stot`: sessions since HAProxy started')),
});

/** A server whose admin state is not the same on every instance. */
const differenceSchema = z.strictObject({
	server: z.string().check(z.describe('`backend/server`')),
	states: z.array(z.strictObject({socket: z.string(), state: z.string()})).check(z.describe('its admin state on each instance: `ready`, `drain`, `maint`, `missing`, or several joined with `+`')),
});

/** A drained server, and whose maintenance drained it. */
const drainSchema = z.strictObject({
	socket: z.string().check(z.describe('the instance it is drained on (an `instances[].socket`)')),
	server: z.string().check(z.describe('`backend/server`')),
	by: z
		.nullable(
			z.strictObject({
				user: z.string().check(z.describe('the operator (the mark file\'s owner; under sudo, the user sudo names)')),
				host: z.string().check(z.describe('the host drainboard ran on')),
				journal: z.string().check(z.describe('the journal of that maintenance (absolute path)')),
				since: z.iso.datetime().check(z.describe('when the drain was applied (ISO 8601, UTC)')),
			}),
		)
		.check(z.describe('whose drainboard maintenance drained it, from the drain marks every drainboard of this host leaves beside its locks; null when no mark names one (drained by hand or another tool, or the mark ended: a drainboard restored it or saw it in rotation since), or when the marks could not be read (stderr then says so). HAProxy keeps no time of a drain: a server set ready and drained again by hand while no drainboard saw it still names the maintenance whose drain it was')),
});

/** An open maintenance of the journal whose drain HAProxy no longer shows: the server is in rotation, or HAProxy has it no more. */
const lostDrainSchema = z.strictObject({
	socket: z.string().check(z.describe('the instance that shows it in rotation, or has it no more (an `instances[].socket`)')),
	server: z.string().check(z.describe('`backend/server`')),
	by: z
		.strictObject({
			user: z.string().check(z.describe('who started the maintenance, as the journal says')),
			journal: z.string().check(z.describe('the journal status read (absolute path): `--journal`, else the default')),
			startedAt: z.string().check(z.describe('when the maintenance started: the journal\'s time (ISO 8601, UTC)')),
			drainedAt: z.nullable(z.string()).check(z.describe('when HAProxy accepted its drain (ISO 8601, UTC), as the journal says; null when it does not (a drain the maintenance found made and took up: when it was made is not known)')),
		})
		.check(z.describe('the open maintenance that drained it, from the journal: `user` (who started it), `journal` (the journal read, absolute path), `startedAt` (when it started), `drainedAt` (when HAProxy accepted its drain; null when the journal does not say, as for a drain the maintenance found made and took up), times ISO 8601 UTC')),
	undone: z
		.enum(['reload', 'change', 'unknown', 'removed', 'maintenance'])
		.check(
			z.describe(
				'what took the drain away, from the journal\'s drain entry and HAProxy\'s process now: `reload` (another pid or start time: HAProxy was reloaded or restarted, and no server-state file kept the drain), `change` (the same process: someone or something set it ready), `unknown` (the journal has no pid of this instance), `removed` (HAProxy has no such server now: `del server`, or a reload with another configuration; nothing of it is drained), `maintenance` (someone put it into maintenance, `state maint`, which cleared the drain: out of rotation, but not by that maintenance, and restore does not put it back)',
			),
		),
	underWay: z
		.nullable(z.string())
		.check(z.describe('who runs that maintenance now, when another drainboard still running does (or a roll\'s --exec still runs on it): a clause naming its user, pid and last entry; its restore here would be refused, that drainboard says what it does. Null when nobody does')),
});

/** A backend with servers of which none serves: HAProxy has nowhere to send its traffic. */
const unservedSchema = z.strictObject({
	socket: z.string().check(z.describe('the instance it was read from (an `instances[].socket`)')),
	backend: z.string().check(z.describe('backend name')),
});

/** Why status printed no snapshot: the same code and sentence as drain's `error` (stderr has the sentence too). */
const errorSchema = z.strictObject({
	code: z.enum(errorCodes).check(z.describe('what kind of failure: a code of the fixed list of `drain --json` (`usage`, `not-found`, `unreachable`, `level`, …)')),
	message: z.string().check(z.describe('one sentence: what was wrong, what to do (stderr\'s; for a blocking check, what it saw and its Do, as clauses)')),
});

/**
 * `drainboard status --json`: the one definition of its contract. The printed field order, the
 * tests' expectations, the README's field table and `status.schema.json` all come from it. On a
 * failure (exit 2 or 3) it is the same object with empty lists and `error`.
 */
export const statusJsonSchema = z
	.strictObject({
		instances: z.array(instanceSchema).check(z.describe('every HAProxy process read, in the order of --socket / --master')),
		servers: z.array(serverSchema).check(z.describe('every server of every instance, in HAProxy\'s order')),
		differences: z.array(differenceSchema).check(z.describe('servers whose admin state differs between instances (empty with one instance)')),
		drains: z.array(drainSchema).check(z.describe('every drained server (FDRAIN) of every instance, in `servers` order, and whose maintenance it is')),
		lostDrains: z
			.array(lostDrainSchema)
			.check(
				z.describe(
					'every open maintenance of the journal status reads (`--journal`, else the default) whose server HAProxy shows in rotation now (neither drained nor in maintenance): its drain was lost, and `drainboard restore` closes it; or in maintenance and no longer drained (`undone`: `maintenance`: someone else\'s maintenance replaced the drain); then those whose server HAProxy has no more (`undone`: `removed`). In `servers` order, then in the journal\'s order; empty when the journal could not be read (stderr then says so)',
				),
			),
		unserved: z
			.array(unservedSchema)
			.check(
				z.describe(
					'every backend of every instance that has servers of which none serves (none up and in rotation, backups included): HAProxy answers its HTTP requests with 503 and closes its TCP connections. In HAProxy\'s order; empty when every backend has a server serving',
				),
			),
		error: z.optional(errorSchema).check(z.describe('there exactly when the exit code is not 0; the lists are empty then')),
	})
	.check(
		z.refine((status) => status.error === undefined || status.instances.length + status.servers.length + status.differences.length + status.drains.length + status.lostDrains.length + status.unserved.length === 0, 'a status with an error has empty lists'),
		z.meta({title: 'drainboard status --json', description: 'One snapshot of every HAProxy instance drainboard reads, printed by `drainboard status --json`; on a failure, empty lists and `error`.'}),
	);

export type StatusJson = z.output<typeof statusJsonSchema>;

/** The fields of one instance in `status --json`, in the order printed. */
export const instanceFields = Object.keys(instanceSchema.shape) as ReadonlyArray<keyof StatusJson['instances'][number]>;

/** The fields of one server in `status --json`, in the order printed. */
export const serverFields = Object.keys(serverSchema.shape) as ReadonlyArray<keyof StatusJson['servers'][number]>;
