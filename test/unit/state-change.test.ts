import {describe, expect, it} from 'vitest';
import {readJournal} from '../../source/runbook/journal.js';
import {beginMaintenance} from '../../source/runbook/prepare.js';
import {lastMaintenance} from '../../source/runbook/resume.js';
import {runStep} from '../../source/runbook/run-step.js';
import type {StepId} from '../../source/runbook/steps.js';
import {engineHarness, FakeClock, FakeHaproxy, type EngineHarness} from '../helpers/fake-runtime.js';

const pool = () => new FakeHaproxy(['app01', 'app02', 'app03']);

async function through(harness: EngineHarness, steps: StepId[]) {
	for (const step of steps) {
		const outcome = await runStep(step, harness.context, harness.io);
		if (outcome !== 'passed') {
			throw new Error(`${step} ${outcome}: ${JSON.stringify(harness.state().steps[step].checks.at(-1))}`);
		}
	}
}

const check = (harness: EngineHarness, step: StepId, id: string) => harness.state().steps[step].checks.find((result) => result.id === id);

describe('the capacity re-check right before the drain', () => {
	it('sends nothing when the other servers left rotation while the question was open', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline']);
		harness.io.ask = async () => {
			haproxy.set('app02', {adminState: 0x08, status: 'DRAIN'});
			haproxy.set('app03', {opState: 0, status: 'DOWN'});
			return true;
		};

		expect(await runStep('drain', harness.context, harness.io)).toBe('failed');
		expect(haproxy.sent).toEqual([]);
		expect(check(harness, 'drain', 'drain-sent')).toMatchObject({
			verdict: 'fail',
			exitCode: 1,
			observed:
				'Right before the drain, HAProxy shows no other active server of webapps up and in rotation (app02 DRAIN, app03 DOWN), so nothing was sent: someone changed the backend after validate; look at it, then retry.',
		});
		expect(harness.context.lock.isHeld).toBe(false);
	});

	it('lets --force drain the last server, as validate did', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock(), {force: true});
		await through(harness, ['validate', 'baseline']);
		haproxy.set('app02', {adminState: 0x01, opState: 0, status: 'MAINT'});
		haproxy.set('app03', {adminState: 0x01, opState: 0, status: 'MAINT'});
		expect(await runStep('drain', harness.context, harness.io)).toBe('passed');
		expect(haproxy.sent).toEqual(['set server webapps/app01 state drain']);
	});
});

describe('restore and health', () => {
	it('refuses "ready" while the target is not healthy, before asking: nothing sent, no question', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline', 'drain', 'confirm', 'maintain']);
		haproxy.set('app01', {opState: 0, status: 'DOWN', checkStatus: 'L4CON'});
		const asked = harness.prompts.length;
		expect(await runStep('restore', harness.context, harness.io)).toBe('failed');
		expect(harness.prompts.length).toBe(asked);
		expect(haproxy.sent.filter((command) => command.endsWith('ready'))).toEqual([]);
		expect(check(harness, 'restore', 'ready-sent')?.observed).toMatch(/^webapps\/app01 was not healthy at \d\d:\d\d:\d\d \(DOWN · L4CON .*\), so "state ready" was not sent by this maintenance;/);
		expect(harness.state().drained).toBe(true);
	});

	it('reads the health again after the yes: a target that went down while asked gets nothing', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline', 'drain', 'confirm', 'maintain']);
		harness.io.ask = async () => {
			haproxy.set('app01', {opState: 0, status: 'DOWN', checkStatus: 'L4CON'});
			return true;
		};

		expect(await runStep('restore', harness.context, harness.io)).toBe('failed');
		expect(haproxy.sent.filter((command) => command.endsWith('ready'))).toEqual([]);
		// Refused on the read after the yes: never sent, so not on record as a command.
		expect(readJournal(harness.journalFile).entries.filter((entry) => entry.event === 'command' && entry.command?.endsWith('ready'))).toEqual([]);
	});

	it('says what to do at restore when the target gets no traffic, not what to do before draining', async () => {
		const haproxy = pool();
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline', 'drain', 'confirm', 'maintain']);
		harness.io.ask = async () => {
			haproxy.set('app01', {userWeight: 0});
			return true;
		};

		expect(await runStep('restore', harness.context, harness.io)).toBe('failed');
		const returns = check(harness, 'restore', 'traffic-returns')!;
		expect(returns.todo).toBe('Retry in a few seconds; if it still gets none, look at its weight and health in the grid.');
		expect(`${returns.meaning} ${returns.todo}`).not.toContain('before draining');
	});
});

describe('agent-check', () => {
	it('drain stops an enabled agent first, in the same question; restore starts it again', async () => {
		const haproxy = pool();
		haproxy.set('app01', {agentCheck: 'enabled'});
		const harness = engineHarness(haproxy, new FakeClock());
		beginMaintenance(harness.context, undefined);
		await through(harness, ['validate', 'baseline', 'drain']);
		expect(check(harness, 'validate', 'warnings')?.observed).toContain('webapps/app01 has an agent-check that can set its state');
		expect(harness.prompts.at(-1)).toMatchObject({kind: 'command', command: 'set server webapps/app01 state drain', commands: ['disable agent webapps/app01', 'set server webapps/app01 state drain']});
		expect(haproxy.sent).toEqual(['disable agent webapps/app01', 'set server webapps/app01 state drain']);
		expect(lastMaintenance(readJournal(harness.journalFile).entries, 'webapps/app01')?.agentDisabled).toBe(true);

		await through(harness, ['confirm', 'maintain', 'restore']);
		expect(haproxy.sent.slice(2)).toEqual(['set server webapps/app01 state ready', 'enable agent webapps/app01']);
		expect(haproxy.server('app01').agentCheck).toBe('enabled');
	});

	it('confirm fails when something sets the target back into rotation within the hold time', async () => {
		const haproxy = pool();
		const clock = new FakeClock();
		const harness = engineHarness(haproxy, clock);
		await through(harness, ['validate', 'baseline', 'drain']);
		// What an agent answering "ready" does, a moment after the drain.
		clock.onSleep = () => {
			haproxy.set('app01', {adminState: 0, status: 'UP'});
		};

		expect(await runStep('confirm', harness.context, harness.io)).toBe('failed');
		expect(check(harness, 'confirm', 'drain-holds')).toMatchObject({verdict: 'fail'});
		expect(check(harness, 'confirm', 'drain-holds')?.observed).toMatch(/^the drain was undone 0\.5 s after it was set: HAProxy shows admin flags none now\.$/);
	});
});

describe('the backend lock', () => {
	it('is held from validate to the end of confirm, and let go when the maintenance stops before the drain', async () => {
		const harness = engineHarness(pool(), new FakeClock());
		await through(harness, ['validate']);
		expect(harness.context.lock.isHeld).toBe(true);
		await through(harness, ['baseline', 'drain']);
		expect(harness.context.lock.isHeld).toBe(true);
		await through(harness, ['confirm']);
		expect(harness.context.lock.isHeld).toBe(false);

		const other = engineHarness(pool(), new FakeClock());
		await through(other, ['validate']);
		other.answers.push(false);
		expect(await runStep('baseline', other.context, other.io)).toBe('passed');
		expect(await runStep('drain', other.context, other.io)).toBe('cancelled');
		expect(other.context.lock.isHeld).toBe(false);
	});
});

describe('what became of the drain (facts.drainOutcome), and the lock after a failed drain', () => {
	/** The drain goes through; then `after` runs, as if HAProxy or someone acted right then. */
	const drainThen = (harness: EngineHarness, after: () => void) => {
		const client = harness.context.clients[0]!;
		harness.context.clients = [
			{
				...client,
				async setServerState(target, state) {
					const outcome = await client.setServerState(target, state);
					if (state === 'drain') {
						after();
					}

					return outcome;
				},
			},
		];
	};

	/** Validate and baseline pass, `before` runs, then the drain step fails. */
	async function failedDrain(haproxy: FakeHaproxy, before: (harness: EngineHarness) => void = () => undefined): Promise<EngineHarness> {
		const harness = engineHarness(haproxy, new FakeClock());
		await through(harness, ['validate', 'baseline']);
		before(harness);
		expect(await runStep('drain', harness.context, harness.io)).toBe('failed');
		return harness;
	}

	it('is not-sent until a drain goes out, and applied once HAProxy took it', async () => {
		const harness = engineHarness(pool(), new FakeClock());
		await through(harness, ['validate', 'baseline']);
		expect(harness.state().facts.drainOutcome).toBe('not-sent');
		await through(harness, ['drain']);
		expect(harness.state().facts.drainOutcome).toBe('applied');
		expect(harness.context.lock.isHeld).toBe(true);
	});

	it('stays not-sent in a dry run, and when the capacity re-check refuses before sending: the lock goes', async () => {
		const dry = engineHarness(pool(), new FakeClock(), {dryRun: true});
		await through(dry, ['validate', 'baseline', 'drain']);
		expect(dry.state().facts.drainOutcome).toBe('not-sent');

		const haproxy = pool();
		const refused = await failedDrain(haproxy, () => {
			haproxy.set('app02', {opState: 0, status: 'DOWN'});
			haproxy.set('app03', {opState: 0, status: 'DOWN'});
		});
		expect(refused.state().facts.drainOutcome).toBe('not-sent');
		expect(refused.context.lock.isHeld).toBe(false);
	});

	it('is unknown when the reply was lost and HAProxy could not be read back: drained, and the lock kept', async () => {
		const haproxy = pool();
		haproxy.lostReplies.add('set server webapps/app01 state drain');
		const harness = await failedDrain(haproxy);
		expect(harness.state().facts.drainOutcome).toBe('unknown');
		expect(harness.state().drained).toBe(true);
		expect(harness.context.lock.isHeld).toBe(true);
	});

	it('is applied when HAProxy accepted it but did not answer the read right after: the lock kept', async () => {
		const haproxy = pool();
		const harness = await failedDrain(haproxy, (it) => {
			drainThen(it, () => {
				haproxy.reachable = false;
			});
		});
		expect(harness.state().facts.drainOutcome).toBe('applied');
		expect(harness.context.lock.isHeld).toBe(true);
	});

	it('is not-applied when HAProxy refused it, or it was put back at once: the lock goes', async () => {
		const refusing = pool();
		refusing.replies.set('set server webapps/app01 state drain', 'Permission denied\n');
		const refused = await failedDrain(refusing);
		expect(refused.state().facts.drainOutcome).toBe('not-applied');
		expect(refused.context.lock.isHeld).toBe(false);

		const haproxy = pool();
		const putBack = await failedDrain(haproxy, (it) => {
			drainThen(it, () => {
				haproxy.set('app02', {opState: 0, status: 'DOWN'});
				haproxy.set('app03', {opState: 0, status: 'DOWN'});
			});
		});
		expect(haproxy.server('app01').adminFlags).toEqual([]);
		expect(putBack.state().facts.drainOutcome).toBe('not-applied');
		expect(putBack.context.lock.isHeld).toBe(false);
	});
});
