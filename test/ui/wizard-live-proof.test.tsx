import React from 'react';
import {afterEach, describe, expect, it} from 'vitest';
import {systemClock} from '../../source/runbook/context.js';
import type {PreparedMaintenance} from '../../source/runbook/prepare.js';
import {parseTarget} from '../../source/runtime/names.js';
import {App} from '../../source/ui/app.js';
import {engineHarness, FakeClock, FakeHaproxy} from '../helpers/fake-runtime.js';
import {keys, renderAt, type Rendered} from '../helpers/render-ink.js';

let rendered: Rendered | undefined;
afterEach(() => {
	rendered?.unmount();
	rendered = undefined;
});

/**
 * The wizard on webapps/app01 of a fake HAProxy with no listener to derive, at 100x30. With
 * `realTime` the wizard waits on HAProxy's counters in real time, as it would on a load balancer.
 */
function openWizard(options: Parameters<typeof engineHarness>[2], {realTime}: {realTime: boolean}) {
	const haproxy = new FakeHaproxy(['app01', 'app02', 'app03']);
	const harness = engineHarness(haproxy, new FakeClock(), options);
	if (realTime) {
		harness.context.clock = systemClock;
	}

	harness.context.store.dispatch({type: 'probe-set', probe: null, source: 'only use_backend %[req.hdr(x-pool)] can route to it'});
	const prepared: PreparedMaintenance = {context: harness.context, resume: undefined, notice: null, notes: [], comeBack: null};
	const ui = renderAt(<App clients={harness.context.clients} initialTarget={parseTarget('webapps/app01')} prepare={async () => prepared} pollIntervalMs={30} />, {columns: 100, rows: 30});
	rendered = ui;
	return {haproxy, harness, ui};
}

describe('the URL the wizard asks for', () => {
	it('Esc clears what is typed (q is typed, not quit), and on an empty field goes back to the grid: nothing is drained', async () => {
		const {haproxy, ui} = openWizard({proof: 'probe'}, {realTime: false});
		await ui.waitForFrame('▶ validate');
		const asked = await ui.press(keys.enter, 'Type the URL clients use');
		expect(asked).toContain('type the URL · Enter use it · Esc clear (empty: back to the grid)');
		await ui.press('q', 'URL: q▏');
		await ui.press(keys.escape, (frame) => frame.includes('URL: ▏'));
		const grid = await ui.press(keys.escape, (frame) => !frame.includes('URL:') && /▸ webapps/.test(frame));
		expect(grid).not.toContain('▶ baseline');
		expect(haproxy.sent).toEqual([]);
	});
});

describe('the wizard with --proof live', () => {
	it('asks for no URL, and shows the live rates while it waits for the target to serve', async () => {
		const {haproxy, ui} = openWizard({proof: 'live'}, {realTime: true});
		await ui.waitForFrame('▶ validate');
		await ui.press(keys.enter, '▶ baseline');
		const waiting = await ui.press(keys.enter, 'waiting for app01 to serve.');
		expect(waiting).not.toContain('Type the URL clients use');
		const add = (server: string, count: number) => {
			haproxy.server(server).requestsTotal! += count;
		};

		add('app02', 7);
		await ui.waitForFrame((frame) => /Live traffic, \d+ s of 30 s: app02 \+7 \([\d.]+\/s\), app01 \+0, app03 \+0; waiting for app01 to serve\./.test(frame));
		add('app01', 3);
		const passed = await ui.waitForFrame('✓ baseline passed');
		expect(passed.replace(/\n\s*/g, ' ')).toMatch(/Live traffic over [\d.]+ s, nothing sent: req_tot grew app02 \+7, app01 \+3\./);
	});

	it('with --proof auto and no URL, Enter with nothing typed tries live traffic: a busy backend passes without one', async () => {
		const {haproxy, harness, ui} = openWizard({proof: 'auto', autoSampleMs: 2000}, {realTime: true});
		await ui.waitForFrame('▶ validate');
		const asked = await ui.press(keys.enter, 'Press Enter to use live traffic as the proof');
		expect(asked).toContain('type the URL · Enter use it (empty: live traffic) · Esc clear (empty: grid)');
		haproxy.backendLastSession = 0;
		await ui.press(keys.enter, (frame) => frame.includes('running…'));
		// Real clients, spread over the servers as roundrobin does.
		haproxy.server('app02')!.requestsTotal! += 6;
		haproxy.server('app01')!.requestsTotal! += 6;
		const passed = await ui.waitForFrame('✓ baseline passed');
		expect(passed.replace(/\n\s*/g, ' ')).toMatch(/Live traffic over [\d.]+ s \(--proof auto chose live: the backend served 12 in [\d.]+ s\), nothing sent: req_tot grew app01 \+6, app02 \+6/);
		expect(harness.context.probe).toBeNull();
	});
});
