import {describe, expect, it} from 'vitest';
import {backendFacts} from '../../source/config/backend-facts.js';
import {conditionFacts, configEnvironment} from '../../source/config/condition-facts.js';
import {parseConfigFiles} from '../../source/config/parse-config.js';
import {runStep} from '../../source/runbook/run-step.js';
import {engineHarness, FakeClock, FakeHaproxy, type EngineHarness} from '../helpers/fake-runtime.js';

const facts = conditionFacts({environment: configEnvironment(new Map()), version: '2.6.12', build: null, args: null});
const configCheck = (harness: EngineHarness) => harness.state().steps.validate.checks.find((result) => result.id === 'config-valid');

function harnessWith(text: string, warnings: string[] = []): EngineHarness {
	const harness = engineHarness(new FakeHaproxy(['app01', 'app02', 'app03']), new FakeClock());
	const parsed = parseConfigFiles([{file: '/etc/haproxy/haproxy.cfg', text}], facts);
	harness.context.config = {files: ['/etc/haproxy/haproxy.cfg'], source: 'the file in the command line of HAProxy pid 100', warnings, parsed};
	harness.context.backendFacts = backendFacts(parsed.sections, 'webapps') ?? null;
	return harness;
}

const servers = '    server app01 10.0.0.1:80\n    server app02 10.0.0.2:80\n    server app03 10.0.0.3:80\n';

describe('validate: the configuration checked defines the target', () => {
	it('passes and says where the server is defined, and where the files come from', async () => {
		const harness = harnessWith(`backend webapps\n${servers}`);
		expect(await runStep('validate', harness.context, harness.io)).toBe('passed');
		expect(configCheck(harness)).toMatchObject({
			verdict: 'pass',
			observed: 'haproxy -c -V -f /etc/haproxy/haproxy.cfg passed (the file in the command line of HAProxy pid 100); webapps/app01 is defined at /etc/haproxy/haproxy.cfg line 2.',
		});
	});

	it('fails (exit 1, nothing sent) when the server is not in the files, saying what to do', async () => {
		const harness = harnessWith('backend webapps\n    server app02 10.0.0.2:80\n');
		expect(await runStep('validate', harness.context, harness.io)).toBe('failed');
		expect(configCheck(harness)).toMatchObject({
			verdict: 'fail',
			observed: 'haproxy -c -V -f /etc/haproxy/haproxy.cfg passed, but backend webapps (/etc/haproxy/haproxy.cfg line 1) has no server app01.',
			todo: 'Pass --config with the files HAProxy runs, or fix the configuration so that it defines the server, then retry.',
		});
		expect(harness.state().steps.validate.status).toBe('failed');
	});

	it('warns with every condition it could not evaluate, and with the sentences about where the files come from', async () => {
		const text = `global\n.if feature(QUIC)\n    maxconn 10\n.endif\nbackend webapps\n.if defined(HAPROXY_MWORKER)\n    cookie SRV insert\n.endif\n${servers}`;
		const harness = harnessWith(text, ['--config /x.cfg is not what HAProxy pid 100 loaded (/y.cfg); drainboard reads and checks --config as asked.']);
		expect(await runStep('validate', harness.context, harness.io)).toBe('passed');
		const observed = configCheck(harness)?.observed ?? '';
		expect(configCheck(harness)?.verdict).toBe('warn');
		expect(observed).toContain('--config /x.cfg is not what HAProxy pid 100 loaded (/y.cfg); drainboard reads and checks --config as asked.');
		expect(observed).toContain('`.if feature(QUIC)` (/etc/haproxy/haproxy.cfg line 2) cannot be evaluated here (no haproxy binary could say which features it was built with): the lines under it are neither relied on nor taken as absent.');
		expect(observed).toContain('`.if defined(HAPROXY_MWORKER)` (/etc/haproxy/haproxy.cfg line 6) cannot be evaluated here');
		const warnings = harness.state().steps.validate.checks.find((result) => result.id === 'warnings')?.observed ?? '';
		expect(warnings).toContain('`.if defined(HAPROXY_MWORKER)` (/etc/haproxy/haproxy.cfg line 6) cannot be evaluated here (HAProxy sets HAPROXY_MWORKER itself, so its value is not known here): the persistence or server-state lines under it may or may not apply.');
	});
});
