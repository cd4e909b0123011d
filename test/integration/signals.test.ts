import {once} from 'node:events';
import http from 'node:http';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {readJournal} from '../../source/runbook/journal.js';
import {checkContract} from '../helpers/json-contract.js';
import {adminStates, rawStat} from '../helpers/raw-haproxy.js';
import {runCli, runPasted, startCli} from '../helpers/run-cli.js';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';
import {waitFor} from '../helpers/wait-for.js';

/**
 * The target, app01: answers at once, but holds `/hang` open until the test lets it go, so that
 * a session stays on it and confirm waits for it to end (HAProxy sends `/hang` to app01 even
 * drained: `use-server`).
 */
let hanging: http.ServerResponse[] = [];
const app01 = http.createServer((request, response) => {
	request.resume();
	if (request.url === '/hang') {
		hanging.push(response);
		return;
	}

	response.end('app01\n');
});

let bed: TestBed;
const clients: http.ClientRequest[] = [];

beforeAll(async () => {
	app01.listen(0, '127.0.0.1');
	await once(app01, 'listening');
	const port = (app01.address() as {port: number}).port;
	bed = await startTestBed({
		demos: ['app02', 'app03'],
		config: (context) => `${context.global()}
${defaultsSection}
frontend fe_web
    bind 127.0.0.1:${context.frontendPort}
    default_backend webapps

backend webapps
    timeout server 120s
    option httpchk GET /
    default-server check inter 200 fall 2 rise 2
    use-server app01 if { path_beg /hang }
    server app01 127.0.0.1:${port}
    server app02 127.0.0.1:${context.port('app02')}
    server app03 127.0.0.1:${context.port('app03')}
`,
	});
});

afterEach(async () => {
	for (const response of hanging) {
		response.end('app01\n');
	}

	hanging = [];
	for (const request of clients.splice(0)) {
		request.destroy();
	}

	await bed.restartDemo('app02');
	for (const server of ['app01', 'app02']) {
		await bed.send(`set server webapps/${server} state ready`);
	}
});

afterAll(async () => {
	await bed?.stop();
	app01.closeAllConnections();
	app01.close();
});

const hook = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'crash-hook.mjs');
const common = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/${journal}`, '--yes', '--json'];
const admin = async (server: string) => adminStates(await bed.send('show servers state webapps'))[`webapps/${server}`];
const time = '\\d\\d:\\d\\d:\\d\\d';
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A request through HAProxy that app01 holds open: one current session on the target. */
async function holdSession(): Promise<void> {
	clients.push(http.get(`${bed.url}hang`).on('error', () => undefined));
	await waitFor('a session on app01', async () => (rawStat(await bed.send('show stat webapps 4 -1')).find((row) => row['svname'] === 'app01')?.['scur'] === '1' ? true : undefined));
}

type Run = {code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string};

/** Runs the CLI, sends `signal` once stderr shows `marker` (the step is under way), and collects what it printed. */
async function signalDuring(args: string[], marker: string, signal: NodeJS.Signals, env: Record<string, string> = {}): Promise<Run> {
	const cli = startCli(args, env);
	await cli.waitForStderr(marker, 30_000);
	cli.child.kill(signal);
	const {code, signal: killedBy} = await cli.exited;
	return {code, signal: killedBy, stdout: cli.stdout, stderr: cli.stderr};
}

describe('headless drain and restore stopped by a signal mid-step', () => {
	it.each([
		['SIGTERM', 143],
		['SIGHUP', 129],
		['SIGINT', 130],
	] as const)('%s while confirm waits for sessions: journaled, the state read and said, exit %i', async (signal, exitCode) => {
		await holdSession();
		const journal = `drain-${signal}.jsonl`;
		const run = await signalDuring(['drain', 'webapps/app01', ...common(journal), '--quiet-timeout', '120'], '… confirm · ', signal);
		expect(run.code, run.stderr).toBe(exitCode);
		const flags = `--socket ${bed.adminSocket} --config ${bed.configPath} --journal ${bed.dir}/${journal}`;
		// The way back keeps how this run waits (--quiet-timeout 120): taken up, confirm waits as long.
		const comeBack = escaped(`Run "drainboard restore webapps/app01 --yes ${flags} --quiet-timeout 120" to put it back, or "drainboard webapps/app01 ${flags} --quiet-timeout 120" to continue in the wizard.`);
		const sentence = new RegExp(`^Stopped by ${signal} during confirm: webapps/app01 is drained \\(out of rotation\\), as HAProxy showed at ${time}\\. ${comeBack}$`);
		expect(run.stderr.trim().split('\n').at(-1)).toMatch(sentence);
		expect(run.stderr).not.toContain('Nothing was changed');
		const json = checkContract(run.stdout, run.code);
		expect(json).toMatchObject({ok: false, changed: true, drained: true, interrupted: {signal, step: 'confirm'}, error: {code: 'interrupted'}});
		expect(json.interrupted!.state).toMatch(new RegExp(`^webapps/app01 is drained \\(out of rotation\\), as HAProxy showed at ${time}$`));
		const last = readJournal(`${bed.dir}/${journal}`).entries.at(-1)!;
		expect(last).toMatchObject({event: 'interrupted', step: 'confirm', target: 'webapps/app01'});
		expect(last.detail).toMatch(new RegExp(`^${signal} stopped drainboard drain during confirm; webapps/app01 is drained \\(out of rotation\\)`));
		expect(await admin('app01')).toBe('8');

		// The restore it names, pasted as printed where stdin is not a terminal, puts the server back.
		const pasted = await runPasted(/Run "(.+?)" to put it back/.exec(run.stderr)![1]!, bed.dir);
		expect(pasted.code, pasted.stderr).toBe(0);
		expect(await admin('app01')).toBe('0');
	});

	it('SIGTERM while restore waits for health: journaled at maintain, exit 143, still drained and said so', async () => {
		const journal = 'restore-term.jsonl';
		const drain = await runCli(['drain', 'webapps/app02', ...common(journal)]);
		expect(drain.code, drain.stderr).toBe(0);
		await bed.demo('app02').stop();
		const run = await signalDuring(['restore', 'webapps/app02', ...common(journal), '--ready-timeout', '120'], '… maintain · ', 'SIGTERM');
		expect(run.code, run.stderr).toBe(143);
		const flags = `--socket ${bed.adminSocket} --config ${bed.configPath} --journal ${bed.dir}/${journal}`;
		expect(run.stderr.trim().split('\n').at(-1)).toMatch(
			new RegExp(`^Stopped by SIGTERM during maintain: webapps/app02 is drained \\(out of rotation\\), as HAProxy showed at ${time}\\. ${escaped(`Run "drainboard restore webapps/app02 --yes ${flags} --ready-timeout 120"`)}`),
		);
		expect(readJournal(`${bed.dir}/${journal}`).entries.at(-1)).toMatchObject({event: 'interrupted', step: 'maintain'});
		expect(await admin('app02')).toBe('8');
	});

	// Test-only: the preloaded hook throws from a timer on SIGUSR2, an error drainboard has no handler for.
	it('an internal error mid-step: the state said first, then one sentence and the crash file, exit 1', async () => {
		await holdSession();
		const journal = 'drain-crash.jsonl';
		const run = await signalDuring(['drain', 'webapps/app01', ...common(journal), '--quiet-timeout', '120'], '… confirm · ', 'SIGUSR2', {NODE_OPTIONS: `--import=${hook}`, XDG_STATE_HOME: bed.dir});
		expect(run.code, run.stderr).toBe(1);
		const lines = run.stderr.trim().split('\n');
		expect(lines.at(-2)).toMatch(new RegExp(`^Stopped by an internal error during confirm: webapps/app01 is drained \\(out of rotation\\), as HAProxy showed at ${time}\\.`));
		expect(lines.at(-1)).toMatch(new RegExp(`^drainboard stopped on an internal error \\(exception forced by the test hook\\); the details are in ${bed.dir}/drainboard/crash-\\S+\\.txt: please report it with that file\\.$`));
		expect(run.stderr).not.toMatch(/\n\s+at /);
		expect(readJournal(`${bed.dir}/${journal}`).entries.at(-1)).toMatchObject({event: 'interrupted', step: 'confirm'});
		expect(checkContract(run.stdout, run.code)).toMatchObject({ok: false, changed: true, drained: true, error: {code: 'internal'}, interrupted: {signal: 'internal error', step: 'confirm'}});
	});
});
