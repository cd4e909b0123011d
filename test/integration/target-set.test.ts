import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {readJournal} from '../../source/runbook/journal.js';
import {checkContract} from '../helpers/json-contract.js';
import {holdLock} from '../helpers/lock-holder.js';
import {adminStates} from '../helpers/raw-haproxy.js';
import {runCli, startCli} from '../helpers/run-cli.js';
import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';
import {startCliInTmux} from '../helpers/tmux.js';
import {waitFor} from '../helpers/wait-for.js';

let bed: TestBed;

/** One machine (app01's address and port) in three backends: as webapps/app01, api/app01 and cache/c1. */
beforeAll(async () => {
	bed = await startTestBed({
		demos: ['app01', 'app02', 'app03', 'api2', 'c2'],
		config: (context) => `${context.global()}
${defaultsSection}
frontend web
    bind 127.0.0.1:${context.frontendPort}
    use_backend api if { path_beg /api }
    use_backend cache if { path_beg /cache }
    default_backend webapps

backend webapps
    balance roundrobin
    default-server check inter 200 fall 2 rise 2
    server app01 127.0.0.1:${context.port('app01')}
    server app02 127.0.0.1:${context.port('app02')}
    server app03 127.0.0.1:${context.port('app03')}

backend api
    balance roundrobin
    default-server check inter 200 fall 2 rise 2
    server app01 127.0.0.1:${context.port('app01')}
    server api2 127.0.0.1:${context.port('api2')}

backend cache
    balance roundrobin
    default-server check inter 200 fall 2 rise 2
    server c1 127.0.0.1:${context.port('app01')}
    server c2 127.0.0.1:${context.port('c2')}
`,
	});
});

afterEach(async () => {
	for (const server of ['webapps/app01', 'api/app01', 'cache/c1', 'cache/c2']) {
		await bed.send(`set server ${server} state ready`);
	}
});

afterAll(async () => {
	await bed?.stop();
});

const common = (journal: string) => ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/${journal}`, '--yes', '--json'];
const states = async () => adminStates(await bed.send('show servers state'));
const machine = () => `@127.0.0.1:${bed.port('app01')}`;

/** The journals the drain marks of app01's three servers on this HAProxy name (each once). */
const markJournals = () => {
	const lockDir = process.env['DRAINBOARD_LOCK_DIR']!;
	const names = readdirSync(lockDir).filter((name) => name.includes(`-pid${bed.haproxy.pid}-`) && /\.(?:webapps=app01|api=app01|cache=c1)\.\d+\.drained$/.test(name));
	expect(names).toHaveLength(3);
	return [...new Set(names.map((name) => (JSON.parse(readFileSync(path.join(lockDir, name), 'utf8')) as {journal: string}).journal))];
};
const run = async (args: string[], env: Record<string, string> = {}) => {
	const result = await runCli(args, {env});
	return {...result, json: checkContract(result.stdout, result.code)};
};

describe('several servers are one maintenance', () => {
	it('drains and restores a machine in three backends with @ADDRESS:PORT: one list of commands, every drain confirmed, traffic back to each', async () => {
		// The hold as shipped (3 s; the suite shortens it): the windows below are measured against it.
		const drain = await run(['drain', machine(), ...common('machine.jsonl')], {DRAINBOARD_HOLD_SECONDS: '3'});
		expect(drain.code, drain.stderr).toBe(0);
		expect(drain.json).toMatchObject({ok: true, changed: true, target: machine(), drained: true});
		expect(drain.json.targets.map((target) => [`${target.backend}/${target.server}`, target.before?.adminFlags, target.after?.adminFlags])).toEqual([
			['webapps/app01', [], ['FDRAIN']],
			['api/app01', [], ['FDRAIN']],
			['cache/c1', [], ['FDRAIN']],
		]);
		expect(drain.stderr).toContain('→ set server webapps/app01 state drain; set server api/app01 state drain; set server cache/c1 state drain (confirmed by --yes)');
		// Said once, as the list confirmed: no second line per server.
		expect(drain.stderr.split('\n').filter((line) => line.startsWith('→ ') && line.includes('state drain'))).toHaveLength(1);
		expect(drain.stderr).toContain('the backends api, cache, webapps are locked for this drainboard');
		// Each server's confirm proved it out of rotation.
		for (const label of ['webapps/app01', 'api/app01', 'cache/c1']) {
			const confirm = drain.json.steps.find((step) => step.id === 'confirm' && step.target === label);
			expect(confirm?.ok).toBe(true);
			expect(confirm?.checks.find((check) => check.id === 'traffic-moved')?.evidence).toMatchObject({targetDelta: 0});
		}

		// Every server's traffic is judged from right after the drains, not from when its turn came:
		// the last one's window spans the others' confirms (each holds its drain 3 s), not only its own probe.
		const window = (label: string) => Number(drain.json.steps.find((step) => step.id === 'confirm' && step.target === label)?.checks.find((check) => check.id === 'traffic-moved')?.evidence?.['confirmSeconds']);
		expect(window('cache/c1')).toBeGreaterThanOrEqual(2.5);
		expect(window('cache/c1')).toBeGreaterThan(window('webapps/app01'));

		const after = await states();
		expect([after['webapps/app01'], after['api/app01'], after['cache/c1']]).toEqual(['8', '8', '8']);
		expect([after['webapps/app02'], after['api/api2'], after['cache/c2']]).toEqual(['0', '0', '0']);
		// The journal records the set with each server's maintenance.
		const sets = readJournal(`${bed.dir}/machine.jsonl`).entries.filter((entry) => entry.check === 'maintenance-set');
		expect(sets.map((entry) => entry.target)).toEqual(['webapps/app01', 'api/app01', 'cache/c1']);
		expect(sets[0]!.observed).toBe(`one maintenance of 3 servers (${machine()}): webapps/app01, api/app01, cache/c1`);

		// Restore resumes the set from the journal: maintain (health of each), then ready for all, traffic back to each.
		const restore = await run(['restore', machine(), ...common('machine.jsonl')]);
		expect(restore.code, restore.stderr).toBe(0);
		expect(restore.json).toMatchObject({ok: true, changed: true, drained: false});
		expect(restore.stderr).toContain('→ set server webapps/app01 state ready; set server api/app01 state ready; set server cache/c1 state ready (confirmed by --yes)');
		// One machine comes back once: the health of its three servers is watched at once, not one settle window after another.
		const maintain = restore.stderr.split('\n').filter((line) => line.includes(' maintain · '));
		expect(maintain.slice(0, 3).map((line) => line.split(' ').slice(0, 2).join(' ')).sort()).toEqual(['api/app01 …', 'cache/c1 …', 'webapps/app01 …']);
		expect(maintain.filter((line) => line.includes(' ✓ maintain · Target healthy again'))).toHaveLength(3);
		for (const label of ['webapps/app01', 'api/app01', 'cache/c1']) {
			const back = restore.json.steps.find((step) => step.id === 'restore' && step.target === label);
			expect(back?.checks.find((check) => check.id === 'traffic-returns')?.evidence?.['targetDelta']).toBeGreaterThan(0);
		}

		const restored = await states();
		expect([restored['webapps/app01'], restored['api/app01'], restored['cache/c1']]).toEqual(['0', '0', '0']);
	});

	it('a restore that finds one drain of the machine lost sends nothing; run again, it restores the others with their checks and leaves that one as it is', async () => {
		const drain = await run(['drain', machine(), ...common('lost.jsonl')]);
		expect(drain.code, drain.stderr).toBe(0);
		// Someone (or a reload) puts one of them back during the work.
		await bed.send('set server api/app01 state ready');
		const first = await runCli(['restore', machine(), ...common('lost.jsonl').filter((word) => word !== '--json')]);
		expect(first.code).toBe(1);
		const [failed, standing] = first.stderr.trim().split('\n').slice(-2);
		expect(failed).toContain('api/app01 is not drained: the drain was lost during the maintenance (see above), so this restore sent nothing. Check api/app01 and its traffic; the journal closes its maintenance. The same restore run again puts back the others (webapps/app01, cache/c1) with their checks, or put them back one at a time (');
		// Then where each stands, read from HAProxy, without a second, different way back.
		expect(standing).toMatch(/^webapps\/app01 is DRAINED now \(out of rotation since \d\d:\d\d:\d\d\)\. api\/app01: Nothing was changed on HAProxy by this run\. cache\/c1 is DRAINED now \(out of rotation since \d\d:\d\d:\d\d\)\.$/);
		let now = await states();
		expect([now['webapps/app01'], now['api/app01'], now['cache/c1']]).toEqual(['8', '0', '8']);
		// The same restore again does what it said.
		const again = await run(['restore', machine(), ...common('lost.jsonl')]);
		expect(again.code, again.stderr).toBe(0);
		expect(again.stderr.trim().split('\n').at(-1)).toBe(`✓ ${machine()} (webapps/app01, api/app01, cache/c1) is back in rotation, proven by traffic to each (1 of them in rotation before this run, not proven by it).`);
		expect(again.stderr).toContain('→ set server webapps/app01 state ready; set server cache/c1 state ready (confirmed by --yes)');
		expect(again.stderr).not.toContain('set server api/app01 state ready');
		now = await states();
		expect([now['webapps/app01'], now['api/app01'], now['cache/c1']]).toEqual(['0', '0', '0']);
	});

	it("'*/app01' is the server named app01 in every backend that has one", async () => {
		const drain = await run(['drain', '*/app01', ...common('everywhere.jsonl')]);
		expect(drain.code, drain.stderr).toBe(0);
		expect(drain.json.targets.map((target) => `${target.backend}/${target.server}`)).toEqual(['webapps/app01', 'api/app01']);
		// How to restore: the pattern quoted for a shell, with the flags that chose HAProxy and the journal.
		expect(drain.stderr.trim().split('\n').at(-1)).toBe(
			`✓ */app01 (webapps/app01, api/app01) is drained and proven out of rotation. Run "drainboard restore '*/app01' --yes --socket ${bed.adminSocket} --config ${bed.configPath} --journal ${bed.dir}/everywhere.jsonl" after the work.`,
		);
		const drained = await states();
		expect([drained['webapps/app01'], drained['api/app01'], drained['cache/c1']]).toEqual(['8', '8', '0']);
		const restore = await run(['restore', '*/app01', ...common('everywhere.jsonl')]);
		expect(restore.code, restore.stderr).toBe(0);
		expect((await states())['api/app01']).toBe('0');
	});

	it("a restore of part of a machine's maintenance ('*/app01', or one server) says what of it stays drained, and how to restore the rest", async () => {
		const journal = `${bed.dir}/split.jsonl`;
		expect((await run(['drain', machine(), ...common('split.jsonl')])).code).toBe(0);
		const part = await run(['restore', '*/app01', ...common('split.jsonl')]);
		expect(part.code, part.stderr).toBe(0);
		const rest = `drainboard restore ${machine()} --yes --socket ${bed.adminSocket} --config ${bed.configPath} --journal ${journal}`;
		const warning = `webapps/app01, api/app01 were drained as one maintenance of ${machine()}, of which the journal holds cache/c1 drained still; this run leaves it as it is: "${rest}" restores the rest.`;
		expect(part.stderr).toContain(`! ${warning}`);
		expect(part.stderr.trim().split('\n').at(-1)).toBe('✓ */app01 (webapps/app01, api/app01) is back in rotation, proven by traffic to each. The rest of the maintenance it was part of stays drained (see the warning above).');
		// Said of the set as a whole, not of its first server.
		expect(part.json.warnings).toContain(warning);
		expect(part.json.warnings).not.toContain(`webapps/app01: ${warning}`);
		const now = await states();
		expect([now['webapps/app01'], now['api/app01'], now['cache/c1']]).toEqual(['0', '0', '8']);
		// The command it names restores the rest, and says nothing more is left.
		const pasted = await run(rest.split(' ').slice(1).map((word) => word.replace(/^'|'$/g, '')).concat('--json'));
		expect(pasted.code, pasted.stderr).toBe(0);
		expect(pasted.stderr).not.toContain('drained still');
		expect((await states())['cache/c1']).toBe('0');
	});

	it('a drain of the set after part of it was drained picks each server up where its journal says', async () => {
		expect((await run(['drain', '*/app01', ...common('partly.jsonl')])).code).toBe(0);
		const drain = await run(['drain', machine(), ...common('partly.jsonl')]);
		expect(drain.code, drain.stderr).toBe(0);
		expect(drain.json).toMatchObject({ok: true, changed: true, drained: true});
		expect(drain.stderr).toContain('✓ webapps/app01: webapps/app01 is already drained and confirmed');
		expect(drain.stderr).toContain('→ set server cache/c1 state drain (confirmed by --yes)');
		expect(drain.stderr).toContain(`is drained and proven out of rotation (2 of them drained and confirmed by an earlier run).`);
		// The same drain again: nothing ran, and it says so rather than point at a check that did not run.
		const again = await run(['drain', machine(), ...common('partly.jsonl')]);
		expect(again.json).toMatchObject({ok: true, changed: false, drained: true});
		expect(again.stderr.trim().split('\n').at(-1)).toMatch(/ was drained and confirmed by an earlier run \(the journal has it\); this run sent nothing\. Run "drainboard restore /);
		expect(new Set(drain.json.steps.map((step) => step.target))).toEqual(new Set([machine(), 'cache/c1']));
		const restore = await run(['restore', machine(), ...common('partly.jsonl')]);
		expect(restore.code, restore.stderr).toBe(0);
		const after = await states();
		expect([after['webapps/app01'], after['api/app01'], after['cache/c1']]).toEqual(['0', '0', '0']);
	});

	it('a machine with one server in maintenance is refused as a whole, naming how to take the others out one at a time', async () => {
		expect(await bed.send('set server cache/c1 state maint')).toBe('\n');
		const before = await states();
		const drain = await run(['drain', machine(), ...common('one-in-maint.jsonl')]);
		expect(drain.code).toBe(1);
		expect(drain.json).toMatchObject({ok: false, changed: false});
		expect(drain.stderr).toMatch(/A maintenance of several servers takes none out while one is in maintenance: bring cache\/c1 back first, or leave it as it is and take the others out one at a time \("drainboard drain webapps\/app01 [^"]*--journal \S+one-in-maint\.jsonl", "drainboard drain api\/app01 [^"]*"\)/);
		expect(await states()).toEqual(before);
		// The command named, as printed, drains that one server.
		const printed = /"(drainboard drain webapps\/app01 [^"]*)"/.exec(drain.stderr)![1]!;
		const one = await run([...printed.split(' ').slice(1), '--yes', '--json']);
		expect(one.code, one.stderr).toBe(0);
		expect((await states())['webapps/app01']).toBe('8');
		expect((await run(['restore', 'webapps/app01', ...common('one-in-maint.jsonl')])).code).toBe(0);
	});

	it('a drain of the machine that finds one of its servers drained by hand takes that drain up, and warns so: its restore will end it', async () => {
		expect(await bed.send('set server cache/c1 state drain')).toBe('\n');
		const drain = await run(['drain', machine(), ...common('hand.jsonl')]);
		expect(drain.code, drain.stderr).toBe(0);
		const warning = 'cache/c1 was drained already by someone or something else, not by a drainboard maintenance: this run takes that drain up, and its restore will put cache/c1 back into rotation; make sure whoever drained it agrees.';
		expect(drain.stderr).toContain(`! cache/c1: ${warning}`);
		expect(drain.json.warnings).toContain(`cache/c1: ${warning}`);
		expect(drain.json.warnings.filter((text) => text.includes('drained already'))).toHaveLength(1);
		const restore = await run(['restore', machine(), ...common('hand.jsonl')]);
		expect(restore.code, restore.stderr).toBe(0);
	});

	it("a drain of a machine another journal's maintenance drained proves it, and does not name its own restore for it", async () => {
		expect((await run(['drain', machine(), ...common('theirs.jsonl')])).code).toBe(0);
		const again = await run(['drain', machine(), ...common('mine.jsonl')]);
		expect(again.code, again.stderr).toBe(0);
		expect(again.stderr.trim().split('\n').at(-1)).toBe(
			`✓ ${machine()} (webapps/app01, api/app01, cache/c1) is drained and proven out of rotation. The restore of webapps/app01, api/app01, cache/c1 belongs to the maintenance that drained them (or needs --take-over).`,
		);
		// Drains found made are watched hold from one read of all three as confirm began, not one window after another:
		// the first server's window covers the others', which pass at their first read of their own.
		const holds = again.json.steps.filter((step) => step.id === 'confirm').map((step) => [step.target, step.checks.find((check) => check.id === 'drain-holds')?.evidence?.['reads']]);
		expect(holds.slice(1)).toEqual([
			['api/app01', 2],
			['cache/c1', 2],
		]);
		expect(holds[0]![1]).toBeGreaterThan(2);
		// Its owner's restore, from its own journal, is not refused.
		const restore = await run(['restore', machine(), ...common('theirs.jsonl')]);
		expect(restore.code, restore.stderr).toBe(0);
	});

	it('refuses the whole maintenance when one backend would lose its last serving server: nothing sent', async () => {
		await bed.send('set server cache/c2 state maint');
		const before = await states();
		const drain = await run(['drain', machine(), ...common('refused.jsonl')]);
		expect(drain.code).toBe(1);
		expect(drain.json).toMatchObject({ok: false, changed: false, error: {code: 'capacity'}});
		expect(drain.json.error!.message).toContain('backend cache would lose its last serving server (c1 leaving together');
		expect(await states()).toEqual(before);
		// Two backends that would be emptied are both named, and the refusal is said once.
		await bed.send('set server api/api2 state maint');
		try {
			const both = await runCli(['drain', machine(), ...common('refused-two.jsonl').filter((word) => word !== '--json')]);
			expect(both.code).toBe(1);
			expect(both.stderr).toContain('backends api (app01 leaving together) and cache (c1 leaving together) would each lose their last serving server');
			expect(both.stderr.match(/would each lose their last serving server/g)).toHaveLength(1);
			expect(both.stderr).toContain('Capacity left, all leaving together: webapps: app02, app03 stay in rotation while app01 leaves. api: no other active server up and in rotation while app01 leaves.');
			expect(await states()).toEqual({...before, 'api/api2': (await states())['api/api2']});
		} finally {
			await bed.send('set server api/api2 state ready');
		}
	});

	it('is refused as a whole (locked) while another drainboard holds one of its backends, and lets go of the locks it took', async () => {
		const lockDir = process.env['DRAINBOARD_LOCK_DIR']!;
		const holder = await holdLock({dir: lockDir, socket: bed.adminSocket, backend: 'cache', what: 'drain of cache/c2', user: 'alice'});
		try {
			const before = await states();
			const drain = await run(['drain', machine(), ...common('locked.jsonl')]);
			expect(drain.code).toBe(1);
			expect(drain.json).toMatchObject({ok: false, changed: false, error: {code: 'locked'}});
			expect(drain.json.error!.message).toContain('alice');
			expect(await states()).toEqual(before);
		} finally {
			await holder.release();
		}

		// api was locked before cache (name order) and let go: another drainboard takes it now.
		const api = await holdLock({dir: lockDir, socket: bed.adminSocket, backend: 'api', what: 'drain of api/api2', user: 'bob'});
		await api.release();
	});

	it('SIGTERM while restore waits for the machine to be healthy: journaled for each server, all still drained and said so, exit 143', async () => {
		expect((await run(['drain', machine(), ...common('signal.jsonl')])).code).toBe(0);
		await bed.demo('app01').stop();
		try {
			const cli = startCli(['restore', machine(), ...common('signal.jsonl'), '--ready-timeout', '60']);
			await cli.waitForStderr('… maintain · ', 30_000);
			cli.child.kill('SIGTERM');
			const {code} = await cli.exited;
			const {stdout, stderr} = cli;
			expect(code, stderr).toBe(143);
			expect(checkContract(stdout, code)).toMatchObject({ok: false, changed: false, drained: true, error: {code: 'interrupted'}});
			expect(stderr).toMatch(/Stopped by SIGTERM: webapps\/app01 is DRAINED now/);
			const after = await states();
			expect([after['webapps/app01'], after['api/app01'], after['cache/c1']]).toEqual(['8', '8', '8']);
			const entries = readJournal(`${bed.dir}/signal.jsonl`).entries;
			for (const label of ['webapps/app01', 'api/app01', 'cache/c1']) {
				expect(entries.filter((entry) => entry.target === label).at(-1)).toMatchObject({event: 'interrupted'});
			}
		} finally {
			await bed.restartDemo('app01');
		}
	});

	it('--dry-run lists every command and sends none', async () => {
		const before = await states();
		const drain = await run(['drain', machine(), ...common('dry.jsonl'), '--dry-run']);
		expect(drain.code, drain.stderr).toBe(0);
		expect(drain.json).toMatchObject({ok: true, changed: false, wouldSend: ['set server webapps/app01 state drain', 'set server api/app01 state drain', 'set server cache/c1 state drain']});
		// It takes no lock, and says so for each server's backend instead of "locked for this drainboard".
		expect(drain.stderr).not.toContain('locked for this drainboard');
		expect(drain.stderr).toContain('webapps/app01 ✓ validate · Nobody else changing it: No other drainboard holds the lock of webapps now; a dry run reads the lock without taking it.');
		expect(drain.json.steps.filter((step) => step.id === 'baseline').map((step) => [step.target, step.ok])).toEqual([
			['webapps/app01', true],
			['api/app01', true],
			['cache/c1', true],
		]);
		expect(drain.json.steps.filter((step) => step.id === 'drain').map((step) => [step.target, step.ok, step.skipped])).toEqual([
			['webapps/app01', false, true],
			['api/app01', false, true],
			['cache/c1', false, true],
		]);
		expect(await states()).toEqual(before);
	});

	it("validate says when the target's address and port serve other backends this maintenance leaves in rotation, and not when the maintenance takes them all", async () => {
		const address = `127.0.0.1:${bed.port('app01')}`;
		const one = await run(['drain', 'webapps/app01', ...common('shared-one.jsonl'), '--dry-run']);
		expect(one.code, one.stderr).toBe(0);
		const note = `${address} also serves api/app01 and cache/c1, which this maintenance leaves in rotation: work that stops the service there (a restart, a reboot) fails their requests too. A maintenance of @${address} takes every server at that address out together.`;
		// Its own entry in the JSON's warnings, apart from validate's other notes (the bed loads no server-state file).
		expect(one.json.warnings).toContain(`validate · Things to know: ${note}`);
		expect(one.json.warnings).toContainEqual(expect.stringMatching(/^validate · Things to know: No server-state file is loaded: [^]*restore says so if it was lost\.$/));
		// A server of it out of rotation already is not at risk: not named.
		expect(await bed.send('set server cache/c1 state maint')).toBe('\n');
		const two = await run(['drain', 'webapps/app01', ...common('shared-two.jsonl'), '--dry-run']);
		expect(two.json.warnings.join(' ')).toContain(`${address} also serves api/app01, which this maintenance leaves in rotation: work that stops the service there (a restart, a reboot) fails its requests too.`);
		expect(await bed.send('set server cache/c1 state ready')).toBe('\n');
		const all = await run(['drain', machine(), ...common('shared-all.jsonl'), '--dry-run']);
		expect(all.code, all.stderr).toBe(0);
		expect(all.stderr).not.toContain('also serves');
		// Another server of webapps has an address of its own: nothing to say.
		const other = await run(['drain', 'webapps/app02', ...common('shared-other.jsonl'), '--dry-run']);
		expect(other.stderr).not.toContain('also serves');
	});

	it('names what there is when a pattern names nothing (exit 2, not-found)', async () => {
		const none = await run(['drain', '*/nosuch', ...common('none.jsonl')]);
		expect(none.code).toBe(2);
		expect(none.json.error).toEqual({code: 'not-found', message: 'HAProxy has no server that */nosuch names: no backend has a server named nosuch.'});
		const bad = await run(['drain', '@10.0.0.5:99999', ...common('none.jsonl')]);
		expect(bad.code).toBe(2);
		expect(bad.json.error?.code).toBe('invalid-name');
	});
});

describe('the wizard on a pattern', () => {
	type Session = Awaited<ReturnType<typeof startCliInTmux>>;
	// The set screen's first question sends the drains of all three; y answers it.
	const drainAll = async (session: Session): Promise<void> => {
		await session.waitForScreen('Enter drain all');
		await session.press('Enter', '? Send these commands, in order,');
		await session.press('y', 'All 3 are drained and confirmed');
	};

	// From the drained machine: Enter after the work, y for the readies, the maintenance finished.
	const restoreAll = async (session: Session): Promise<string> => {
		await session.press('Enter', 'set server cache/c1 state ready');
		return session.press('y', 'is finished');
	};

	// The machine's maintenance opened again where the work is: Enter and y restore all three.
	const reopenAndRestore = async (args: string[], rows: number): Promise<void> => {
		const session = await startCliInTmux(args, {columns: 120, rows});
		try {
			await session.waitForScreen('All 3 are drained and confirmed');
			await restoreAll(session);
			expect(Object.values(await states()).every((state) => state === '0')).toBe(true);
		} finally {
			await session.kill();
		}
	};

	it('a maintenance of one server of the machine reminds at the work that its address serves the others, left in rotation', async () => {
		const address = `127.0.0.1:${bed.port('app01')}`;
		const session = await startCliInTmux(['webapps/app01', '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/wizard-shared.jsonl`], {columns: 100, rows: 30});
		try {
			await session.waitForScreen('Enter run validate');
			const validated = (await session.press('Enter', '▶ baseline', 30_000)).replace(/\s+/g, ' ');
			expect(validated).toContain(`${address} also serves api/app01 and cache/c1, which this maintenance leaves in rotation`);
			await session.press('Enter', '▶ drain', 30_000);
			await session.press('Enter', 'set server webapps/app01 state drain');
			await session.press('y', '▶ confirm');
			const work = (await session.press('Enter', (current) => current.replace(/\s+/g, ' ').includes('Do the work now'), 30_000)).replace(/\s+/g, ' ');
			expect(work).toContain(`Do the work now (patch, restart…). Mind: at validate, ${address} also served api/app01 and cache/c1, left in rotation: stopping the service there fails their requests too.`);
			await session.press('Enter', '▶ restore', 30_000);
			await session.press('Enter', 'set server webapps/app01 state ready', 30_000);
			await session.press('y', 'maintenance complete', 30_000);
		} finally {
			await session.kill();
		}
	});

	it('opens on the one server an @ADDRESS:PORT names', async () => {
		const session = await startCliInTmux([`@127.0.0.1:${bed.port('app02')}`, '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/wizard-one.jsonl`], {columns: 100, rows: 30});
		try {
			// The wizard's first step, on the server the address names.
			const screen = await session.waitForScreen('Enter run validate');
			expect(screen).toContain('webapps/app02');
		} finally {
			await session.kill();
		}
	});

	it('maintains the machine in three backends as one: one y for the drains, the work, one y for the readies, traffic back to each', async () => {
		const journal = `${bed.dir}/wizard-set.jsonl`;
		const session = await startCliInTmux([machine(), '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 100, rows: 30});
		try {
			let screen = await session.waitForScreen('Enter drain all');
			expect(screen).toContain('MAINTENANCE of 3 servers as one');
			for (const label of ['webapps/app01', 'api/app01', 'cache/c1']) {
				expect(screen).toMatch(new RegExp(`${label.replace('/', '\\/')} +UP · 0 sessions`));
			}

			// Validate and baseline for each, then one question for the three drains: nothing sent before the y.
			screen = await session.press('Enter', '? Send these commands, in order,');
			expect(screen).toContain('set server webapps/app01 state drain');
			expect(screen).toContain('set server api/app01 state drain');
			expect(screen).toContain('set server cache/c1 state drain');
			expect(Object.values(await states()).every((state) => state === '0')).toBe(true);
			screen = await session.press('y', 'All 3 are drained and confirmed');
			// The screen keeps the last lines that fit; every finished line is in the scrollback, validate's first.
			const printed = (await session.scrollback()).replace(/\s+/g, ' ');
			for (const label of ['webapps/app01', 'api/app01', 'cache/c1']) {
				expect(printed).toContain(`${label} ✓ validate · Target exists: ${label} is in the runtime`);
				expect(printed).toContain(`${label} ✓ confirm · Drain bit set: FDRAIN (0x08) is set`);
			}

			// Live lines (rates, health waits) stay on the screen only.
			expect(printed).not.toMatch(/ … (confirm|baseline) · /);
			const drained = await states();
			expect([drained['webapps/app01'], drained['api/app01'], drained['cache/c1'], drained['webapps/app02']]).toEqual(['8', '8', '8', '0']);

			// The work is done: health of each, one y for the three readies, traffic back to each.
			screen = await restoreAll(session);
			expect(screen).toContain(`All 3 are back in rotation; the maintenance of ${machine()} is finished.`);
			expect(Object.values(await states()).every((state) => state === '0')).toBe(true);
			// The rows follow HAProxy's reads: back in rotation.
			screen = await session.waitForScreen((current) => (current.match(/ {2}UP · 0 sessions/g) ?? []).length === 3);
			const entries = readJournal(journal).entries;
			expect(entries.filter((entry) => entry.event === 'command' && /state (drain|ready)$/.test(entry.command ?? '')).map((entry) => entry.command)).toHaveLength(6);

			// Enter: back to the grid, with nothing drained, the cursor on the server after the first of the
			// machine's (webapps/app02: row 3 of 10, as after one server's maintenance); q ends the app with 0 and no note.
			expect((await session.press('Enter', '/ filter')).trimEnd().split('\n').at(-1)).toMatch(/ 3\/10$/);
			await session.press('q');
			expect(await session.exited()).toBe(0);
		} finally {
			await session.kill();
		}
	});

	it('asks before quitting with the machine drained, says how to come back, and the command given takes the maintenance up at the work', async () => {
		const journal = `${bed.dir}/wizard-set-quit.jsonl`;
		const args = [machine(), '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal];
		const session = await startCliInTmux(args, {columns: 120, rows: 30, after: 'sleep 5'});
		try {
			await session.waitForScreen('Enter drain all');
			await session.press('Enter', '? Send these commands, in order,');
			// Ctrl-C at the drains' question asks to quit; "stay" brings the question back as it was.
			await session.press('C-c', 'Quit anyway?');
			await session.press('n', '? Send these commands, in order,');
			expect(Object.values(await states()).every((state) => state === '0')).toBe(true);
			await session.press('y', 'All 3 are drained and confirmed');
			let screen = await session.press('q', '? webapps/app01, api/app01, cache/c1 are drained. Quit anyway?');
			expect(screen).toContain('y quit, leave them drained · n stay');
			screen = await session.press('y', 'To resume:');
			expect(screen.replace(/\n/g, '')).toMatch(new RegExp(`webapps/app01, api/app01, cache/c1 are drained, as HAProxy showed at \\d\\d:\\d\\d:\\d\\d\\. To resume: drainboard ${machine()} --socket ${bed.adminSocket} --config ${bed.configPath} --journal ${journal}`));
			expect(await session.exited()).toBe(0);
			const drained = await states();
			expect([drained['webapps/app01'], drained['api/app01'], drained['cache/c1']]).toEqual(['8', '8', '8']);
		} finally {
			await session.kill();
		}

		// The command printed opens the maintenance where it stopped: the work, then the restore of all three.
		await reopenAndRestore(args, 30);
	});

	it('refuses the whole maintenance in the wizard when a backend would lose its last serving server, and Esc goes back to the grid', async () => {
		await bed.send('set server cache/c2 state drain');
		const session = await startCliInTmux([machine(), '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', `${bed.dir}/wizard-set-refused.jsonl`], {columns: 100, rows: 30});
		try {
			await session.waitForScreen('Enter drain all');
			const screen = await session.press('Enter', 'Enter try again');
			expect(screen.replace(/\n/g, ' ')).toContain('✗ backend cache would lose its last serving server (c1 leaving together');
			// The checklist says where it stopped: at validate, which the capacity of all leaving together is part of.
			expect(screen).toMatch(/^ ✗ validate › · baseline/m);
			expect(screen).toContain('Esc back to the grid');
			const now = await states();
			expect([now['webapps/app01'], now['api/app01'], now['cache/c1']]).toEqual(['0', '0', '0']);
			await session.press('Escape', '/ filter');
			// Back at the grid, the refusal is still there to read, in the scrollback.
			expect((await session.scrollback()).replace(/\s+/g, ' ')).toMatch(/✗ backend cache would lose its last serving server \(c1 leaving together[^)]*\)[^✗]*nothing was sent/i);
		} finally {
			await session.kill();
		}
	});

	it('says at once when HAProxy shows one of the drained machine back in rotation, and restores nothing while that drain is lost', async () => {
		const journal = `${bed.dir}/wizard-set-lost.jsonl`;
		const args = [machine(), '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal];
		const session = await startCliInTmux(args, {columns: 120, rows: 30});
		try {
			await drainAll(session);
			// Someone (or a reload) puts one of them back while the work goes on.
			await bed.send('set server api/app01 state ready');
			let screen = await session.waitForScreen('back in rotation');
			expect(screen.replace(/\n/g, ' ')).toContain('⚠ api/app01 is back in rotation: HAProxy no longer shows it drained');
			expect(screen).not.toContain('All 3 are drained');
			expect(screen).toContain('Enter sends nothing while a drain is lost');
			screen = await session.press('Enter', 'Enter try again');
			expect(screen.replace(/\n/g, ' ')).toContain('✗ api/app01 is not drained: the drain was lost during the maintenance');
			expect(screen.replace(/\n/g, ' ')).toContain('so this restore sent nothing. Check api/app01 and its traffic; the journal closes its maintenance. Enter again puts back the others (webapps/app01, cache/c1) with their checks');
			expect(screen.replace(/\n/g, ' ')).toContain(`or put them back one at a time ("drainboard restore webapps/app01 --yes --socket ${bed.adminSocket}`);
			expect(screen).not.toContain('Or put them back headless');
			const now = await states();
			expect([now['webapps/app01'], now['api/app01'], now['cache/c1']]).toEqual(['8', '0', '8']);
			// The way out it names works: Enter again asks the readies of the others only, and puts them back.
			screen = await session.press('Enter', '? Send these commands, in order,');
			expect(screen).toContain('set server webapps/app01 state ready');
			expect(screen).toContain('set server cache/c1 state ready');
			expect(screen).not.toContain('set server api/app01 state ready');
			// Found not drained when this restore began: no proof is promised for it.
			expect(screen.replace(/\s+/g, ' ')).toContain('! api/app01 is already back in rotation: HAProxy shows it not drained (set ready outside this maintenance). y sends nothing to it, and does not check it: this restore found it not drained.');
			screen = await session.press('y', 'is finished');
			// Back in rotation with restore's checks are the two it restored; the one whose drain was lost is said apart.
			expect(screen.replace(/\n/g, ' ')).toContain("webapps/app01, cache/c1 are back in rotation, with restore's checks. api/app01 is in rotation already: this restore found it not drained, so its checks did not run for it.");
			expect(Object.values(await states()).every((state) => state === '0')).toBe(true);
		} finally {
			await session.kill();
		}
	});

	it('r puts back the drain HAProxy no longer shows on one of the machine (asked first, read back), confirm proves it again, and the restore then runs for all', async () => {
		const journal = `${bed.dir}/wizard-set-reapply.jsonl`;
		const session = await startCliInTmux([machine(), '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 120, rows: 30});
		try {
			await drainAll(session);
			// Esc does not leave a drained machine behind the grid, and says why.
			let screen = await session.press('Escape', 'Esc goes back to the grid only while nothing of this maintenance is drained');
			expect(screen).toContain('MAINTENANCE of 3 servers');
			expect(screen).toContain('Enter when the work is done: restore all · q quit · ? help');
			screen = await session.press('?', 'show / hide this help');
			expect(screen).toMatch(/^ {2}r +put back a drain HAProxy no longer shows \(asks first\) *$/m);
			// The help has the room of the phase's words too, and the keys' line is the help's.
			expect(screen).toMatch(/^↑↓ PgUp\/PgDn scroll the help · \? or Esc close it · q quit *$/m);
			expect(screen).not.toContain('Enter when the work is done');
			screen = await session.press('?', (current) => !current.includes('show / hide this help'));
			expect(screen).toContain('Enter when the work is done: restore all · q quit · ? help');
			await bed.send('set server api/app01 state ready');
			screen = await session.waitForScreen('r puts the drain back');
			expect(screen).toContain('r re-apply the drain');
			// Putting it back is a state change like any: refused while another drainboard holds the backend.
			const holder = await holdLock({dir: process.env['DRAINBOARD_LOCK_DIR']!, socket: bed.adminSocket, backend: 'api', what: 'drain of api/api2', user: 'alice'});
			try {
				screen = await session.press('r', 'api is being changed by alice');
				expect((await states())['api/app01']).toBe('0');
			} finally {
				await holder.release();
			}

			screen = await session.press('r', 'set server api/app01 state drain');
			// Asked first: nothing is sent before the y.
			expect((await states())['api/app01']).toBe('0');
			const confirmsBefore = readJournal(journal).entries.filter((entry) => entry.target === 'api/app01' && entry.step === 'confirm' && entry.event === 'step-passed').length;
			screen = await session.press('y', 'api/app01: the drain is back on HAProxy (read back after it was sent); confirm runs again for it.');
			expect((await states())['api/app01']).toBe('8');
			// In rotation meanwhile: confirm runs again for it (its traffic proven elsewhere, its drain watched from when it was put back), not for the others.
			screen = await session.waitForScreen((current) => current.replace(/\n/g, ' ').includes('All 3 are drained and confirmed (confirm ran again for api/app01 after r put its drain back).'));
			expect(screen).not.toContain('back in rotation');
			const entries = readJournal(journal).entries;
			const reapplied = entries.map((entry) => entry.target === 'api/app01' && entry.command === 'set server api/app01 state drain').lastIndexOf(true);
			const after = entries.slice(reapplied + 1);
			expect(after.filter((entry) => entry.target === 'api/app01' && entry.step === 'confirm' && entry.check !== undefined).map((entry) => `${entry.check}:${entry.verdict}`)).toEqual(['drain-bit:pass', 'drain-holds:pass', 'sessions-quiet:pass', 'traffic-moved:pass']);
			// Watched from when the drain was put back, not from the drain that was undone.
			const holds = after.find((entry) => entry.check === 'drain-holds')!;
			expect(holds.observed).toMatch(/s after the drain was set \(\d+ reads\)/);
			expect(Number(holds.evidence?.['heldMs'])).toBeLessThanOrEqual(Date.parse(holds.time) - Date.parse(entries[reapplied]!.time) + 100);
			expect(entries.filter((entry) => entry.target === 'api/app01' && entry.step === 'confirm' && entry.event === 'step-passed')).toHaveLength(confirmsBefore + 1);
			expect(after.filter((entry) => entry.target !== 'api/app01' && entry.step === 'confirm')).toEqual([]);
			await restoreAll(session);
			expect(Object.values(await states()).every((state) => state === '0')).toBe(true);
		} finally {
			await session.kill();
		}
	});

	it('says a backend of the drained machine left with no server serving (someone took the rest out), and Enter brings the machine back at once', async () => {
		const journal = `${bed.dir}/wizard-set-outage.jsonl`;
		const session = await startCliInTmux([machine(), '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 120, rows: 30});
		try {
			await drainAll(session);
			expect(await session.screen()).not.toContain('no server serving');
			await bed.send('set server cache/c2 state maint');
			const screen = await session.waitForScreen('no server serving');
			expect(screen.replace(/\s+/g, ' ')).toContain("⚠ cache has no server serving: clients get errors now. Enter brings this maintenance's servers back now (each one's health, then one y for the readies).");
			await restoreAll(session);
			expect([(await states())['webapps/app01'], (await states())['api/app01'], (await states())['cache/c1']]).toEqual(['0', '0', '0']);
		} finally {
			await session.kill();
		}
	});

	it('a server of the machine set ready outside while the readies are asked is said above the question; y restores the rest and proves traffic back to each', async () => {
		const journal = `${bed.dir}/wizard-set-ready-outside.jsonl`;
		const session = await startCliInTmux([machine(), '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 120, rows: 30});
		try {
			await drainAll(session);
			let screen = await session.press('Enter', 'set server cache/c1 state ready');
			// q at the question asks to quit (all drained), the question set aside; staying brings it back as it was.
			screen = await session.press('q', 'Quit anyway?');
			expect(screen).not.toContain('set server cache/c1 state ready');
			screen = await session.press('n', (current) => !current.includes('Quit anyway?') && current.includes('set server cache/c1 state ready'));
			expect(screen).not.toContain('already back in rotation');
			expect(screen.trimEnd().split('\n').at(-1)).toBe('y send it · n cancel');
			// Someone (socat, another tool) brings one back while the question is open.
			await bed.send('set server api/app01 state ready');
			screen = await session.waitForScreen('already back in rotation');
			expect(screen.replace(/\s+/g, ' ')).toContain('! api/app01 is already back in rotation: HAProxy shows it not drained (set ready outside this maintenance). y sends nothing to it, and proves traffic returns to it.');
			expect(screen).toContain('set server cache/c1 state ready');
			screen = await session.press('y', 'is finished');
			expect(screen).toContain(`All 3 are back in rotation; the maintenance of ${machine()} is finished.`);
			expect(Object.values(await states()).every((state) => state === '0')).toBe(true);
			const proofs = readJournal(journal).entries.filter((entry) => entry.check === 'traffic-returns' && entry.verdict === 'pass');
			expect(proofs).toHaveLength(3);
			// Nothing was sent to the one set ready outside: no ready, and no ready claimed for it.
			expect(readJournal(journal).entries.filter((entry) => entry.event === 'reply' && entry.command === 'set server api/app01 state ready')).toEqual([]);
			expect(readJournal(journal).entries.find((entry) => entry.target === 'api/app01' && entry.check === 'ready-sent')?.observed).toBe('api/app01 is in rotation already: HAProxy shows it neither drained nor in maintenance (set ready outside this maintenance), so "state ready" was not sent.');
		} finally {
			await session.kill();
		}
	});

	it('a machine drained by a maintenance of another journal: asked to take it over, only confirm runs, and its restore (here, or opened again) needs no --take-over', async () => {
		const flags = ['--socket', bed.adminSocket, '--config', bed.configPath];
		const drain = await runCli(['drain', machine(), ...flags, '--journal', `${bed.dir}/taken-a.jsonl`, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		const journal = `${bed.dir}/taken-b.jsonl`;
		const args = [machine(), ...flags, '--journal', journal];
		const session = await startCliInTmux(args, {columns: 120, rows: 40});
		try {
			let screen = await session.waitForScreen('Take them over?');
			expect(screen.replace(/\n/g, ' ')).toMatch(/webapps\/app01, api\/app01, cache\/c1 are drained by root's maintenance at \d\d:\d\d:\d\d \(journal \S+taken-a\.jsonl\), not by a maintenance of this journal\./);
			screen = await session.press('y', 'Enter runs confirm for all 3 as one maintenance.');
			// The steps this maintenance did not run are not shown done.
			expect(screen).toMatch(/^ – validate › – baseline › – drain › ▶ confirm/m);
			// Taken over as the maintenance begins, not at the yes: until then the marks name the other journal.
			expect(markJournals()).toEqual([`${bed.dir}/taken-a.jsonl`]);
			screen = await session.press('Enter', 'All 3 are drained and confirmed');
			expect(markJournals()).toEqual([journal]);
			expect(screen).toMatch(/^ – validate › – baseline › – drain › ✓ confirm › ▶ maintain/m);
			expect(readJournal(journal).entries.filter((entry) => entry.event === 'override' && /take-over/.test(entry.detail ?? ''))).toHaveLength(3);
			await session.press('q', 'Quit anyway?');
			screen = await session.press('y', 'To resume:');
			expect(await session.exited()).toBe(0);
		} finally {
			await session.kill();
		}

		// Opened again on this journal: the maintenance is this one's, and its restore is not refused.
		await reopenAndRestore(args, 40);
	});

	it('a machine drained by a maintenance of another journal: no to the take-over goes back to the grid and sends nothing', async () => {
		const flags = ['--socket', bed.adminSocket, '--config', bed.configPath];
		const drain = await runCli(['drain', machine(), ...flags, '--journal', `${bed.dir}/kept-a.jsonl`, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		const session = await startCliInTmux([machine(), ...flags, '--journal', `${bed.dir}/kept-b.jsonl`], {columns: 120, rows: 40});
		try {
			await session.waitForScreen('Take them over?');
			await session.press('n', '/ filter');
			const now = await states();
			expect([now['webapps/app01'], now['api/app01'], now['cache/c1']]).toEqual(['8', '8', '8']);
			const restore = await runCli(['restore', machine(), ...flags, '--journal', `${bed.dir}/kept-a.jsonl`, '--yes']);
			expect(restore.code, restore.stderr).toBe(0);
		} finally {
			await session.kill();
		}
	});

	it('q while restore waits for the machine to be healthy ends the wait at once: drainboard exits, the health wait is not passed behind it', async () => {
		const journal = `${bed.dir}/wizard-set-quit-wait.jsonl`;
		const args = [machine(), '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal];
		const session = await startCliInTmux(args, {columns: 120, rows: 30});
		try {
			await drainAll(session);
			await bed.demo('app01').stop();
			await session.press('Enter', 'waiting for its health check to pass', 20_000);
			await session.press('q', 'Quit anyway?');
			await session.send('y');
			// Ends while the machine is still down (the default --ready-timeout is 300 s).
			expect(await session.exited()).toBe(0);
			const maintain = readJournal(journal).entries.filter((entry) => entry.step === 'maintain' && (entry.event === 'step-passed' || entry.check === 'health-back'));
			expect(maintain.filter((entry) => entry.event === 'step-passed' || entry.verdict === 'pass')).toEqual([]);
		} finally {
			await session.kill();
			await bed.restartDemo('app01');
		}
	});

	it("the grid's m on cache/c1 offers its address and port (the machine in three backends) and opens their maintenance as one; Esc goes back", async () => {
		const journal = `${bed.dir}/wizard-set-m.jsonl`;
		const session = await startCliInTmux(['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 120, rows: 30});
		try {
			await session.waitForScreen('/ filter');
			await session.press(['/', 'c', '1', 'Enter'], '1 server matches');
			await session.send('Down');
			await waitFor('the cursor on c1', async () => ((await session.screen(true)).split('\n').some((line) => line.includes('\u001B[0;7m') && / c1 /.test(line)) ? true : undefined));
			let screen = await session.press('m', 'TAKE OUT TOGETHER WITH cache/c1');
			expect(screen).toMatch(new RegExp(`❯ ${machine().replace(/\./g, '\\.')} +every server at 127\\.0\\.0\\.1 port ${bed.port('app01')} \\(3 servers\\)`));
			expect(screen).toContain(`${machine()}: webapps/app01, api/app01, cache/c1`);
			// No choice for a name no other backend has: cache/c1 is the only c1.
			expect(screen).not.toContain('*/c1');
			screen = await session.press('Enter', 'Enter drain all');
			expect(screen).toContain(`drainboard · ${machine()}`);
			expect(screen).toContain('MAINTENANCE of 3 servers as one');
			expect(Object.values(await states()).every((state) => state === '0')).toBe(true);
			await session.press('Escape', '/ filter');
			await session.press('q');
			expect(await session.exited()).toBe(0);
		} finally {
			await session.kill();
		}
	});

	it("the grid's banner takes up a machine drained by an unfinished maintenance as the one maintenance it is", async () => {
		const journal = `${bed.dir}/wizard-set-banner.jsonl`;
		const flags = ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal];
		const drain = await runCli(['drain', machine(), ...flags, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		const session = await startCliInTmux(flags, {columns: 200, rows: 40});
		try {
			const grid = await session.waitForScreen('⚠ r resumes');
			expect(grid).toMatch(new RegExp(`⚠ r resumes ${machine()}: webapps/app01, api/app01, cache/c1 left drained by \\S+'s maintenance of (\\d\\d:\\d\\d:\\d\\d|\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d)`));
			await session.press('r', 'All 3 are drained and confirmed');
			await restoreAll(session);
			expect(Object.values(await states()).every((state) => state === '0')).toBe(true);
			// Back on the grid, nothing is left to resume.
			const after = await session.press('Enter', '/ filter');
			expect(after).not.toContain('⚠ r resumes');
		} finally {
			await session.kill();
		}
	});
	it('the wizard opened on one server of an unfinished machine maintenance says, before resuming, that only that server comes back, and which command resumes them all', async () => {
		const journal = `${bed.dir}/wizard-set-member.jsonl`;
		const flags = ['--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal];
		const drain = await runCli(['drain', machine(), ...flags, '--yes']);
		expect(drain.code, drain.stderr).toBe(0);
		const session = await startCliInTmux(['webapps/app01', ...flags], {columns: 200, rows: 40});
		try {
			const screen = (await session.waitForScreen('Resume at', 20_000)).replace(/\s+/g, ' ');
			expect(screen).toContain(`It was drained as one maintenance of ${machine()} with api/app01, cache/c1: resuming here puts back webapps/app01 only, and those stay drained; "drainboard ${machine()} --socket ${bed.adminSocket} --config ${bed.configPath} --journal ${journal}" resumes all of them together.`);
			await session.press('n', '/ filter', 20_000);
			await session.press('q');
			expect(await session.exited()).toBe(0);
			expect(Object.values(await states()).filter((state) => state === '8')).toHaveLength(3);
		} finally {
			await session.kill();
			const restore = await runCli(['restore', machine(), ...flags, '--yes']);
			expect(restore.code, restore.stderr).toBe(0);
		}
	});
});

describe('a backend of the maintenance changed while the drains\' question is open', () => {
	it('refuses the whole maintenance after the yes, before any drain is sent: none of the servers is drained', async () => {
		const journal = `${bed.dir}/wizard-set-changed.jsonl`;
		const session = await startCliInTmux([machine(), '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 120, rows: 30});
		try {
			await session.waitForScreen('Enter drain all');
			await session.press('Enter', '? Send these commands, in order,');
			// Someone outside drainboard (socat) drains cache's other server while the question is open.
			await bed.send('set server cache/c2 state drain');
			const screen = await session.press('y', 'Enter try again');
			expect(screen.replace(/\s+/g, ' ')).toContain('HAProxy changed while the question was open: backend cache would lose its last serving server (c1 leaving together');
			const now = await states();
			expect([now['webapps/app01'], now['api/app01'], now['cache/c1'], now['cache/c2']]).toEqual(['0', '0', '0', '8']);
			expect(readJournal(journal).entries.filter((entry) => entry.event === 'reply')).toEqual([]);
		} finally {
			await session.kill();
		}
	});
});

describe('a server of a drained maintenance that HAProxy no longer shows (del server; the last test of this file: cache/c1 stays gone)', () => {
	it('is not said drained now: the screen, the quit question and the note on the way out name it apart', async () => {
		const journal = `${bed.dir}/wizard-set-unshown.jsonl`;
		const session = await startCliInTmux([machine(), '--socket', bed.adminSocket, '--config', bed.configPath, '--journal', journal], {columns: 120, rows: 30});
		try {
			await session.waitForScreen('Enter drain all');
			await session.press('Enter', '? Send these commands, in order,');
			await session.press('y', 'All 3 are drained and confirmed', 60_000);
			// Someone removes cache/c1 from the running HAProxy (maintenance first, as del server needs).
			await bed.send('set server cache/c1 state maint');
			await waitFor('cache/c1 deleted', async () => ((await bed.send('shutdown sessions server cache/c1; del server cache/c1')).includes('Server deleted') ? true : undefined), 10_000, 200);
			let screen = await session.waitForScreen('not in HAProxy’s last read');
			expect(screen.replace(/\s+/g, ' ')).toContain("All 3 were drained and confirmed. HAProxy's last read does not show cache/c1 (removed from HAProxy, or its instance does not answer). Do the work now.");
			expect(screen).not.toContain('are drained and confirmed');
			screen = await session.press('q', 'Quit anyway?');
			expect(screen.replace(/\s+/g, ' ')).toContain('webapps/app01, api/app01 are drained, and HAProxy has not shown cache/c1 since: it may still be drained. Quit anyway?');
			screen = await session.press('y', 'To resume:');
			expect(screen.replace(/\n/g, '')).toMatch(/webapps\/app01, api\/app01 are drained, as HAProxy showed at \d\d:\d\d:\d\d; HAProxy has not shown cache\/c1 since this maintenance drained it\. To resume: drainboard /);
			expect(await session.exited()).toBe(0);
		} finally {
			await session.kill();
		}
	});
});
