import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {checkContract} from '../helpers/json-contract.js';
import {runCli} from '../helpers/run-cli.js';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';

let bed: TestBed;
const names = Array.from({length: 12}, (_, index) => `s${String(index + 1).padStart(2, '0')}`);

/**
 * A probe burst smaller than the pool: 3 requests over 12 servers in roundrobin reach 3 of them,
 * and random balancing (HAProxy's default from 3.3) can leave any server out of a burst. The
 * proofs that the target serves send follow-up bursts until it has, within a bound.
 */
beforeAll(async () => {
	bed = await startTestBed({
		demos: names,
		config: (context) => `${context.global()}
${defaultsSection}
frontend web
    bind 127.0.0.1:${context.frontendPort}
    use_backend wide_random if { path_beg /random }
    default_backend wide

backend wide
    balance roundrobin
    default-server check inter 200 fall 2 rise 2
${names.map((name) => `    server ${name} 127.0.0.1:${context.port(name)}`).join('\n')}

backend wide_random
    balance random
    default-server check inter 200 fall 2 rise 2
${names.map((name) => `    server ${name} 127.0.0.1:${context.port(name)}`).join('\n')}
`,
	});
});

afterEach(async () => {
	await bed.send('set server wide/s12 state ready');
	await bed.send('set server wide_random/s12 state ready');
});

afterAll(async () => {
	await bed?.stop();
});

async function cycle(backend: string, url: string) {
	const common = ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/${backend}.jsonl`, '--url', url, '--requests', '3', '--proof', 'probe', '--yes', '--json'];
	const drain = await runCli(['drain', `${backend}/s12`, ...common]);
	const restore = await runCli(['restore', `${backend}/s12`, ...common]);
	return {drain: {...drain, json: checkContract(drain.stdout, drain.code)}, restore: {...restore, json: checkContract(restore.stdout, restore.code)}};
}

function evidenceOf(json: ReturnType<typeof checkContract>, id: string): Record<string, unknown> {
	const check = json.steps.flatMap((step) => step.checks).find((candidate) => candidate.id === id);
	expect(check, `check ${id}`).toBeDefined();
	expect(check?.verdict, check?.observed).toBe('pass');
	return check?.evidence ?? {};
}

describe('a probe burst smaller than the pool', () => {
	it('roundrobin over 12 servers with --requests 3: baseline and restore send more bursts until the target has served, and say how many went out', async () => {
		const {drain, restore} = await cycle('wide', `http://127.0.0.1:${bed.frontendPort}/`);
		expect(drain.code, drain.stderr).toBe(0);
		expect(restore.code, restore.stderr).toBe(0);
		for (const evidence of [evidenceOf(drain.json, 'baseline-traffic'), evidenceOf(restore.json, 'traffic-returns')]) {
			expect(Number(evidence['targetDelta'])).toBeGreaterThan(0);
			// Sent in bursts of 3, more than one burst (the target is the last of 12), and no more once
			// it served: roundrobin reaches each of 12 servers within 12 requests, so within 5 bursts.
			expect(Number(evidence['sent']) % 3).toBe(0);
			expect(Number(evidence['sent'])).toBeGreaterThan(3);
			expect(Number(evidence['sent'])).toBeLessThanOrEqual(15);
		}

		// Confirm's burst is the one asked for: it proves the target idle, more would prove nothing more.
		expect(evidenceOf(drain.json, 'traffic-moved')['sent']).toBe(3);
	});

	it('balance random over 12 servers with --requests 3: the drain and restore of one server pass', async () => {
		const {drain, restore} = await cycle('wide_random', `http://127.0.0.1:${bed.frontendPort}/random`);
		expect(drain.code, drain.stderr).toBe(0);
		expect(restore.code, restore.stderr).toBe(0);
		expect(Number(evidenceOf(restore.json, 'traffic-returns')['targetDelta'])).toBeGreaterThan(0);
	});
});
