import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {InstanceSnapshot, Server} from '../../source/model/types.js';
import {createRuntimeClient, type RuntimeClient} from '../../source/poll/client.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {startBigHaproxy} from '../bench/big-haproxy.js';
import {rawServersState, rawStat} from '../helpers/raw-haproxy.js';
import type {TestBed} from '../helpers/test-bed.js';

let bed: TestBed;

beforeAll(async () => {
	// 2,000 servers: about 1 MB of dumps, read in many socket reads.
	bed = await startBigHaproxy(100, 20);
});

afterAll(async () => {
	await bed?.stop();
});

/** A server as drainboard read it, in a line. */
const lineOf = (server: Server) => `${server.backend}/${server.server} ${server.address}:${server.port} admin ${server.adminState} op ${server.opState} weight ${server.userWeight} ${server.status}`;

/** Each server as drainboard read it, in HAProxy's order. */
const fromSnapshot = (snapshot: InstanceSnapshot) => snapshot.backends.flatMap((backend) => backend.servers.map((server) => lineOf(server)));

/** Each server as the read of `status --json` hands it on, one at a time. */
async function fromStream(client: RuntimeClient): Promise<string[]> {
	const lines: string[] = [];
	const instance = await client.streamServers((server) => lines.push(lineOf(server)));
	expect(instance.pid).toBe(bed.haproxy.pid);
	return lines;
}

/** The same, from HAProxy's own replies read by the test's minimal readers. */
async function fromHaproxy(): Promise<string[]> {
	const status = new Map(rawStat(await bed.send('show stat -1 4 -1')).map((row) => [`${row['pxname']}/${row['svname']}`, row['status']]));
	return rawServersState(await bed.send('show servers state')).map((row) => {
		const name = `${row['be_name']}/${row['srv_name']}`;
		return `${name} ${row['srv_addr']}:${row['srv_port']} admin ${row['srv_admin_state']} op ${row['srv_op_state']} weight ${row['srv_uweight']} ${status.get(name)}`;
	});
}

describe('a full read of a large HAProxy, decoded as it streams in', () => {
	it('reads every server as HAProxy prints it, read after read into the buffers of the last, and hands each on in order to the read of status --json', async () => {
		const client = createRuntimeClient(parseEndpoint(bed.adminSocket), {timeoutMs: 10_000});
		const first = fromSnapshot(await client.snapshot());
		expect(first).toHaveLength(2000);
		expect(first).toEqual(await fromHaproxy());
		try {
			// Changes spread over the dump, so a stale byte of the last read would show.
			for (const [backend, state] of [['backend003', 'drain'], ['backend050', 'maint'], ['backend099', 'drain']] as const) {
				expect(await bed.send(`set server ${backend}/srv07 state ${state}`)).toBe('\n');
			}

			const second = fromSnapshot(await client.snapshot());
			expect(second).toEqual(await fromHaproxy());
			expect(await fromStream(client)).toEqual(second);
			expect(second.filter((line, index) => line !== first[index])).toEqual([
				'backend003/srv07 127.0.0.1:20007 admin 8 op 2 weight 1 DRAIN',
				'backend050/srv07 127.0.0.1:20007 admin 1 op 0 weight 1 MAINT',
				'backend099/srv07 127.0.0.1:20007 admin 8 op 2 weight 1 DRAIN',
			]);
		} finally {
			for (const backend of ['backend003', 'backend050', 'backend099']) {
				await bed.send(`set server ${backend}/srv07 state ready`);
			}
		}

		expect(fromSnapshot(await client.snapshot())).toEqual(first);
	});
});
