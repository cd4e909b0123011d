import {writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {describe, expect, it} from 'vitest';
import {lostDrainLines} from '../../source/headless/lost-drains.js';
import {runStatus} from '../../source/headless/status.js';
import {statusJsonSchema} from '../../source/headless/status-schema.js';
import type {PoolSnapshot} from '../../source/model/types.js';
import type {RuntimeClient} from '../../source/poll/client.js';
import type {JournalEntry} from '../../source/runbook/journal.js';
import {drainsGone} from '../../source/runbook/lost-drain.js';
import {openDrainRecords} from '../../source/runbook/resume.js';
import {lostDrainBanner} from '../../source/ui/open-drains.js';
import {makeBackend, makeInstance, makePool, makeServer} from '../helpers/model.js';
import {scratchDir} from '../helpers/scratch.js';

const socket = '/run/haproxy/admin.sock';
// Local times, as the screen shows them.
const now = new Date(2026, 11, 5, 12, 0, 0).getTime();
const startedAt = new Date(2026, 11, 5, 2, 14, 7).toISOString();
const drainedAt = new Date(2026, 11, 5, 2, 14, 9).toISOString();

/** One maintenance of `target` that drained it through `socket` when HAProxy was `pid`, and then nothing. */
function drainedThen(target: string, {pid = 4000, user = 'root', more = []}: {pid?: number | null; user?: string; more?: JournalEntry[]} = {}): JournalEntry[] {
	const base = {session: 's1', user, host: 'lb1', target, instances: [{socket, pid, version: '3.4.0', startTime: pid === null ? null : 1_764_000_000}], step: null};
	return [
		{...base, time: startedAt, event: 'started'},
		{...base, time: drainedAt, step: 'drain', event: 'reply', command: `set server ${target} state drain`, ok: true},
		...more,
	];
}

const webapps = (app03: Partial<Parameters<typeof makeServer>[0]> = {}) =>
	makeInstance([makeBackend('webapps', [makeServer({backend: 'webapps', server: 'app01'}), makeServer({backend: 'webapps', server: 'app03', ...app03})])], socket, 4242);

describe('an open maintenance whose drain HAProxy no longer shows', () => {
	it('is one HAProxy shows in rotation, with what took the drain: a reload (another pid), a change (the same), or unknown', () => {
		const {instance, backends} = webapps();
		const servers = backends.flatMap((backend) => backend.servers);
		expect(drainsGone(openDrainRecords(drainedThen('webapps/app03')), instance, servers)).toEqual([
			{socket, target: 'webapps/app03', startedBy: 'root', startedAt, drainedAt: Date.parse(drainedAt), tookUp: false, undone: {how: 'reload', pidBefore: 4000}, pid: 4242, status: 'UP', underWay: null},
		]);
		expect(drainsGone(openDrainRecords(drainedThen('webapps/app03', {pid: 4242})), instance, servers)[0]?.undone).toEqual({how: 'change'});
		expect(drainsGone(openDrainRecords(drainedThen('webapps/app03', {pid: null})), instance, servers)[0]?.undone).toEqual({how: 'unknown'});
	});

	it('is none while HAProxy shows it drained (in maintenance too), once the maintenance ended or sent ready, or when HAProxy has no such server', () => {
		const records = openDrainRecords(drainedThen('webapps/app03'));
		for (const adminState of [8, 9]) {
			const {instance, backends} = webapps({adminState});
			expect(drainsGone(records, instance, backends.flatMap((backend) => backend.servers))).toEqual([]);
		}

		// In maintenance and no longer drained (state maint clears FDRAIN): someone else's maintenance replaced the drain.
		const maint = webapps({adminState: 1});
		expect(drainsGone(records, maint.instance, maint.backends.flatMap((backend) => backend.servers)).map((gone) => gone.undone)).toEqual([{how: 'maintenance'}]);

		const {instance, backends} = webapps();
		const servers = backends.flatMap((backend) => backend.servers);
		const ended = (event: JournalEntry['event'], extra: Partial<JournalEntry> = {}): JournalEntry => ({...drainedThen('webapps/app03')[0]!, event, ...extra});
		expect(drainsGone(openDrainRecords(drainedThen('webapps/app03', {more: [ended('abandoned')]})), instance, servers)).toEqual([]);
		expect(drainsGone(openDrainRecords(drainedThen('webapps/app03', {more: [ended('reply', {command: 'set server webapps/app03 state ready', ok: true})]})), instance, servers)).toEqual([]);
		expect(drainsGone(openDrainRecords(drainedThen('webapps/app09')), instance, servers)).toEqual([]);
	});

	it('is said in one sentence wrapped to 80 columns, the restore command whole, the journal\'s text made visible', () => {
		const {instance, backends} = webapps();
		const gone = drainsGone(openDrainRecords(drainedThen('webapps/app03', {user: 'ro\u001B[2Jot'})), instance, backends.flatMap((backend) => backend.servers));
		const lines = lostDrainLines(gone, {severalInstances: false, flags: {socket: [socket]}, journal: {file: '/var/j.jsonl', given: true}, now, width: 80});
		expect(lines).toEqual([
			'Open maintenances of the journal /var/j.jsonl whose drain HAProxy no longer',
			'shows:',
			'  webapps/app03: ro\\x1b[2Jot\'s maintenance of 02:14:07 drained it, and',
			'    HAProxy shows it in rotation now (UP; HAProxy was reloaded or restarted',
			'    since the drain, pid 4000 → 4242): check it;',
			'    `drainboard restore webapps/app03 --yes --socket /run/haproxy/admin.sock --journal /var/j.jsonl`',
			'    closes that maintenance.',
		]);
		expect(lines.join('\n')).not.toContain('\u001B');
	});

	it('names the instance when there are several, and the journal only when --journal named it', () => {
		const {instance, backends} = webapps();
		const gone = drainsGone(openDrainRecords(drainedThen('webapps/app03', {pid: 4242})), instance, backends.flatMap((backend) => backend.servers));
		const text = lostDrainLines(gone, {severalInstances: true, flags: {socket: []}, journal: {file: '/home/ana/j.jsonl', given: false}, now, width: 400}).join('\n');
		expect(text).toContain(`webapps/app03 on ${socket}: root's maintenance of 02:14:07 drained it, and HAProxy shows it in rotation now (UP; the same HAProxy process, pid 4242: someone or something set it ready): check it; \`drainboard restore webapps/app03 --yes\` closes that maintenance.`);
	});

	it('is not called in rotation while its health check keeps it out (DOWN, NOLB): no longer drained, in rotation once the check passes', () => {
		for (const status of ['DOWN', 'NOLB', 'DOWN 1/2']) {
			const {instance, backends} = webapps({status});
			const gone = drainsGone(openDrainRecords(drainedThen('webapps/app03', {pid: 4242})), instance, backends.flatMap((backend) => backend.servers));
			const text = lostDrainLines(gone, {severalInstances: false, flags: {socket: []}, journal: {file: '/home/ana/j.jsonl', given: false}, now, width: 400}).join('\n');
			expect(text).toContain(`HAProxy shows it no longer drained (${status} now, so in rotation as soon as its health check passes; the same HAProxy process, pid 4242: someone or something set it ready): check it;`);
			expect(text).not.toContain('in rotation now');
		}

		for (const status of ['UP 1/2', 'no check']) {
			const {instance, backends} = webapps({status});
			const gone = drainsGone(openDrainRecords(drainedThen('webapps/app03', {pid: 4242})), instance, backends.flatMap((backend) => backend.servers));
			expect(lostDrainLines(gone, {severalInstances: false, flags: {socket: []}, journal: {file: '/home/ana/j.jsonl', given: false}, now, width: 400}).join('\n')).toContain(`HAProxy shows it in rotation now (${status};`);
		}
	});

	it('is the grid\'s banner when no open drain is left to resume, in 80 columns', () => {
		const banner = lostDrainBanner([{target: 'webapps/app03', startedBy: 'root', startedAt}], now);
		expect(banner).toBe('⚠ r opens webapps/app03: drain lost (root\'s maintenance of 02:14:07)');
		expect([...banner!].length).toBeLessThanOrEqual(79);
		expect(lostDrainBanner([{target: 'webapps/app03', startedBy: 'root', startedAt}, {target: 'api/api1', startedBy: 'ana', startedAt}], now)).toMatch(/^⚠ r opens webapps\/app03: drain lost \(root's maintenance of 02:14:07\) \(and 1 more\)$/);
		expect(lostDrainBanner([], now)).toBeNull();
		// In maintenance now (state maint cleared the drain): said, still within 79 columns.
		const maint = lostDrainBanner([{target: 'webapps/app03', startedBy: 'root', startedAt}], now, (label) => label === 'webapps/app03');
		expect(maint).toBe('⚠ r opens webapps/app03: drain lost to MAINT (root\'s maintenance of 02:14:07)');
		expect([...maint!].length).toBeLessThanOrEqual(79);
	});
});

describe('status with a journal that holds a lost drain', () => {
	const pool: PoolSnapshot = makePool([webapps()]);
	const {instance, backends} = pool.instances[0]!;
	// The two ways status reads one instance: the whole snapshot (--backend), or streamed (--json of everything).
	const client = {
		socket,
		async snapshot() {
			return pool.instances[0]!;
		},
		async streamServers(onServer) {
			for (const server of backends.flatMap((backend) => backend.servers)) {
				onServer(server);
			}

			return instance;
		},
	} satisfies Pick<RuntimeClient, 'socket' | 'snapshot' | 'streamServers'>;

	it('prints the same lostDrains streamed or whole, and the sentence in the table', async () => {
		const journal = path.join(scratchDir('drainboard-lost-'), 'journal.jsonl');
		writeFileSync(journal, drainedThen('webapps/app03').map((entry) => `${JSON.stringify(entry)}\n`).join(''));
		const expected = [{socket, server: 'webapps/app03', by: {user: 'root', journal, startedAt, drainedAt}, undone: 'reload', underWay: null}];
		for (const backend of [undefined, 'webapps']) {
			const written: string[] = [];
			const notes = await runStatus([client as unknown as RuntimeClient], {json: true, width: 80, journal, ...(backend ? {backend: backend as never} : {})}, (text) => written.push(String(text)));
			expect(notes).toEqual([]);
			expect(statusJsonSchema.parse(JSON.parse(written.join(''))).lostDrains).toEqual(expected);
		}

		const table: string[] = [];
		await runStatus([client as unknown as RuntimeClient], {json: false, width: 300, journal, flags: {socket: [socket]}}, (text) => table.push(String(text)));
		expect(table.join('')).toContain(`\n\nOpen maintenances of the journal ${journal} whose drain HAProxy no longer shows:\n  webapps/app03: root's maintenance of `);
	});

	it('says on stderr when the journal cannot be read, and names no lost drain', async () => {
		const dir = scratchDir('drainboard-lost-');
		const written: string[] = [];
		const notes = await runStatus([client as unknown as RuntimeClient], {json: true, width: 80, journal: dir}, (text) => written.push(String(text)));
		expect(statusJsonSchema.parse(JSON.parse(written.join(''))).lostDrains).toEqual([]);
		// Worded for a command that reads: status sends nothing, so says nothing of what was sent.
		expect(notes).toEqual([`Whether an open maintenance lost its drain is not known: the journal ${dir} cannot be read because it is a directory.`]);
	});

	it('says on stderr when the journal given with --journal does not exist (a typo hides every lost drain), and not of the default journal', async () => {
		const missing = path.join(scratchDir('drainboard-lost-'), 'jornal.jsonl');
		for (const json of [true, false]) {
			const notes = await runStatus([client as unknown as RuntimeClient], {json, width: 80, journal: missing}, () => undefined);
			expect(notes).toEqual([`Whether an open maintenance lost its drain is not known: the journal ${missing} given with --journal does not exist (check its path).`]);
		}

		const previous = process.env['XDG_STATE_HOME'];
		process.env['XDG_STATE_HOME'] = scratchDir('drainboard-lost-state-');
		try {
			expect(await runStatus([client as unknown as RuntimeClient], {json: true, width: 80}, () => undefined)).toEqual([]);
		} finally {
			process.env['XDG_STATE_HOME'] = previous;
		}
	});
});
