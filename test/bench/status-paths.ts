/**
 * The `status --json` paths measured against each other by `npm run bench`, each run as its own
 * process (the bench bundles this file, as the app is bundled): `node status-paths.mjs <path>
 * <socket>`, the JSON written to stdout.
 *   stream  the app's path for one whole instance: servers turned into JSON 400 at a time, with
 *           the field list as JSON.stringify's property list, as the dumps arrive
 *           (RuntimeClient.streamServers), no snapshot kept
 *   plain   a whole snapshot (RuntimeClient.snapshot), then one JSON.stringify (statusJson): the
 *           app's path for several instances or one backend
 * A third path, the snapshot written in 400-server pieces with the property list, was measured
 * here too, gained nothing over the plain one, and was removed (test/bench/README.md).
 */
import process from 'node:process';
import {runStatus} from '../../source/headless/status.js';
import {drainOwners} from '../../source/headless/drain-owners.js';
import {drainSet} from '../../source/model/server-condition.js';
import {statusJson} from '../../source/headless/status-json.js';
import {createRuntimeClient} from '../../source/poll/client.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';

const [path, socket] = process.argv.slice(2);
const client = createRuntimeClient(parseEndpoint(socket!), {timeoutMs: 30_000});
const write = (text: string | Uint8Array) => process.stdout.write(text);
if (path === 'stream') {
	await runStatus([client], {json: true, width: 80}, write);
} else if (path === 'plain') {
	const snapshot = await client.snapshot();
	const drained = snapshot.backends.flatMap((backend) => backend.servers.filter(drainSet));
	write(statusJson({instances: [snapshot], takenAt: Date.now()}, (await drainOwners([{client, servers: drained}])).owners));
} else {
	throw new Error(`status-paths: unknown path ${path} (stream, plain)`);
}
