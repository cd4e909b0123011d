import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {checkContract} from '../helpers/json-contract.js';
import {startLoad} from '../helpers/load.js';
import {adminStates, rawStat} from '../helpers/raw-haproxy.js';
import {runCli} from '../helpers/run-cli.js';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';

/**
 * A probe whose requests do not reach the backend proves nothing about its servers: a Host that
 * routes to another backend (here: the default one, site) left backend shop's counters still, and
 * confirm said "new traffic goes elsewhere" (the target got none) from requests that never
 * reached shop; with a real client on shop, its one request on the target passed baseline.
 * The counters of the backend must account for every request the probe had answered.
 */
let bed: TestBed;
const servers = ['a1', 'a2', 'w1', 'w2', 's1', 's2'];

beforeAll(async () => {
	bed = await startTestBed({
		demos: servers,
		config: (context) => `${context.global()}
${defaultsSection}
frontend web
    bind 127.0.0.1:${context.frontendPort}
    use_backend shop if { req.hdr(host) -i shop.example.com }
    use_backend stickb if { path_beg /stick }
    default_backend site

backend shop
    balance roundrobin
    default-server check inter 200 fall 2 rise 2
    server a1 127.0.0.1:${context.port('a1')}
    server a2 127.0.0.1:${context.port('a2')}

backend site
    balance roundrobin
    default-server check inter 200 fall 2 rise 2
    server w1 127.0.0.1:${context.port('w1')}
    server w2 127.0.0.1:${context.port('w2')}

backend stickb
    balance roundrobin
    stick-table type ip size 1k expire 10m
    stick on src
    default-server check inter 200 fall 2 rise 2
    server s1 127.0.0.1:${context.port('s1')}
    server s2 127.0.0.1:${context.port('s2')}
`,
	});
	await waitFor('every server UP', async () => {
		const rows = rawStat(await bed.send('show stat -1 4 -1'));
		return rows.length === servers.length && rows.every((row) => row['status'] === 'UP') ? true : undefined;
	});
});

afterEach(async () => {
	for (const target of ['shop/a1', 'shop/a2', 'stickb/s1', 'stickb/s2']) {
		await bed.send(`set server ${target} state ready`);
	}
});

afterAll(async () => {
	await bed?.stop();
});

const common = (journal: string, host: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', path.join(bed.dir, journal), '--url', bed.url, '--host', host, '--proof', 'probe', '--yes', '--json'];

function checkOf(json: ReturnType<typeof checkContract>, id: string) {
	const check = json.steps.flatMap((step) => step.checks).find((candidate) => candidate.id === id);
	expect(check, `check ${id} in ${JSON.stringify(json.steps.map((step) => step.id))}`).toBeDefined();
	return check!;
}

describe('a probe that does not reach the backend', () => {
	it('fails confirm on a server drained by hand instead of passing "new traffic goes elsewhere"', async () => {
		await bed.send('set server shop/a1 state drain');
		const run = await runCli(['drain', 'shop/a1', ...common('confirm.jsonl', 'other.example.org')]);
		const json = checkContract(run.stdout, run.code);
		expect(run.code, run.stderr).toBe(1);
		const moved = checkOf(json, 'traffic-moved');
		expect(moved.verdict).toBe('fail');
		expect(moved.observed).toContain('Backend shop counted 0 new requests in all, fewer than the 10 answered: none of the probe reached it.');
		expect(moved.evidence).toMatchObject({basis: 'probe', succeeded: 10, targetDelta: 0, othersDelta: 0});
		expect(json.error?.code).toBe('traffic');
	});

	it('fails baseline when a real client\'s request is all the target got, sending no drain', async () => {
		// One real client on shop, two requests a second: its requests are counted, the probe's go to web.
		const load = startLoad(bed.url, {clients: 1, maxMs: 20_000, paceMs: 500, headers: {host: 'shop.example.com'}});
		try {
			await waitFor('the real client served', async () => (load.result.ok >= 2 ? true : undefined));
			const run = await runCli(['drain', 'shop/a2', ...common('baseline.jsonl', 'other.example.org')]);
			const json = checkContract(run.stdout, run.code);
			expect(run.code, run.stderr).toBe(1);
			const traffic = checkOf(json, 'baseline-traffic');
			expect(traffic.verdict).toBe('fail');
			expect(traffic.observed).toMatch(/fewer than the \d+ answered: (?:none|some) of the probe (?:reached|did not reach) it\./);
			expect(json.changed).toBe(false);
			expect(adminStates(await bed.send('show servers state shop'))['shop/a2']).toBe('0');
		} finally {
			await load.stop();
		}
	});

	it('passes when the Host routes the probe to the backend (the same run, the right Host)', async () => {
		const run = await runCli(['drain', 'shop/a1', ...common('right.jsonl', 'shop.example.com')]);
		const json = checkContract(run.stdout, run.code);
		expect(run.code, run.stderr).toBe(0);
		expect(checkOf(json, 'baseline-traffic').verdict).toBe('pass');
		expect(checkOf(json, 'traffic-moved').evidence).toMatchObject({targetDelta: 0, othersDelta: 10, succeeded: 10});
		expect(adminStates(await bed.send('show servers state shop'))['shop/a1']).toBe('8');
	});
});

/** The server (`s1`, `s2`) stickb's stick table holds 127.0.0.1 on, after one request through /stick. */
async function heldServer(): Promise<string> {
	const reply = await fetch(`${bed.url}stick`);
	expect(reply.status).toBe(200);
	const table = await bed.send('show table stickb');
	const id = /key=127\.0\.0\.1 .*server_id=([0-9]+)/.exec(table)?.[1];
	expect(id, table).toBeDefined();
	return `s${id}`;
}

describe('a probe held on one server by "stick on src"', () => {
	const stick = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', path.join(bed.dir, journal), '--url', `${bed.url}stick`, '--proof', 'probe', '--yes', '--json'];

	it('says so at baseline when it cannot reach the target, asks (one burst, not forty), and --yes continues knowingly', async () => {
		const other = (await heldServer()) === 's1' ? 's2' : 's1';
		const run = await runCli(['drain', `stickb/${other}`, ...stick('stick-baseline.jsonl')]);
		const json = checkContract(run.stdout, run.code);
		expect(run.code, run.stderr).toBe(0);
		const traffic = checkOf(json, 'baseline-traffic');
		expect(traffic.verdict).toBe('warn');
		expect(traffic.observed).toContain('The target got none.');
		expect(run.stderr).toContain('With "stick on src", every request of this probe comes from one address');
		expect(traffic.evidence).toMatchObject({sent: 10, targetDelta: 0, othersDelta: 10});
		expect(run.stderr).toContain('→ The target received none of the probe, which "stick on src" keeps on one server. Continue anyway? yes (--yes)');
		// Held on another server before the drain, the probe misses the target after it too: that proves nothing.
		const moved = checkOf(json, 'traffic-moved');
		expect(moved).toMatchObject({verdict: 'warn', evidence: {targetDelta: 0, probeSeenOnTarget: false}});
		expect(moved.observed).toContain(`this probe was never seen reaching it before the drain either (at baseline it got none of the probe's 10 requests; "stick on src" keeps this probe's one address on one server)`);
		expect(json).toMatchObject({ok: true, drained: true});
		expect(run.stderr).toContain(`✓ stickb/${other} is drained (HAProxy shows FDRAIN), but traffic did not prove it out of rotation: see "New traffic goes elsewhere" above.`);
		expect(run.stderr).not.toContain('proven out of rotation');
	});

	it('does not call itself sticky clients at confirm when it is the one held on the drained target', async () => {
		const held = await heldServer();
		const run = await runCli(['drain', `stickb/${held}`, ...stick('stick-confirm.jsonl')]);
		const json = checkContract(run.stdout, run.code);
		expect(run.code, run.stderr).toBe(0);
		const moved = checkOf(json, 'traffic-moved');
		expect(moved.verdict).toBe('warn');
		expect(moved.observed).toContain(`Load balancing picked the target 0 times, but 10 of the probe's requests reached it: "stick on src" keeps this probe's one address on the server it reached before the drain.`);
		expect(moved.observed).not.toContain('sticky clients');
		expect(moved.evidence).toMatchObject({targetDelta: 10, othersDelta: 0, targetPicks: 0});
		// A warning is no proof: the last line says what HAProxy shows, and that traffic did not prove it.
		expect(run.stderr).toContain(`✓ stickb/${held} is drained (HAProxy shows FDRAIN), but traffic did not prove it out of rotation: see "New traffic goes elsewhere" above.`);
		expect(run.stderr).not.toContain('proven out of rotation');
	});
});
