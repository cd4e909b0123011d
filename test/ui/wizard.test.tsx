import {mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import React from 'react';
import {afterEach, describe, expect, it} from 'vitest';
import {DrainMarks} from '../../source/runbook/drain-mark.js';
import {readJournal} from '../../source/runbook/journal.js';
import type {PreparedMaintenance} from '../../source/runbook/prepare.js';
import type {ResumePoint} from '../../source/runbook/resume.js';
import {parseTarget} from '../../source/runtime/names.js';
import {App} from '../../source/ui/app.js';
import {ExitOwner} from '../../source/ui/exit-owner.js';
import {exitNoteText} from '../../source/ui/wizard/exit-note.js';
import type {RuntimeClient} from '../../source/poll/client.js';
import {engineHarness, FakeClock, FakeHaproxy} from '../helpers/fake-runtime.js';
import {makeBackend, makeServer} from '../helpers/model.js';
import {checklist} from '../helpers/checklist.js';
import {keys, renderAt, type Rendered} from '../helpers/render-ink.js';
import {waitFor} from '../helpers/wait-for.js';

let rendered: Rendered | undefined;
afterEach(() => {
	rendered?.unmount();
	rendered = undefined;
});

function start(options: {resume?: ResumePoint; notice?: string; noProbe?: boolean; size?: {columns: number; rows: number}; drained?: boolean; marksDir?: string} = {}) {
	const haproxy = new FakeHaproxy(['app01', 'app02', 'app03']);
	if (options.drained) {
		haproxy.set('app01', {adminState: 0x08, status: 'DRAIN'});
	}

	const harness = engineHarness(haproxy, new FakeClock());
	if (options.marksDir) {
		harness.context.marks = new DrainMarks({dir: options.marksDir, clients: harness.context.clients});
	}

	if (options.noProbe) {
		harness.context.store.dispatch({type: 'probe-set', probe: null, source: 'no frontend routes to backend webapps'});
	}

	const prepared: PreparedMaintenance = {context: harness.context, resume: options.resume, notice: options.notice ?? null, notes: [], comeBack: `drainboard webapps/app01 --socket /fake/admin.sock --journal ${harness.journalFile}`};
	const owner = new ExitOwner();
	rendered = renderAt(
		<App clients={harness.context.clients} initialTarget={parseTarget('webapps/app01')} prepare={async () => prepared} owner={owner} pollIntervalMs={30} />,
		options.size ?? {columns: 100, rows: 30},
	);
	return {haproxy, harness, owner, ui: rendered};
}

/** A frame as one line: wrapped text joined back with spaces. */
const flat = (frame: string) => frame.replace(/\n/g, ' ').replace(/ {2,}/g, ' ');

/** The live part of a frame: from the last header line (the step log is printed above it). */
function liveFrame(frame: string): string[] {
	const lines = frame.split('\n');
	const header = lines.map((line, index) => (line.startsWith('drainboard · ') ? index : -1)).filter((index) => index >= 0).at(-1) ?? 0;
	return lines.slice(header);
}

describe('the wizard', () => {
	it('shows the six steps and moves the checklist on as steps pass', async () => {
		const {ui} = start();
		let frame = await ui.waitForFrame('▶ validate');
		expect(checklist(frame)).toBe(' ▶ validate › · baseline › · drain › · confirm › · maintain › · restore');
		// Right below the header line.
		expect(liveFrame(frame)[1]).toBe(checklist(frame));
		await ui.press(keys.enter);
		// The step log is printed once the step finished, in the frame after the checklist moved on.
		frame = await ui.waitForFrame((current) => current.includes('▶ baseline') && current.includes('✓ validate passed at '));
		expect(checklist(frame)).toMatch(/^ ✓ validate › ▶ baseline › · drain/);
		expect(frame).toContain('✓ validate passed:');
		expect(frame).toContain('✓ Capacity left: 2 other active servers stay in rotation');
		// The step log above the live screen ends each step with a blank line: the line just above
		// the screen is blank, not a fragment of evidence.
		const lines = frame.split('\n');
		const header = lines.length - liveFrame(frame).length;
		expect(lines.slice(0, header).some((line) => line.startsWith('✓ validate passed at '))).toBe(true);
		expect(lines[header - 1]).toBe('');
	});

	it('fills the terminal as the grid does, up to Ink\'s last line, whether the step text is short or fills the panel', async () => {
		for (const rows of [24, 50]) {
			const {ui} = start({size: {columns: 80, rows}});
			// Short: the blank row and the rows left sit between the text and the keys.
			let frame = await ui.waitForFrame('▶ validate');
			expect(liveFrame(frame)).toHaveLength(rows - 1);
			expect(liveFrame(frame).at(-1)).toMatch(/^Enter run validate/);
			// Long (validate's evidence, then the drain's question): the panel fills what is left.
			await ui.press(keys.enter, '▶ baseline');
			frame = await ui.press(keys.enter, '▶ drain');
			frame = await ui.press(keys.enter, '? Send this command to HAProxy');
			expect(liveFrame(frame)).toHaveLength(rows - 1);
			expect(liveFrame(frame).at(-1)).toMatch(/^y send it/);
			ui.unmount();
		}
	});

	it('shows the exact command and waits for y; Enter never confirms; n cancels and sends nothing', async () => {
		const {ui, haproxy} = start();
		await ui.waitForFrame('▶ validate');
		await ui.press(keys.enter, '▶ baseline');
		await ui.press(keys.enter, '▶ drain');
		let frame = await ui.press(keys.enter, '? Send this command to HAProxy (/fake/admin.sock):');
		expect(frame).toContain('  set server webapps/app01 state drain');
		expect(liveFrame(frame).at(-1)).toBe('y send it · n cancel');
		// The step waits for the operator, not for HAProxy: its title says so.
		expect(frame).toMatch(/^DRAIN — .*waiting for your answer$/m);
		expect(frame).not.toContain('running…');
		// The checklist marks the step as waiting for an answer, not as working (no spinner).
		expect(checklist(liveFrame(frame).join('\n'))).toContain('› ? drain ›');
		// Enter changes nothing on screen: n, read after it, closes the prompt; only then is it
		// known that both Enters were read.
		ui.send(keys.enter, keys.enter);
		frame = await ui.press('n', (current) => !current.includes('? Send this command'));
		expect(frame).toContain('Answered no at drain: nothing was sent to HAProxy.');
		expect(haproxy.sent).toEqual([]);
		expect(ui.stdout.frames.some((one) => checklist(one).includes('▶ confirm'))).toBe(false);
		expect(checklist(frame)).toMatch(/▶ drain/);
		await ui.press(keys.enter, '? Send this command');
		await ui.press('y', '▶ confirm');
		expect(haproxy.sent).toEqual(['set server webapps/app01 state drain']);
		await ui.waitForFrame((current) => /◐ app01 .* DRAIN/.test(current));
	});

	it('ignores y and n when no prompt is open', async () => {
		const {ui, haproxy, harness} = start();
		await ui.waitForFrame('▶ validate');
		// y and n change nothing on screen: ? (help), read after them, shows they were read.
		ui.send('y', 'n', 'y');
		await ui.press('?', 'Keys');
		expect(haproxy.sent).toEqual([]);
		expect(harness.context.facts.serverNames).toEqual([]);
		const frame = await ui.press('?', (current) => !current.includes('Keys'));
		expect(checklist(frame)).toMatch(/▶ validate/);
		expect(checklist(ui.lastFrame())).toMatch(/▶ validate/);
		expect(haproxy.sent).toEqual([]);
	});

	it('says why l chooses no listener when the configuration routes to the backend through one only, instead of doing nothing', async () => {
		const {ui, harness} = start();
		await ui.waitForFrame('▶ validate');
		expect(harness.context.store.getState().listeners.length).toBeLessThanOrEqual(1);
		const frame = flat(await ui.press('l', 'l chooses'));
		expect(frame).toMatch(/l chooses another listener for the traffic checks, but the configuration routes to webapps through (?:one only|none drainboard can reach)[^;]*; --url \(or --host, --path\) sends them elsewhere\./);
		expect(frame).not.toContain('which listener?');
	});

	it('asks before quitting while HAProxy shows the target drained, and says how to come back', async () => {
		const {ui, owner} = start({drained: true, resume: {step: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], reason: 'the maintenance that ana started at 2026-11-25 14:02:11 UTC drained it and did not finish'}});
		const exited = ui.instance.waitUntilExit();
		let frame = await ui.waitForFrame('Resume at maintain?');
		expect(frame.replace(/\n/g, ' ')).toContain('? webapps/app01: the maintenance that ana started at 2026-11-25 14:02:11 UTC drained it and did not finish. Resume at maintain?');
		frame = await ui.press('y', '▶ maintain');
		expect(checklist(frame)).toBe(' ✓ validate › ✓ baseline › ✓ drain › ✓ confirm › ▶ maintain › · restore');
		expect(flat(await ui.waitForFrame('Do the work now'))).toMatch(/webapps\/app01 is drained \(out of rotation\), as HAProxy has shown at every read since \d\d:\d\d:\d\d\. Do the work now/);
		frame = await ui.press('q', 'Quit anyway?');
		expect(flat(frame)).toMatch(/webapps\/app01 is drained \(out of rotation\), as HAProxy showed at \d\d:\d\d:\d\d\. Quit anyway\? It stays drained; the command to resume is printed on the way out\./);
		await ui.press('n', (current) => !current.includes('Quit anyway?'));
		await ui.press('q', 'Quit anyway?');
		ui.send('y');
		expect(await exited).toBe(0);
		expect(exitNoteText(owner.note!)).toMatch(/^webapps\/app01 is drained \(out of rotation\), as HAProxy showed at \d\d:\d\d:\d\d\. To resume: drainboard webapps\/app01 --socket \/fake\/admin\.sock --journal \/\S+\/journal\.jsonl$/);
	});

	it('y and q typed together (one chunk of keys): the y sends the drain, the q then asks before quitting', async () => {
		const {ui, haproxy} = start();
		await ui.waitForFrame('▶ validate');
		await ui.press(keys.enter, '▶ baseline');
		await ui.press(keys.enter, '▶ drain');
		await ui.press(keys.enter, '? Send this command to HAProxy');
		ui.send('yq');
		const frame = await ui.waitForFrame('Quit anyway?');
		expect(flat(frame)).toMatch(/Quit anyway\? It (stays|may still be) drained/);
		expect(haproxy.sent).toEqual(['set server webapps/app01 state drain']);
	});

	it('q while the drain is on its way waits for HAProxy\'s answer, then asks before quitting (the drain landed)', async () => {
		const {ui, haproxy, owner} = start();
		let land: () => void = () => undefined;
		haproxy.heldCommands.set('set server webapps/app01 state drain', new Promise<void>((resolve) => {
			land = resolve;
		}));
		await ui.waitForFrame('▶ validate');
		await ui.press(keys.enter, '▶ baseline');
		await ui.press(keys.enter, '▶ drain');
		await ui.press(keys.enter, '? Send this command to HAProxy');
		await ui.press('y', (current) => !current.includes('? Send this command'));
		expect(haproxy.sent).toEqual(['set server webapps/app01 state drain']);
		// q reads nothing yet: the command is on its way. It lands; only then is the question asked.
		ui.send('q');
		await waitFor('q to be read', () => (owner.deciding ? true : undefined));
		land();
		const frame = await ui.waitForFrame('Quit anyway?');
		expect(flat(frame)).toMatch(/Quit anyway\? It (stays|may still be) drained/);
		expect(haproxy.server('app01').adminFlags).toContain('FDRAIN');
	});

	it('says at maintain, while the rest of the backend is down, that b brings the target back now, not to do the work', async () => {
		const {ui, haproxy, harness} = start({drained: true, resume: {step: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], reason: 'the maintenance that ana started at 14:02:11 drained it'}});
		await harness.context.marks.write(parseTarget('webapps/app01'), harness.journalFile);
		await ui.waitForFrame('Resume at maintain?');
		await ui.press('y', 'Do the work now');
		for (const other of ['app02', 'app03']) {
			haproxy.set(other, {adminState: 1, status: 'MAINT'});
		}

		const frame = flat(await ui.waitForFrame((current) => flat(current).includes('clients get errors now')));
		expect(frame).toContain('No other server of the backend serves (above): b brings the target back now, before the work is done; Enter when the work is done.');
		expect(frame).not.toContain('Do the work now');
		expect(frame).toContain('b bring it back now · Enter the work is done');
		ui.unmount();
	});

	it('says what HAProxy shows after someone else sets the target ready: no "still drained", no quit question, and an exit note that says why', async () => {
		const {ui, owner, haproxy, harness} = start({drained: true, resume: {step: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], reason: 'the maintenance that ana started at 14:02:11 drained it'}});
		await harness.context.marks.write(parseTarget('webapps/app01'), harness.journalFile);
		const exited = ui.instance.waitUntilExit();
		await ui.waitForFrame('Resume at maintain?');
		await ui.press('y', 'Do the work now');
		haproxy.set('app01', {adminState: 0, status: 'UP'});
		const frame = flat(await ui.waitForFrame((current) => flat(current).includes('Do not start the work') && flat(current).includes('Someone else changed')));
		expect(frame).toContain('Someone else changed webapps/app01 on /fake/admin.sock: it is ready (no admin flags) now, was FDRAIN.');
		expect(frame).toMatch(/webapps\/app01 is not drained \(in rotation, admin flags none\), as HAProxy has shown at every read since \d\d:\d\d:\d\d\. Do not start the work until HAProxy shows it drained\. Press r to re-apply the drain\./);
		expect(frame).not.toContain('The target is drained');
		// The keys' line offers no "the work is done" for a drain that is gone.
		expect(frame).toContain('r re-apply drain · not drained: work waits · ? help · q quit');
		expect(frame).not.toContain('Enter the work is done');
		ui.send('q');
		expect(await exited).toBe(0);
		expect(ui.stdout.frames.some((one) => one.includes('Quit anyway?'))).toBe(false);
		expect(exitNoteText(owner.note!)).toMatch(
			/^webapps\/app01 is not drained \(in rotation, admin flags none\), as HAProxy showed at \d\d:\d\d:\d\d: it went back into rotation during the maintenance\. Someone else changed webapps\/app01 on \/fake\/admin\.sock: it is ready \(no admin flags\) now, was FDRAIN\. The maintenance is not finished; to start again: drainboard webapps\/app01 --socket \/fake\/admin\.sock --journal \/\S+\/journal\.jsonl$/,
		);
		// Its drain mark ended on the way out: a later drain made by hand is not said to be this maintenance's.
		expect(await harness.context.marks.latest(parseTarget('webapps/app01'))).toMatchObject({state: 'ended', how: 'seen'});
	});

	it('lets Esc go back to the grid once HAProxy shows the drain undone by someone else: nothing is drained, and the journal says why it ended', async () => {
		const {ui, haproxy, harness} = start({drained: true, resume: {step: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], reason: 'it was drained'}});
		const target = parseTarget('webapps/app01');
		await harness.context.marks.write(target, harness.journalFile);
		await ui.waitForFrame('Resume at maintain?');
		let frame = await ui.press('y', 'Do the work now');
		expect(frame).not.toContain('Esc back to grid');
		haproxy.set('app01', {adminState: 0, status: 'UP'});
		frame = await ui.waitForFrame((current) => flat(current).includes('Someone else changed') && current.includes('Esc back to grid'));
		expect(frame).toContain('r re-apply drain');
		await ui.press(keys.escape, 'SERVER');
		expect(haproxy.sent).toEqual([]);
		expect(readJournal(harness.journalFile).entries.at(-1)).toMatchObject({
			event: 'abandoned',
			step: 'maintain',
			detail: expect.stringMatching(/^back to the grid at maintain: its drain was undone outside it \(webapps\/app01 is not drained \(in rotation, admin flags none\), as HAProxy showed at \d\d:\d\d:\d\d\)$/) as unknown,
		});
		// Its drain mark ends with it: a later drain made by hand is not said to be this maintenance's.
		await waitFor('the drain mark to end', async () => ((await harness.context.marks.latest(target))?.state === 'ended' ? true : undefined));
		expect(await harness.context.marks.latest(target)).toMatchObject({state: 'ended', how: 'seen', journal: harness.journalFile});
	});

	it('ends the maintenance when another maintenance\'s restore took the drain over: who and when stay on screen, no re-apply, Enter goes back', async () => {
		const {ui, haproxy, harness} = start({drained: true, resume: {step: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], reason: 'it was drained'}});
		await ui.waitForFrame('Resume at maintain?');
		await ui.press('y', 'Do the work now');
		// bob's restore, from his own journal, ended the drain with ready; a poll sees it before his mark says so.
		haproxy.set('app01', {adminState: 0, status: 'UP'});
		await ui.waitForFrame((current) => flat(current).includes('Someone else changed'));
		await new DrainMarks({dir: path.dirname(harness.journalFile), clients: harness.context.clients}).end(parseTarget('webapps/app01'), '/tmp/bob.jsonl', 'ready');
		let frame = flat(await ui.waitForFrame('taken over'));
		// The steps it did not get to are shown as not run, and the step's text says what is left: nothing.
		expect(checklist(ui.lastFrame())).toBe(' ✓ validate › ✓ baseline › ✓ drain › ✓ confirm › – maintain › – restore');
		expect(frame).toContain("Ended by another operator's restore (above): nothing is left for this maintenance to do.");
		expect(frame).toMatch(/webapps\/app01 is back in rotation: \S+ took this maintenance's drain over and put it back into rotation at \d\d:\d\d:\d\d, with restore's checks\. This maintenance is over; the journal closes it\./);
		// Later polls keep it on screen, and never offer r: app02 goes down, then up again, and each is
		// read (a frame renders a poll before its alarms are handled: the second change comes after).
		haproxy.set('app02', {status: 'DOWN', opState: 0, opStateName: 'stopped'});
		await ui.waitForFrame((current) => / app02 .*DOWN/.test(current));
		haproxy.set('app02', {status: 'UP', opState: 2, opStateName: 'running'});
		frame = flat(await ui.waitForFrame((current) => / app02 .*UP/.test(current)));
		expect(frame).toContain('took this maintenance\'s drain over');
		expect(frame).not.toContain('re-apply');
		expect(readJournal(harness.journalFile).entries.at(-1)).toMatchObject({event: 'abandoned', detail: expect.stringMatching(/^the drain was taken over: /) as unknown});
		await ui.press(keys.enter, 'SERVER');
		expect(haproxy.sent).toEqual([]);
	});

	it('ends the maintenance when the restore its refusal advises ran on its own journal elsewhere: not "someone else", and no re-apply', async () => {
		const {ui, haproxy, harness} = start({drained: true, resume: {step: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], reason: 'it was drained'}});
		await ui.waitForFrame('Resume at maintain?');
		await ui.press('y', 'Do the work now');
		haproxy.set('app01', {adminState: 0, status: 'UP'});
		await harness.context.marks.end(parseTarget('webapps/app01'), harness.journalFile, 'ready');
		const frame = flat(await ui.waitForFrame('ended elsewhere'));
		expect(frame).toMatch(/webapps\/app01 is back in rotation: a restore run on this maintenance's journal put it back at \d\d:\d\d:\d\d, with restore's checks\. This maintenance is over\./);
		expect(frame).toContain('Ended by a restore run on this journal (above)');
		expect(frame).not.toContain('re-apply');
		// That run journaled the end: this wizard adds no "abandoned".
		expect(readJournal(harness.journalFile).entries.filter((entry) => entry.event === 'abandoned')).toEqual([]);
	});

	it('says what it last saw, and when, while HAProxy does not answer', async () => {
		const {ui, owner, haproxy} = start({drained: true, resume: {step: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], reason: 'the maintenance that ana started at 14:02:11 drained it'}});
		const exited = ui.instance.waitUntilExit();
		await ui.waitForFrame('Resume at maintain?');
		await ui.press('y', 'Do the work now');
		haproxy.reachable = false;
		await ui.waitForFrame('does not answer since');
		const frame = flat(await ui.press('q', 'Quit anyway?'));
		expect(frame).toMatch(
			/webapps\/app01 was drained \(out of rotation\) when HAProxy last answered, at \d\d:\d\d:\d\d; HAProxy at \/fake\/admin\.sock does not answer since \d\d:\d\d:\d\d, so its state now is unknown\. Quit anyway\? It stays drained;/,
		);
		ui.send('y');
		expect(await exited).toBe(0);
		expect(exitNoteText(owner.note!)).toMatch(/^webapps\/app01 was drained \(out of rotation\) when HAProxy last answered, at .* so its state now is unknown\. To resume: drainboard webapps\/app01/);
	});

	it('says what it last saw when HAProxy stops answering before its first read after the step: not "Reading…" for as long as the outage lasts', async () => {
		const {ui, haproxy, harness} = start({drained: true, resume: {step: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], reason: 'it was drained'}});
		await ui.waitForFrame('Resume at maintain?');
		await ui.press('y', 'Do the work now');
		// HAProxy goes silent right as the maintenance changes it (a step's end): no read comes after that change.
		haproxy.reachable = false;
		harness.context.store.dispatch({type: 'haproxy-changed', time: Date.now() + 3_600_000});
		const frame = flat(await ui.waitForFrame('paused: HAProxy does not answer'));
		expect(frame).not.toContain('Reading what HAProxy shows');
		expect(frame).toMatch(/webapps\/app01 was drained \(out of rotation\) when HAProxy last answered, at \d\d:\d\d:\d\d; HAProxy at \/fake\/admin\.sock does not answer since \d\d:\d\d:\d\d, so its state now is unknown\. Once HAProxy answers again, press Enter when the work is done/);
	});

	it('asks for a listener URL when none is known, and checks it', async () => {
		const {ui, harness} = start({noProbe: true});
		await ui.waitForFrame('▶ validate');
		await ui.press(keys.enter, '▶ baseline');
		await ui.press(keys.enter, 'Type the URL clients use');
		await ui.press([...'not a url', keys.enter], '"not a url" is not a URL');
		await ui.press(Array.from({length: 9}, () => keys.backspace));
		await ui.press([...'http://127.0.0.1:8080/', keys.enter], 'Enter run baseline');
		expect(harness.context.probe?.url).toBe('http://127.0.0.1:8080/');
		expect(harness.context.probeSource).toBe('typed in by the operator');
	});

	it('applies --host and --path to a URL typed in, as to --url', async () => {
		const {ui, harness} = start({noProbe: true});
		harness.context.options.urlSettings = {host: 'shop.example.com', path: '/health'};
		await ui.waitForFrame('▶ validate');
		await ui.press(keys.enter, '▶ baseline');
		await ui.press(keys.enter, 'Type the URL clients use');
		await ui.press([...'http://127.0.0.1:8080/', keys.enter], 'Enter run baseline');
		expect(harness.context.probe?.target).toMatchObject({address: '127.0.0.1', port: 8080, host: 'shop.example.com', path: '/health'});
	});

	it('shows a notice about an open maintenance HAProxy no longer shows', async () => {
		const {ui} = start({notice: 'The journal has a maintenance of webapps/app01 that ana started at 2026-11-25 14:02:11 UTC and did not finish, but HAProxy shows the server in rotation now.'});
		const frame = await ui.waitForFrame('The journal has a maintenance');
		expect(frame).toContain('HAProxy shows the server in rotation now.');
	});

	it('fits 80x24 with a prompt open', async () => {
		const {ui} = start({size: {columns: 80, rows: 24}});
		await ui.waitForFrame('▶ validate');
		await ui.press(keys.enter, '▶ baseline');
		await ui.press(keys.enter, '▶ drain');
		const live = liveFrame(await ui.press(keys.enter, '? Send this command'));
		expect(live.length).toBeLessThanOrEqual(23);
		for (const line of live) {
			expect(line.length).toBeLessThanOrEqual(79);
		}

		expect(live.join('\n')).toContain('set server webapps/app01 state drain');
		expect(live.join('\n')).toMatch(/▸ webapps/);
	});

	it('at 200x50, the servers follow the step\'s text under the grid\'s column titles; the room left is above the keys\' line', async () => {
		const {ui} = start({size: {columns: 200, rows: 50}});
		const live = liveFrame(await ui.waitForFrame('▶ validate'));
		const text = live.findIndex((line) => line.startsWith('Press Enter to check'));
		const titles = live.findIndex((line) => /^ {4}SERVER +ADDRESS +STATE +ADMIN +WT +SESS +CHECK/.test(line));
		expect(text).toBeGreaterThan(0);
		// One blank row between the text and the column titles, then the backend and its servers.
		expect(live.slice(text + 1, titles)).toEqual(['']);
		expect(live[titles + 1]).toMatch(/^▸ webapps /);
		expect(live.slice(titles + 2, titles + 5).map((line) => line.trim().split(/ +/)[1])).toEqual(['app01', 'app02', 'app03']);
		expect(live.slice(titles + 5, -1).every((line) => line.trim() === '')).toBe(true);
		expect(live.at(-1)).toMatch(/^Enter run validate · /);
		expect(live.length).toBeLessThanOrEqual(50);
	});

	it('offers resume or leave as a list on a drained target: ↓ Enter goes back to the grid, the drain and its maintenance left as they are', async () => {
		const {ui, harness, haproxy} = start({drained: true, resume: {step: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], reason: 'it was drained'}});
		const frame = await ui.waitForFrame('❯ y resume at maintain');
		// A new maintenance cannot start on a drained target (baseline needs it serving): not offered.
		expect(frame).toContain('  n not now: leave it drained, go back');
		expect(frame).not.toContain('start a new maintenance');
		expect(liveFrame(frame).at(-1)).toBe('↑↓ choose · Enter take it · or y / n');
		await ui.press(keys.down, '❯ n not now: leave it drained, go back');
		await ui.press(keys.enter, 'SERVER');
		expect(ui.lastFrame()).toContain('Enter select');
		expect(haproxy.sent).toEqual([]);
		expect(readJournal(harness.journalFile).entries.map((entry) => entry.event)).not.toContain('abandoned');
	});

	it('offers to start again where the target is in rotation (ready was sent, traffic not proven): n starts at validate, journaled', async () => {
		const {ui, harness} = start({resume: {step: 'restore', drained: false, ran: ['validate', 'baseline', 'drain', 'confirm', 'maintain'], reason: 'it sent ready'}});
		await ui.waitForFrame('❯ y resume at restore');
		const frame = await ui.press('n', (current) => !current.includes('Resume at restore?'));
		expect(checklist(frame)).toMatch(/^ ▶ validate/);
		expect(readJournal(harness.journalFile).entries.map((entry) => entry.event)).toContain('abandoned');
	});

	it('at 80 columns, a blocked step\'s title gives up its purpose for the status, not a word cut in half', async () => {
		const {ui, haproxy} = start({size: {columns: 80, rows: 24}});
		haproxy.set('app02', {opState: 0, status: 'DOWN'});
		haproxy.set('app03', {opState: 0, status: 'DOWN'});
		await ui.waitForFrame('▶ validate');
		const frame = await ui.press(keys.enter, 'blocked — see why below');
		const title = liveFrame(frame).find((line) => line.startsWith('VALIDATE'));
		expect(title?.trimEnd()).toBe('VALIDATE  blocked — see why below');
	});

	it('after a drain whose reply was lost, Esc does not leave (nor journal "nothing drained") until a read shows the target in rotation', async () => {
		const {ui, haproxy, harness} = start();
		haproxy.lostReplies.add('set server webapps/app01 state drain');
		await ui.waitForFrame('▶ validate');
		await ui.press(keys.enter, '▶ baseline');
		await ui.press(keys.enter, '▶ drain');
		await ui.press(keys.enter, 'y send it');
		let frame = await ui.press('y', (current) => current.includes('✗ drain') || current.includes('blocked'));
		expect(frame).not.toContain('Esc back to grid');
		frame = await ui.press(keys.escape, (current) => flat(current).includes('HAProxy has not been read since'));
		expect(flat(frame)).toContain('The drain was sent and HAProxy has not been read since: Esc goes back once a read shows webapps/app01 in rotation; q quits and says what is known.');
		expect(readJournal(harness.journalFile).entries.map((entry) => entry.event)).not.toContain('abandoned');
		expect(harness.context.lock.isHeld).toBe(true);
	});

	it('at 80x24 the help shows every key, each on one line, and how to close it', async () => {
		const {ui} = start({size: {columns: 80, rows: 24}});
		await ui.waitForFrame('▶ validate');
		const frame = liveFrame(await ui.press('?', 'Press ? or Esc to close.')).join('\n');
		for (const line of ['Enter           run or retry', '  q               quit (asks first', '  ?               show / hide this help', '● UP']) {
			expect(frame).toContain(line);
		}

		// The keys' line says what the keys do while the help is shown; closed, the step's keys are back.
		expect(frame).toMatch(/^↑↓ PgUp\/PgDn scroll the help · \? or Esc close it · q quit *$/m);
		expect(frame).not.toContain('Enter run validate');
		expect(await ui.press('?', (current) => !current.includes('Press ? or Esc to close.'))).toContain('Enter run validate');
	});

	it('on a short terminal the help scrolls with PgDn and PgUp to what is out of view; those keys do nothing else, and Esc closes it', async () => {
		const {ui, haproxy} = start({size: {columns: 80, rows: 16}});
		await ui.waitForFrame('▶ validate');
		let frame = liveFrame(await ui.press('?', 'Press ? or Esc to close.')).join('\n');
		expect(frame).toMatch(/^… \d+ more below: ↑ ↓ PgUp PgDn scroll$/m);
		expect(frame).not.toContain('● UP');
		for (let page = 0; page < 5 && !frame.includes('● UP'); page++) {
			frame = liveFrame(await ui.press(keys.pageDown)).join('\n');
		}

		expect(frame).toMatch(/^ {2}q {15}quit \(asks first/m);
		expect(frame).toMatch(/^… \d+ above: ↑ ↓ PgUp PgDn scroll$/m);
		for (let page = 0; page < 5 && !/^Keys/m.test(frame); page++) {
			frame = liveFrame(await ui.press(keys.pageUp)).join('\n');
		}

		expect(frame).toMatch(/^… \d+ more below: /m);
		expect(frame).not.toContain('● UP');
		frame = await ui.press(keys.escape, (current) => !current.includes('Press ? or Esc to close.'));
		expect(checklist(frame)).toMatch(/▶ validate/);
		expect(haproxy.sent).toEqual([]);
	});

	it('goes back to the grid with Esc before anything was done', async () => {
		const {ui} = start();
		await ui.waitForFrame('Esc back to grid');
		await ui.press(keys.escape, 'SERVER');
		expect(ui.lastFrame()).toContain('Enter select');
	});

	it('goes back with Esc after a step, while nothing is drained: the maintenance is closed in the journal, the cursor on its server', async () => {
		const {ui, harness} = start();
		await ui.waitForFrame('▶ validate');
		const frame = await ui.press(keys.enter, (current) => checklist(current).includes('▶ baseline'));
		expect(frame).toContain('Esc back to grid');
		await ui.press(keys.escape, 'SERVER');
		expect(ui.lastFrame().trimEnd().split('\n').at(-1)).toMatch(/ 2\/4$/);
		expect(readJournal(harness.journalFile).entries.at(-1)).toMatchObject({event: 'abandoned', step: 'baseline'});
	});

	it('takes over another maintenance\'s drain when the note of it cannot be written: says so, and goes on at its step', async () => {
		const {ui, haproxy, harness} = start({drained: true, marksDir: path.join(tmpdir(), `drainboard-test-no-such-dir-${process.pid}`), resume: {step: 'confirm', drained: true, ran: [], found: true, heldBy: 'the maintenance that ana started at 2026-11-25 14:02:11 UTC (journal /home/ana/journal.jsonl)', reason: 'the maintenance that ana started at 2026-11-25 14:02:11 UTC drained it'}});
		await ui.waitForFrame((current) => flat(current).includes('Take it over?'));
		const shown = await ui.press('y', (current) => flat(current).includes('could not be written'));
		const frame = flat(shown);
		expect(frame).toContain(`! The note that this maintenance drained webapps/app01 could not be written (${tmpdir()}/drainboard-test-no-such-dir-${process.pid}/`);
		expect(frame).toContain('(ENOENT)), so another operator\'s drainboard will not name it; opened again later, its restore may ask for --take-over.');
		expect(checklist(shown)).toMatch(/▶ confirm/);
		expect(readJournal(harness.journalFile).entries.some((entry) => entry.event === 'override' && entry.detail?.includes('took over the drain of the maintenance that ana started'))).toBe(true);
		expect(haproxy.sent).toEqual([]);
	});

	it('says at once, while the work may be under way, that another maintenance took its drain over: not once the server is back in rotation', async () => {
		const {ui, haproxy, harness} = start({drained: true, resume: {step: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], reason: 'it was drained'}});
		await ui.waitForFrame('Resume at maintain?');
		await ui.press('y', 'Do the work now');
		// Another maintenance (its own journal) answers yes to "Take it over?": its mark names it.
		await harness.context.marks.write(parseTarget('webapps/app01'), path.join(tmpdir(), 'another-operator.jsonl'));
		const frame = flat(await ui.waitForFrame((current) => flat(current).includes('took webapps/app01 over'), 10_000));
		expect(frame).toMatch(/⚠ \S+'s maintenance took webapps\/app01 over at \d\d:\d\d:\d\d: its restore, not this one, puts it back into rotation, at any time; agree with \S+ before going on\./);
		expect(haproxy.server('app01').adminFlags).toContain('FDRAIN');
		expect(readJournal(harness.journalFile).entries.some((entry) => entry.event === 'alarm' && entry.detail?.startsWith('taken over by '))).toBe(true);
		expect(haproxy.sent).toEqual([]);
	});

	it('says at once when a drain mark that cannot be read claims its drain: whose maintenance is not known, and its restore needs a take-over', async () => {
		const marksDir = mkdtempSync(path.join(tmpdir(), 'drainboard-test-marks-'));
		try {
			const {ui, haproxy, harness} = start({marksDir, drained: true, resume: {step: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], reason: 'it was drained'}});
			await ui.waitForFrame('Resume at maintain?');
			await ui.press('y', 'Do the work now');
			// A mark of this uid's written after the drain, then torn (an editor, a hostile hand): a claim all the same.
			await harness.context.marks.write(parseTarget('webapps/app01'), path.join(tmpdir(), 'another-operator.jsonl'));
			const [file] = readdirSync(marksDir).filter((name) => name.endsWith('.drained'));
			writeFileSync(path.join(marksDir, file!), '{"state":"drained","us');
			const frame = flat(await ui.waitForFrame((current) => flat(current).includes('cannot be read'), 10_000));
			expect(frame).toMatch(/⚠ A drain mark that cannot be read \(not JSON\), \S+, written at \d\d:\d\d:\d\d, claims webapps\/app01: whose maintenance is not known; this one's restore needs a take-over\./);
			expect(readJournal(harness.journalFile).entries.some((entry) => entry.event === 'alarm' && entry.detail?.startsWith('taken over by a maintenance '))).toBe(true);
			expect(haproxy.sent).toEqual([]);
		} finally {
			rmSync(marksDir, {recursive: true, force: true});
		}
	});

	it('keeps Esc from leaving while the target is drained by this maintenance', async () => {
		const {ui, haproxy} = start({drained: true, resume: {step: 'maintain', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm'], reason: 'it was drained'}});
		await ui.waitForFrame('Resume at maintain?');
		let frame = await ui.press('y', '▶ maintain');
		expect(frame).not.toContain('Esc back to grid');
		// Esc stays, and says why.
		frame = await ui.press(keys.escape, (current) => flat(current).includes('Esc goes back only when nothing is drained'));
		expect(flat(frame)).toContain('Do the work now');
		expect(flat(frame)).toContain('webapps/app01 is drained, and this maintenance has it: Esc goes back only when nothing is drained. Finish with restore, or press q to quit and leave it drained.');
		frame = await ui.press('?', 'Keys');
		expect(frame).toContain('back (to the grid, or the roll) while nothing is drained');
		expect(liveFrame(frame).join('\n')).toContain('Press ? or Esc to close.');
		// Esc closes the help, and stays in the wizard.
		frame = await ui.press(keys.escape, (current) => !current.includes('Press ? or Esc to close.'));
		expect(haproxy.sent).toEqual([]);
		expect(checklist(frame)).toMatch(/▶ maintain/);
	});

	it('after a maintenance ends, Enter brings the grid back with the cursor on the next server', async () => {
		const {ui} = start({drained: true, resume: {step: 'restore', drained: true, ran: ['validate', 'baseline', 'drain', 'confirm', 'maintain'], reason: 'it was drained'}});
		await ui.waitForFrame('Resume at restore?');
		await ui.press('y', '▶ restore');
		await ui.press(keys.enter, 'set server webapps/app01 state ready');
		let frame = await ui.press('y', 'maintenance complete');
		expect(frame).toContain('Enter back to the grid, on the next server');
		frame = await ui.press(keys.enter, 'SERVER');
		expect(frame.trimEnd().split('\n').at(-1)).toMatch(/ 3\/4$/);
	});
});

describe('the grid after a maintenance', () => {
	it('reads every backend at once when the wizard goes back to it: a backend the wizard did not read shows as it is now, not as a full dump 30 s old', async () => {
		const haproxy = new FakeHaproxy(['app01', 'app02', 'app03']);
		const harness = engineHarness(haproxy, new FakeClock());
		const base = haproxy.client();
		// A second backend, in the full dumps only: each dump costs 200 ms, which puts the next one 30 s
		// after it (250 times its cost); the grid reads webapps, under its cursor, every cycle.
		let api1 = makeServer({backend: 'api', server: 'api1', socket: haproxy.socket});
		// Full dumps answered.
		let fullDumps = 0;
		const client: RuntimeClient = {
			...base,
			async snapshot(backend, signal) {
				const read = await base.snapshot(backend, signal);
				if (backend !== undefined) {
					return read;
				}

				const api = makeBackend('api', [{...api1}], haproxy.socket);
				await delay(200);
				fullDumps++;
				return {...read, backends: [...read.backends, api]};
			},
		};
		const prepared: PreparedMaintenance = {context: harness.context, resume: undefined, notice: null, notes: [], comeBack: `drainboard webapps/app01 --socket /fake/admin.sock --journal ${harness.journalFile}`};
		rendered = renderAt(<App clients={[client]} prepare={async () => prepared} owner={new ExitOwner()} pollIntervalMs={30} />, {columns: 100, rows: 30});
		const ui = rendered;
		// The first dump is cold and not measured: the second measures the cost.
		await waitFor('two full dumps', () => (fullDumps >= 2 ? true : undefined));
		await ui.waitForFrame((frame) => /● api1 .* UP/.test(frame));
		ui.send(keys.down);
		await ui.press(keys.enter, 'Enter run validate');
		// While the wizard reads webapps only, someone drains api1.
		api1 = makeServer({backend: 'api', server: 'api1', socket: haproxy.socket, adminState: 0x08, status: 'DRAIN'});
		const dumps = fullDumps;
		const frame = await ui.press(keys.escape, (current) => current.includes('Enter select') && /◐ api1 .* DRAIN/.test(current));
		expect(frame).not.toMatch(/● api1 .* UP/);
		expect(fullDumps).toBeGreaterThan(dumps);
	});
});
