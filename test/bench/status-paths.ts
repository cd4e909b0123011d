/**
 * The `status --json` paths measured against each other by `npm run bench`, each run as its own
 * process (the bench bundles this file, as the app is bundled): `node status-paths.mjs <path>
 * <socket>`, the JSON written to stdout.
 *   stream  the app's path for one whole instance: servers turned into JSON as the dumps arrive
 *           (RuntimeClient.streamServers), no snapshot kept
 *   pieces  a whole snapshot (RuntimeClient.snapshot), then JSON 400 servers at a time with the
 *           field list as JSON.stringify's property list (statusJsonPieces): the app's path for
 *           several instances or one backend
 *   plain   a whole snapshot, then one object of plain server objects and one JSON.stringify
 */
import process from 'node:process';
import {readPool, runStatus} from '../../source/headless/status.js';
import {statusJsonPieces} from '../../source/headless/status-json.js';
import {differingServers} from '../../source/model/differences.js';
import {createRuntimeClient} from '../../source/poll/client.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {terminalSafeJson} from '../../source/visible-text.js';

const [path, socket] = process.argv.slice(2);
const client = createRuntimeClient(parseEndpoint(socket!), {timeoutMs: 30_000});
const write = (text: string | Uint8Array) => process.stdout.write(text);
if (path === 'stream') {
	await runStatus([client], {json: true, width: 80}, write);
} else if (path === 'pieces') {
	for (const piece of statusJsonPieces(await readPool([client]))) {
		write(piece);
	}
} else if (path === 'plain') {
	const pool = await readPool([client]);
	const servers = pool.instances.flatMap(({backends}) =>
		backends.flatMap((backend) =>
			backend.servers.map((server) => ({
				socket: server.socket,
				backend: server.backend,
				server: server.server,
				address: server.address,
				port: server.port,
				opState: server.opState,
				opStateName: server.opStateName,
				adminState: server.adminState,
				adminFlags: server.adminFlags,
				userWeight: server.userWeight,
				initialWeight: server.initialWeight,
				status: server.status,
				checkStatus: server.checkStatus,
				currentSessions: server.currentSessions,
				totalSessions: server.totalSessions,
			})),
		),
	);
	const instances = pool.instances.map(({instance}) => ({socket: instance.socket, pid: instance.pid, version: instance.version, startTime: instance.startTime}));
	const differences = [...differingServers(pool).values()].map((difference) => ({server: difference.name, states: difference.states}));
	write(`${terminalSafeJson(JSON.stringify({instances, servers, differences}))}\n`);
} else {
	throw new Error(`status-paths: unknown path ${path} (stream, pieces, plain)`);
}
