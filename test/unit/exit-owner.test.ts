import {describe, expect, it} from 'vitest';
import {comeBackCommand, restoreCommand} from '../../source/runbook/come-back.js';
import {parseTarget} from '../../source/runtime/names.js';
import {ExitOwner, type Ending} from '../../source/ui/exit-owner.js';
import {waitFor} from '../helpers/wait-for.js';

function owned() {
	const owner = new ExitOwner();
	const endings: Ending[] = [];
	owner.attach((ending) => endings.push(ending));
	return {owner, endings};
}

/** A guard whose question the test answers. */
function askingGuard() {
	let open: ((yes: boolean) => void) | undefined;
	const asked: string[] = [];
	const answer = (yes: boolean) => {
		const resolve = open;
		open = undefined;
		resolve?.(yes);
	};

	return {
		asked,
		answer,
		guard: {
			async confirm() {
				asked.push('confirm');
				return new Promise<boolean>((resolve) => {
					open = resolve;
				});
			},
			// As the wizard: a yes only while its question is open.
			insist() {
				if (open) {
					asked.push('insist');
					answer(true);
				}
			},
		},
	};
}

describe('the exit owner', () => {
	it('ends at once without a guard: q with 0, Ctrl-C with 130', () => {
		const q = owned();
		q.owner.quit();
		expect(q.endings).toEqual([0]);
		const ctrlC = owned();
		ctrlC.owner.interrupt();
		expect(ctrlC.endings).toEqual([130]);
	});

	it('asks the guard; no keeps the app, yes ends it; Ctrl-C again while asking is the yes', async () => {
		const {owner, endings} = owned();
		const screen = askingGuard();
		owner.guardWith(screen.guard);
		owner.interrupt();
		screen.answer(false);
		// Ctrl-C asks again only once the no was taken: the second question proves the app did not end on it.
		await waitFor('the second question', () => {
			owner.interrupt();
			return screen.asked.length === 2 ? true : undefined;
		});
		expect(endings).toEqual([]);
		owner.interrupt();
		await waitFor('the end', () => (endings.length > 0 ? true : undefined));
		expect(screen.asked).toEqual(['confirm', 'confirm', 'insist']);
		expect(endings).toEqual([130]);
	});

	it('ends on a signal with 128 + its number, without asking, and only once', () => {
		const {owner, endings} = owned();
		const screen = askingGuard();
		owner.guardWith(screen.guard);
		owner.signal('SIGTERM');
		owner.signal('SIGHUP');
		owner.quit();
		expect(endings).toEqual([143]);
		expect(owner.stoppedBy).toBe('SIGTERM');
		expect(screen.asked).toEqual([]);
	});

	it('hands an ending decided before the root attached over when it does', () => {
		const owner = new ExitOwner();
		owner.signal('SIGINT');
		const endings: Ending[] = [];
		owner.attach((ending) => endings.push(ending));
		expect(endings).toEqual([130]);
	});
});

describe('the come-back command', () => {
	it('repeats the flags given and the journal, quoted for a shell where needed', () => {
		const command = comeBackCommand({socket: ['/run/haproxy/admin.sock', '127.0.0.1:9999'], master: undefined, config: '/etc/haproxy/my config.cfg'}, parseTarget('webapps/app01'), '/var/lib/drainboard/journal.jsonl');
		expect(command).toBe("drainboard webapps/app01 --socket /run/haproxy/admin.sock --socket 127.0.0.1:9999 --config '/etc/haproxy/my config.cfg' --journal /var/lib/drainboard/journal.jsonl");
		expect(comeBackCommand({socket: [], master: '/run/haproxy-master.sock', config: undefined}, parseTarget('webapps/app01'), "/tmp/it's.jsonl")).toBe(
			"drainboard webapps/app01 --master /run/haproxy-master.sock --journal '/tmp/it'\\''s.jsonl'",
		);
	});

	it('repeats the haproxy binary and the listener too, for any target (a pattern quoted); a restore says --yes, so it runs as pasted without a terminal', () => {
		const flags = {socket: ['127.0.0.1:9999'], haproxy: '/opt/haproxy 3.4/haproxy', url: 'http://127.0.0.1:8080/?probe=1&x', host: 'shop.example.com', path: '/health'};
		expect(restoreCommand(flags, '*/app01', '/var/lib/drainboard/journal.jsonl')).toBe(
			"drainboard restore '*/app01' --yes --socket 127.0.0.1:9999 --haproxy '/opt/haproxy 3.4/haproxy' --url 'http://127.0.0.1:8080/?probe=1&x' --host shop.example.com --path /health --journal /var/lib/drainboard/journal.jsonl",
		);
	});
});
