import React from 'react';
import {afterEach, describe, expect, it} from 'vitest';
import type {PollView} from '../../source/poll/pool-poller.js';
import {GridScreen} from '../../source/ui/grid/grid-screen.js';
import {bigPool, makeBackend, makeInstance, makePool, makeServer, makeView} from '../helpers/model.js';
import {frameLines, keys, renderAt, type Rendered} from '../helpers/render-ink.js';

let rendered: Rendered | undefined;
afterEach(() => {
	rendered?.unmount();
	rendered = undefined;
});

function show(view: PollView, size = {columns: 80, rows: 24}) {
	rendered = renderAt(<GridScreen view={view} size={size} now={view.pool?.takenAt ?? Date.now()} onQuit={() => undefined} onFocus={() => undefined} />, size);
	return rendered;
}

const webapps = makeBackend('webapps', [
	makeServer({backend: 'webapps', server: 'app01', status: 'UP', requestsTotal: 120}),
	makeServer({backend: 'webapps', server: 'app02', adminState: 0x08, status: 'DRAIN'}),
	makeServer({backend: 'webapps', server: 'app03', adminState: 0x01, opState: 0, status: 'MAINT'}),
	makeServer({backend: 'webapps', server: 'app04', opState: 0, status: 'DOWN 1/2', checkStatus: 'L4CON'}),
	makeServer({backend: 'webapps', server: 'app05', opState: 1, status: 'UP 1/3'}),
	makeServer({backend: 'webapps', server: 'app06', opState: 3, status: 'UP'}),
	makeServer({backend: 'webapps', server: 'app07', adminState: 0x05, opState: 0, status: 'MAINT'}),
	makeServer({backend: 'webapps', server: 'shadow', adminState: 0x10, status: 'DRAIN', tracked: 'webapps/app02', checkStatus: null, checkConfigured: false}),
	makeServer({backend: 'webapps', server: 'spare', backup: true}),
]);
const dead = makeBackend('api', [
	makeServer({backend: 'api', server: 'api1', opState: 0, status: 'DOWN', checkStatus: 'L7STS'}),
	makeServer({backend: 'api', server: 'api2', adminState: 0x01, opState: 0, status: 'MAINT'}),
]);
const pool = makePool([makeInstance([webapps, dead])]);

const lineOf = (frame: string, name: string) => frameLines(frame).find((line) => new RegExp(`^  . ${name} `).test(line)) ?? '';

describe('grid rendering', () => {
	it('shows every state by symbol and word, so it reads without colour', async () => {
		const {waitForFrame} = show(makeView(pool));
		const frame = await waitForFrame('app01');
		expect(lineOf(frame, 'app01')).toMatch(/^ {2}● app01 +10\.0\.0\.1:8080 +UP +1 +0 L7OK$/);
		expect(lineOf(frame, 'app02')).toMatch(/◐ app02 .* DRAIN +drain /);
		expect(lineOf(frame, 'app03')).toMatch(/■ app03 .* MAINT +maint /);
		expect(lineOf(frame, 'app04')).toMatch(/✗ app04 .* DOWN 1\/2 .* L4CON$/);
		expect(lineOf(frame, 'app05')).toMatch(/↑ app05 .* STARTING/);
		expect(lineOf(frame, 'app06')).toMatch(/↓ app06 .* STOPPING/);
		expect(lineOf(frame, 'app07')).toMatch(/■ app07 .* MAINT +disabled /);
		expect(lineOf(frame, 'shadow')).toMatch(/◐ shadow .* DRAIN +drain via app02 .* -$/);
		expect(lineOf(frame, 'spare')).toMatch(/● spare .* UP +backup /);
	});

	it('says "off" in CHECK for a health check disabled at runtime, not "-" as for a server with no check result', async () => {
		const off = makePool([makeInstance([makeBackend('web', [makeServer({backend: 'web', server: 'quiet', status: 'no check', checkStatus: null, checkDisabled: true}), makeServer({backend: 'web', server: 'paused', adminState: 0x01, status: 'MAINT', checkStatus: null})])])]);
		const {waitForFrame} = show(makeView(off));
		const frame = await waitForFrame('quiet');
		expect(lineOf(frame, 'quiet')).toMatch(/● quiet .* UP .* off$/);
		expect(lineOf(frame, 'paused')).toMatch(/ -$/);
	});

	it('names m (a machine\'s maintenance) in the key line where it fits, and leaves it to ? at 80 columns', async () => {
		const machine = [{keys: 'm', does: 'on a server: take it out together with the servers at its address'}];
		const at = (columns: number) => renderAt(<GridScreen view={makeView(pool)} size={{columns, rows: 24}} now={pool.takenAt} extraKeys={machine} onQuit={() => undefined} onFocus={() => undefined} />, {columns, rows: 24});
		rendered = at(100);
		expect(frameLines(await rendered.waitForFrame('q quit')).at(-1)).toMatch(/Enter select · m machine · \? help · q quit +1\/13$/);
		rendered.unmount();
		rendered = at(80);
		const narrow = frameLines(await rendered.waitForFrame('q quit')).at(-1)!;
		expect(narrow).toMatch(/Enter select · \? help · q quit +1\/13$/);
		expect(narrow).not.toContain('m machine');
	});

	it('sums each backend up and marks one with no server left serving', async () => {
		const {waitForFrame} = show(makeView(pool));
		const frame = await waitForFrame('api');
		const lines = frameLines(frame);
		expect(lines.find((line) => line.startsWith('▸ webapps'))).toMatch(/4\/9 up · 2 serving · 0 sess/);
		expect(lines.find((line) => line.startsWith('▸ api'))).toMatch(/0\/2 up · 0 serving · 0 sess +✗ NO SERVER SERVING/);
	});

	it('fits 80x24: no line wider than the terminal, no frame taller than it, long names cut in the middle with …', async () => {
		const long = makeBackend('a-backend-with-a-very-long-name-for-testing', [
			makeServer({backend: 'a-backend-with-a-very-long-name-for-testing', server: 'server-with-a-name-far-too-long-for-80-columns', address: '2001:db8:1234:5678::1', port: 65_000}),
		]);
		const {waitForFrame} = show(makeView(makePool([makeInstance([long, webapps, dead])])));
		const frame = await waitForFrame('server-wit');
		const lines = frame.split('\n');
		expect(lines.length).toBeLessThanOrEqual(23);
		for (const line of lines) {
			expect(line.length).toBeLessThanOrEqual(79);
		}

		// Start and end stay: names that share a long prefix still differ on screen.
		expect(frame).toContain(' server-wit…lumns ');
		expect(frame).toMatch(/\[2001:db8:1234…/);
		expect(frame).toMatch(/SERVER +ADDRESS +STATE +ADMIN +WT +SESS CHECK/);
	});

	it('adds requests, last change and check detail columns on a wide terminal and re-lays out on resize', async () => {
		const view = makeView(pool);
		const {waitForFrame, stdout, instance} = show(view, {columns: 80, rows: 24});
		await waitForFrame('app01');
		stdout.resize(200, 50);
		instance.rerender(<GridScreen view={view} size={{columns: 200, rows: 50}} now={pool.takenAt} onQuit={() => undefined} onFocus={() => undefined} />);
		const frame = await waitForFrame('CHECK DETAIL');
		expect(frame).toMatch(/REQS +UP\/DOWN +CHECK DETAIL/);
		expect(lineOf(frame, 'app01')).toMatch(/L7OK +120 +1m00s Layer7 check passed$/);
	});
});

describe('grid of several instances', () => {
	const pair = (adminOnB: number) =>
		makePool([
			makeInstance([makeBackend('webapps', [makeServer({backend: 'webapps', server: 'app01'}), makeServer({backend: 'webapps', server: 'app02'})], '/a.sock')], '/a.sock', 11),
			makeInstance(
				[
					makeBackend(
						'webapps',
						[makeServer({backend: 'webapps', server: 'app01', socket: '/b.sock'}), makeServer({backend: 'webapps', server: 'app02', socket: '/b.sock', adminState: adminOnB, status: adminOnB ? 'DRAIN' : 'UP'})],
						'/b.sock',
					),
				],
				'/b.sock',
				22,
			),
		]);

	it('heads each instance, and marks with ≠ a server drained on one and ready on the other', async () => {
		const {waitForFrame} = show(makeView(pair(0x08)));
		const frame = await waitForFrame('differs');
		const lines = frameLines(frame);
		expect(lines.filter((line) => line.startsWith('═ '))).toEqual([expect.stringMatching(/^═ \/a\.sock +HAProxy .* pid 11/), expect.stringMatching(/^═ \/b\.sock +HAProxy .* pid 22/)]);
		expect(lines.filter((line) => /^≠ . app02 /.test(line))).toHaveLength(2);
		expect(lines.filter((line) => /^ {2}. app01 /.test(line))).toHaveLength(2);
		expect(lines).toContain('≠ webapps/app02 differs between instances: ready on /a.sock, drain on /b.sock');
		expect(lines.length).toBeLessThanOrEqual(23);
	});

	it('shows no mark when the instances agree', async () => {
		const {waitForFrame} = show(makeView(pair(0)));
		const frame = await waitForFrame('/b.sock');
		expect(frame).not.toContain('≠');
	});
});

describe('grid navigation', () => {
	it('moves with arrows and j/k, pages, and jumps to the ends', async () => {
		const {waitForFrame, press} = show(makeView(pool));
		await waitForFrame('1/13');
		await press(['j', 'j', keys.down], '4/13');
		await press(['k', keys.up], '2/13');
		await press(keys.end, '13/13');
		await press('g', '1/13');
		await press('G', '13/13');
		await press([keys.home, keys.pageDown], '13/13');
		await press(keys.pageUp, '1/13');
	});

	it('takes several typed keys in one chunk', async () => {
		const {waitForFrame, press} = show(makeView(pool));
		await waitForFrame('1/13');
		await press('jjj', '4/13');
	});

	it('filters by backend or server substring and clears with Esc', async () => {
		const {waitForFrame, press, lastFrame} = show(makeView(pool));
		await waitForFrame('app01');
		let frame = await press(['/', 'a', 'p', 'i'], '/ api');
		expect(frame).toContain('▸ api');
		expect(frame).not.toContain('webapps');
		expect(frame).toContain('2 servers match');
		frame = await press([keys.backspace, keys.backspace, keys.backspace, 's', 'h'], '1 server matches');
		expect(frame).toContain('▸ webapps');
		expect(frame).toContain('shadow');
		expect(frame).not.toContain('app01');
		frame = await press(keys.enter, 'Esc clears');
		frame = await press(keys.escape, (current) => current.includes('app01') && !current.includes('match'));
		expect(frame).toContain('api1');
		expect(lastFrame()).toContain('api1');
	});

	it('says when nothing matches', async () => {
		const {waitForFrame, press} = show(makeView(pool));
		await waitForFrame('app01');
		await press(['/', 'z', 'z'], 'No backend or server matches "zz". Esc clears the filter.');
	});

	it('shows and hides the help overlay', async () => {
		const {waitForFrame, press} = show(makeView(pool));
		await waitForFrame('app01');
		const frame = await press('?', 'Keys');
		expect(frame).toContain('filter by backend or server name');
		expect(frame).toContain('● UP   ◐ DRAIN   ■ MAINT   ✗ DOWN');
		expect(frame).not.toContain('app01');
		await press(keys.escape, (current) => current.includes('app01') && !current.includes('Keys'));
	});

	it('on a short terminal says how many help lines are out of view and scrolls to them (↓ j PgDn, ↑ k PgUp) without moving the cursor; the extra keys come before ? and q', async () => {
		const extraKeys = [
			{keys: 's', does: 'lab: stop / start the demo server under the cursor'},
			{keys: '(socket)', does: '/tmp/lab/admin.sock: the lab\'s'},
		];
		rendered = renderAt(<GridScreen view={makeView(pool)} size={{columns: 80, rows: 12}} now={pool.takenAt} onQuit={() => undefined} onFocus={() => undefined} extraKeys={extraKeys} />, {columns: 80, rows: 12});
		await rendered.waitForFrame('app01');
		let lines = frameLines(await rendered.press('?', 'Press ? or Esc to close.'));
		expect(lines.length).toBeLessThanOrEqual(12);
		expect(lines.find((line) => line.startsWith('… '))).toMatch(/^… \d+ more below: ↑ ↓ PgUp PgDn scroll/);
		expect(lines.some((line) => /^ {2}q {15}quit/.test(line))).toBe(false);
		expect(lines.at(-1)).toMatch(/scroll the help · \? or Esc close it · q quit +1\/13$/);
		// One line down: the title leaves, the next key comes in.
		lines = frameLines(await rendered.press(keys.down, (current) => !frameLines(current).includes('Keys')));
		expect(lines.find((line) => line.startsWith('… '))).toMatch(/^… 1 above, \d+ more below: /);
		// Two pages down reach the end: the last keys and the legend, nothing more below.
		lines = frameLines(await rendered.press([keys.pageDown, keys.pageDown], (current) => current.includes('● UP')));
		expect(lines.some((line) => /^ {2}q {15}quit/.test(line))).toBe(true);
		const end = /^… (\d+) above: ↑ ↓ PgUp PgDn scroll$/.exec(lines.find((line) => line.startsWith('… ')) ?? '');
		expect(end).not.toBeNull();
		// Past the end PgDn and j stay there (they change nothing): one k is one line above the end.
		rendered.send(keys.pageDown);
		rendered.send('j');
		lines = frameLines(await rendered.press('k', (current) => !current.includes('● UP')));
		expect(lines.find((line) => line.startsWith('… '))).toBe(`… ${Number(end![1]) - 1} above, 1 more below: ↑ ↓ PgUp PgDn scroll`);
		lines = frameLines(await rendered.press([keys.pageUp, keys.pageUp], (current) => frameLines(current).includes('Keys')));
		expect(lines.find((line) => line.startsWith('… '))).toMatch(/^… \d+ more below: /);
		// The keys scrolled the help, not the grid under it.
		lines = frameLines(await rendered.press(keys.escape, 'app01'));
		expect(lines.at(-1)).toMatch(/ 1\/13$/);
		// Opened again, it starts at the top.
		expect(frameLines(await rendered.press('?', 'Press ? or Esc to close.'))).toContain('Keys');
		rendered.unmount();
		rendered = renderAt(<GridScreen view={makeView(pool)} size={{columns: 80, rows: 40}} now={pool.takenAt} onQuit={() => undefined} onFocus={() => undefined} extraKeys={extraKeys} />, {columns: 80, rows: 40});
		await rendered.waitForFrame('app01');
		const tall = frameLines(await rendered.press('?', 'Press ? or Esc to close.'));
		expect(tall.some((line) => line.startsWith('… '))).toBe(false);
		const at = (text: string) => tall.findIndex((line) => line.includes(text));
		expect(at('lab: stop / start')).toBeLessThan(at('show / hide this help'));
		expect(at('/tmp/lab/admin.sock')).toBeLessThan(at('quit'));
	});

	it('opens a detail panel of the server under the cursor with Enter', async () => {
		const {waitForFrame, press} = show(makeView(pool));
		await waitForFrame('app01');
		const frame = await press(['j', 'j', keys.enter], 'webapps/app02');
		expect(frame).toMatch(/admin: drain · weight 1 \(config 1\) · active server/);
		expect(frame).toMatch(/check: L7OK \(Layer7 check passed\)/);
		await press(keys.escape, (current) => !current.includes('webapps/app02'));
	});

	it('shows a 300-character name cut in the middle in the grid and whole in the detail panel, within the terminal', async () => {
		const name = `srv-start.${'a1_B2-c3:d4.'.repeat(24)}`.slice(0, 296) + '-end';
		const backend = makeBackend('webapps', [makeServer({backend: 'webapps', server: 'app00'}), makeServer({backend: 'webapps', server: name})]);
		const {waitForFrame, press} = show(makeView(makePool([makeInstance([backend])])), {columns: 80, rows: 24});
		const grid = await waitForFrame('srv-start');
		expect(frameLines(grid).find((line) => line.includes('srv-start'))).toMatch(/^ {2}● srv-start\.\S*…\S*-end +10\.0\.0\.1:8080 +UP /);
		const detail = await press(['j', 'j', keys.enter], 'admin: none');
		const lines = frameLines(detail);
		expect(lines.join('').replace(/\s+/g, '')).toContain(`webapps/${name}`);
		expect(lines.length).toBeLessThanOrEqual(23);
		for (const line of lines) {
			expect(line.length).toBeLessThanOrEqual(79);
		}
	});

	it('shows a hostile name and check description in the grid and the detail panel written out, never raw', async () => {
		const hostile = '\u001B]0;PWNED\u0007\u001B[2J\u001B[5;31m\u009B2J\u202Eevil\u007F\n\tx';
		const shown = String.raw`\x1b]0;PWNED\x07\x1b[2J\x1b[5;31m\x9b2J\u202eevil\x7f\x0a\x09x`;
		const backend = makeBackend('webapps', [
			makeServer({backend: 'webapps', server: 'app00'}),
			makeServer({backend: 'webapps', server: `app01${hostile}`, opState: 0, status: 'DOWN', checkStatus: 'L4CON', checkDescription: `refused${hostile}`}),
		]);
		const {waitForFrame, press, stdout} = show(makeView(makePool([makeInstance([backend])])), {columns: 200, rows: 30});
		const grid = await waitForFrame('CHECK DETAIL');
		expect(frameLines(grid).find((line) => line.includes(String.raw`app01\x1b`))).toMatch(/ DOWN +1 +0 L4CON +0 +1m00s refused\\x1b]0;PWNED\\x07\\x1b\[2J\\x1b\[5;31m\\x9b2J\\u202…$/);
		// A passing check says what its status means (dimmed); the name column fits the names it has.
		expect(frameLines(grid).find((line) => line.includes('app00'))).toMatch(/● app00 +10\.0\.0\.1:8080 .* L7OK .* (HTTP|Layer7) check passed *$/);
		const detail = await press(['j', 'j', keys.enter], 'check: L4CON');
		expect(frameLines(detail).find((line) => line.startsWith('webapps/app01'))).toMatch(new RegExp(`^webapps/app01${shown.replace(/[\\[\]]/g, String.raw`\$&`)} +10\\.0\\.0\\.1:8080`));
		expect(detail).toContain(`check: L4CON (refused${shown})`);
		for (const frame of stdout.frames) {
			expect(frame).not.toMatch(/[\u0007\u009B\u202E\u007F\t]|\u001B[^[]|\u001B\[[0-9;]*[^0-9;m]/);
		}
	});
});

describe('grid when HAProxy does not answer', () => {
	it('shows a banner over the last known data, with the time it started failing', async () => {
		const since = new Date(2026, 10, 25, 14, 2, 11).getTime();
		const view = makeView(pool, [{socket: '/run/haproxy/admin.sock', since, error: 'Nothing answers on /run/haproxy/admin.sock (connection refused).'}]);
		const {waitForFrame} = show(view);
		const frame = await waitForFrame('unreachable');
		expect(frame).toContain('✗ /run/haproxy/admin.sock unreachable since 14:02:11 — retrying. Nothing answe…');
		expect(frame).toContain('app01');
		expect(frame).toMatch(/STALE \d+s/);
	});

	it('says it is connecting before the first answer, and that it retries when none came', async () => {
		const first = show(makeView(null, []).health.length === 0 ? {pool: null, cycles: 0, health: [{socket: '/x.sock', ok: true, failingSince: null, error: null, lastSuccess: null}]} : makeView(null));
		await first.waitForFrame('Connecting to /x.sock…');
		first.unmount();
		rendered = undefined;
		const reason = 'No HAProxy socket at /x.sock; check the "stats socket" line of haproxy.cfg or pass --socket.';
		const failing = show(makeView(null, [{socket: '/x.sock', since: Date.now(), error: reason}]));
		const frame = await failing.waitForFrame('No data from HAProxy yet; retrying every second.');
		// The banner cuts the reason to one line; the empty grid gives it whole, wrapped.
		expect(frame.replace(/\s+/g, ' ')).toContain(reason);
	});
});

describe('grid at 10,000 servers', () => {
	const big = bigPool(500, 20);

	it('renders only the rows that fit and scrolls through all of them', async () => {
		const {waitForFrame, press, lastFrame} = show(makeView(big));
		const frame = await waitForFrame('srv00');
		const serverLines = frameLines(frame).filter((line) => /^ {2}● srv/.test(line));
		expect(frame.split('\n').length).toBeLessThanOrEqual(23);
		expect(serverLines.length).toBeLessThanOrEqual(20);
		expect(frame).toContain('1/10500');
		await press(keys.end, '10500/10500');
		expect(lastFrame()).toContain('srv19');
		expect(lastFrame()).not.toContain('backend000');
		await press(keys.pageUp, (current) => /\b104\d\d\/10500/.test(current));
	});

	it('filters 10,000 servers down to one backend', async () => {
		const {waitForFrame, press} = show(makeView(big));
		await waitForFrame('srv00');
		const frame = await press(['/', ...'backend499'], '20 servers match');
		expect(frame).toContain('▸ backend499');
	});
});

describe('keys batched in one chunk (slow links)', () => {
	it('handles moves and Enter delivered together', async () => {
		const {waitForFrame, press} = show(makeView(pool));
		await waitForFrame('1/13');
		await press('jj\r', 'webapps/app02');
	});

	it('types a filter and applies it in one chunk', async () => {
		const {waitForFrame, press} = show(makeView(pool));
		await waitForFrame('1/13');
		await press('/api\r', '2 servers match · Esc clears');
	});

	it('starts a new filter with / while one is kept', async () => {
		const {waitForFrame, press} = show(makeView(pool));
		await waitForFrame('1/13');
		await press('/api\r', '2 servers match · Esc clears');
		let frame = await press('/', (current) => !current.includes('/ api'));
		expect(frame).toContain('app01');
		frame = await press(['s', 'h'], '1 server matches');
		expect(frame).toContain('shadow');
		expect(frame).not.toContain('api1');
	});
});

describe('keys the grid leaves to others', () => {
	it('hands them over with the server under the cursor, even within one chunk of keys', async () => {
		const seen: Array<[string, string | undefined]> = [];
		rendered = renderAt(
			<GridScreen
				view={makeView(pool)}
				size={{columns: 80, rows: 24}}
				now={pool.takenAt}
				onQuit={() => undefined}
				onFocus={() => undefined}
				onExtraKey={(char, {server, noRow}) => seen.push([char, server?.server ?? noRow])}
			/>,
		);
		await rendered.waitForFrame('1/13');
		await rendered.press('jjs', '3/13');
		expect(seen).toEqual([['s', 'app02']]);
	});

	it('tells its owner when a key moves the operator on from a message, and not for keys it does not act on', async () => {
		const past: string[] = [];
		const at = (message: string | null) => (
			<GridScreen view={makeView(pool)} size={{columns: 80, rows: 24}} now={pool.takenAt} onQuit={() => undefined} onFocus={() => undefined} message={message} onMessagePast={() => past.push('past')} onExtraKey={() => undefined} />
		);
		rendered = renderAt(at('the filter matches none: Esc clears it'));
		await rendered.waitForFrame('the filter matches none');
		// s is not the grid's key: the message stays; j moves the cursor, so the message is past.
		rendered.send('s');
		await rendered.press('j', '2/13');
		expect(past).toEqual(['past']);
		rendered.unmount();
		past.length = 0;
		// With no message there is nothing to be past.
		rendered = renderAt(at(null));
		await rendered.waitForFrame('1/13');
		await rendered.press('j', '2/13');
		expect(past).toEqual([]);
	});

	it('says why no server is under the cursor: a backend row, a filter that matches none, nothing read yet', async () => {
		const seen: Array<[string, string | undefined, string | undefined]> = [];
		const onExtraKey = (char: string, {server, noRow}: {server: {server: string} | undefined; noRow?: string}) => seen.push([char, server?.server, noRow]);
		rendered = renderAt(<GridScreen view={makeView(pool)} size={{columns: 80, rows: 24}} now={pool.takenAt} onQuit={() => undefined} onFocus={() => undefined} onExtraKey={onExtraKey} />);
		await rendered.waitForFrame('1/13');
		// m and s change nothing on screen: a later key's frame proves each was read (keys are read in order).
		rendered.send('m');
		await rendered.press(['/', 'z', 'z', '\r'], '0 servers match · Esc clears');
		rendered.send('s');
		await rendered.press('\u001B', '1/13');
		expect(seen).toEqual([
			['m', undefined, undefined],
			['s', undefined, 'the filter matches none: Esc clears it'],
		]);
		rendered.unmount();
		seen.length = 0;
		rendered = renderAt(<GridScreen view={makeView(null)} size={{columns: 80, rows: 24}} now={pool.takenAt} onQuit={() => undefined} onFocus={() => undefined} onExtraKey={onExtraKey} />);
		await rendered.waitForFrame('Connecting to');
		rendered.send('s');
		await rendered.press('?', 'Press ? or Esc to close.');
		expect(seen).toEqual([['s', undefined, 'none is shown yet']]);
	});
});
