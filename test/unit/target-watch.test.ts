import {describe, expect, it} from 'vitest';
import {PoolWatch, TargetWatch, type Observation} from '../../source/runbook/watch.js';
import {parseTarget} from '../../source/runtime/names.js';
import {makeBackend, makeInstance, makePool, makeServer, makeView} from '../helpers/model.js';

describe('TargetWatch', () => {
	const target = parseTarget('webapps/app01');
	const instance = (pid: number) => ({socket: '/s', pid, version: '2.6.12', startTime: 1000 + pid, stopping: false});
	const seen = (at: number, pid: number | null, adminState = 8): Observation => ({
		socket: '/s',
		at,
		instance: pid === null ? null : instance(pid),
		server: pid === null ? null : makeServer({backend: 'webapps', server: 'app01', adminState}),
	});

	it('calls a process change a reload or restart (the polls cannot tell which), and says the drain is gone', () => {
		const watch = new TargetWatch();
		watch.observe(seen(1, 10), {target, drained: true});
		const {raise} = watch.observe(seen(2, 11, 0), {target, drained: true});
		expect(raise).toHaveLength(1);
		expect(raise[0]).toMatchObject({kind: 'reload', reapply: true});
		expect(raise[0]!.message).toBe('HAProxy at /s was reloaded or restarted (pid 10 → 11). The drain is gone: app01 is back in rotation. Press r to re-apply it.');
	});

	it('says the drain is back once HAProxy shows it again after it was gone, set ready or replaced by a maintenance, and only once', () => {
		for (const away of [0, 1]) {
			const watch = new TargetWatch();
			watch.observe(seen(1, 10, 8), {target, drained: true});
			const gone = watch.observe(seen(2, 10, away), {target, drained: true});
			expect(gone.raise[0]).toMatchObject({kind: 'external-change', drainGone: true});
			expect(gone.drainBack).toBeUndefined();
			const back = watch.observe(seen(3, 10, 8), {target, drained: true});
			expect(back).toEqual({raise: [], clear: ['unreachable:/s', 'target-missing:/s', gone.raise[0]!.id], drainBack: true});
			expect(watch.observe(seen(4, 10, 8), {target, drained: true}).drainBack).toBeUndefined();
		}
	});

	it('at restore, someone else\'s ready, then the wizard expecting the target in rotation: the alarm goes, with no drain said to be back', () => {
		const watch = new TargetWatch();
		watch.observe(seen(1, 10, 8), {target, drained: true, restoring: true});
		const gone = watch.observe(seen(2, 10, 0), {target, drained: true, restoring: true});
		expect(gone.raise[0]).toMatchObject({kind: 'external-change', drainGone: true});
		const settled = watch.observe(seen(3, 10, 0), {target, drained: false, restoring: true});
		expect(settled.clear).toContain(gone.raise[0]!.id);
		expect(settled.drainBack).toBeUndefined();
	});

	it('says the same when HAProxy stopped answering in between (a reload on a loaded host does that too), and notes a drain that survived', () => {
		const watch = new TargetWatch();
		watch.observe(seen(1, 10), {target, drained: true});
		expect(watch.observe(seen(2, null), {target, drained: true}).raise[0]?.kind).toBe('unreachable');
		expect(watch.observe(seen(3, null), {target, drained: true}).raise).toEqual([]);
		const back = watch.observe(seen(4, 12, 8), {target, drained: true});
		expect(back.clear).toContain('unreachable:/s');
		expect(back.raise[0]).toMatchObject({kind: 'reload', id: 'reload:/s'});
		expect(back.raise[0]!.message).toBe('HAProxy at /s was reloaded or restarted (pid 10 → 12). The drain survived (restored from the server-state file).');
		expect(back.raise[0]!.reapply).toBeUndefined();
	});

	it('at restore, says someone else\'s ready put the target back (nothing for the restore to send), with no re-apply offered', () => {
		const watch = new TargetWatch();
		watch.observe(seen(1, 10, 8), {target, drained: true, restoring: true});
		const changed = watch.observe(seen(2, 10, 0), {target, drained: true, restoring: true});
		expect(changed.raise[0]).toMatchObject({kind: 'external-change'});
		expect(changed.raise[0]!.reapply).toBeUndefined();
		expect(changed.raise[0]!.message).toBe('Someone else changed webapps/app01 on /s: it is ready (no admin flags) now, was FDRAIN. It is back in rotation, not by this restore: the restore sends nothing now.');
	});

	it('flags someone else changing the target, but not the changes the wizard expects', () => {
		const watch = new TargetWatch();
		watch.observe(seen(1, 10, 0), {target, drained: false});
		expect(watch.observe(seen(2, 10, 8), {target, drained: true}).raise).toEqual([]);
		const changed = watch.observe(seen(3, 10, 0), {target, drained: true});
		expect(changed.raise[0]).toMatchObject({kind: 'external-change', reapply: true});
		expect(changed.raise[0]!.message).toBe('Someone else changed webapps/app01 on /s: it is ready (no admin flags) now, was FDRAIN. Press r to re-apply the drain.');
		const maint = watch.observe(seen(4, 10, 1), {target, drained: true});
		expect(maint.raise[0]!.message).toContain('it is FMAINT now, was ready');
		// Someone's maintenance in place of the drain: "state drain" would clear it, so no r.
		expect(maint.raise[0]!.message).toContain("it is FMAINT now, was ready. Someone's maintenance now: drainboard does not drain it again, as a drain would end it.");
		expect(maint.raise[0]!.reapply).toBeUndefined();
	});

	it('withdraws the offer to re-apply once a poll reads the drain back, whoever put it back', () => {
		const watch = new TargetWatch();
		watch.observe(seen(1, 10, 8), {target, drained: true});
		expect(watch.observe(seen(2, 10, 0), {target, drained: true}).raise[0]).toMatchObject({id: 'external-change:/s', reapply: true});
		expect(watch.observe(seen(3, 10, 0), {target, drained: true})).toEqual({raise: [], clear: ['unreachable:/s', 'target-missing:/s']});
		const back = watch.observe(seen(4, 10, 8), {target, drained: true});
		expect(back.raise).toEqual([]);
		expect(back.clear).toContain('external-change:/s');
		// Once withdrawn, it stays withdrawn.
		expect(watch.observe(seen(5, 10, 8), {target, drained: true}).clear).not.toContain('external-change:/s');

		const reloaded = new TargetWatch();
		reloaded.observe(seen(1, 10, 8), {target, drained: true});
		expect(reloaded.observe(seen(2, 11, 0), {target, drained: true}).raise[0]).toMatchObject({id: 'reload:/s', reapply: true});
		const again = reloaded.observe(seen(3, 11, 8), {target, drained: true});
		expect(again.raise).toEqual([]);
		expect(again.clear).toContain('reload:/s');
	});

	it('keeps the offer to re-apply while the drain reads back under maintenance too (FDRAIN+FMAINT), as it flags that state', () => {
		const watch = new TargetWatch();
		watch.observe(seen(1, 10, 8), {target, drained: true});
		expect(watch.observe(seen(2, 11, 0), {target, drained: true}).raise[0]).toMatchObject({id: 'reload:/s', reapply: true});
		expect(watch.observe(seen(3, 11, 9), {target, drained: true}).raise[0]).toMatchObject({kind: 'external-change'});
		expect(watch.observe(seen(4, 11, 9), {target, drained: true})).toEqual({raise: [], clear: ['unreachable:/s', 'target-missing:/s']});
		const back = watch.observe(seen(5, 11, 8), {target, drained: true});
		expect(back.raise).toEqual([]);
		expect(back.clear).toContain('reload:/s');
	});

	it('says when the target is gone', () => {
		const watch = new TargetWatch();
		watch.observe(seen(1, 10), {target, drained: true});
		const gone = watch.observe({socket: '/s', at: 2, instance: instance(10), server: null}, {target, drained: true});
		expect(gone.raise[0]?.kind).toBe('target-missing');
	});
});

describe('PoolWatch', () => {
	const target = parseTarget('webapps/app01');
	const view = (others: 'up' | 'down', app01 = {opState: 2, status: 'DRAIN'}) =>
		makeView(
			makePool([
				makeInstance([
					makeBackend('webapps', [
						makeServer({backend: 'webapps', server: 'app01', adminState: 8, ...app01}),
						...['app02', 'app03'].map((server) => makeServer({backend: 'webapps', server, ...(others === 'down' ? {opState: 0, status: 'DOWN', checkStatus: 'L4CON'} : {})})),
					]),
				]),
			]),
		);

	it('says once when the rest of the backend goes down while the target is drained, whether the target can take traffic, and withdraws it when a server serves again', () => {
		const watch = new PoolWatch();
		expect(watch.observe(view('up'), {target, drained: true}).raise).toEqual([]);
		const down = watch.observe(view('down'), {target, drained: true});
		expect(down.raise).toHaveLength(1);
		expect(down.raise[0]).toMatchObject({id: 'backend-down:/run/haproxy/admin.sock', kind: 'backend-down'});
		expect(down.raise[0]!.message).toBe('webapps has no server serving on /run/haproxy/admin.sock: clients get errors now. webapps/app01, drained by this maintenance, is healthy: b brings it back now (restore: its health, then ready, asked first).');
		expect(watch.observe(view('down'), {target, drained: true}).raise).toEqual([]);
		expect(watch.observe(view('up'), {target, drained: true}).clear).toContain('backend-down:/run/haproxy/admin.sock');
		// Not drained by this maintenance: the grid's own ✗ NO SERVER SERVING says it.
		expect(new PoolWatch().observe(view('down'), {target, drained: false}).raise).toEqual([]);
		const sick = new PoolWatch().observe(view('down', {opState: 0, status: 'DOWN'}), {target, drained: true});
		expect(sick.raise[0]!.message).toContain('webapps/app01, drained by this maintenance, is not healthy either.');
	});
});
