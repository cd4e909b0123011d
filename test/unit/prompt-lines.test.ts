import {describe, expect, it} from 'vitest';
import {promptKeys, promptLines} from '../../source/ui/wizard/prompt-box.js';

describe('promptLines', () => {
	it('wraps a long socket path instead of cutting it: which HAProxy gets the command is the point of the question', () => {
		const socket = '/var/lib/haproxy/instances/edge-frontend-primary/run/admin.sock';
		const lines = promptLines({kind: 'command', id: 'drain:set', command: 'set server webapps/app01 state drain', why: 'New requests stop going to this server.', sockets: [socket]}, 60);
		const head = lines.filter((line) => line.kind === 'head');
		expect(head.length).toBeGreaterThan(1);
		expect(head.every((line) => line.text.length <= 60)).toBe(true);
		expect(head.map((line) => line.text).join('').replace(/\s/g, '')).toContain(`(${socket}):`);
	});

	it('names the same keys under the prompt on every screen', () => {
		expect(promptKeys({kind: 'command', id: 'restore:set', command: 'set server a/b state ready', why: 'back', sockets: ['/s']})).toBe('y send it · n cancel');
		expect(promptKeys({kind: 'question', id: 'quit', question: 'Quit anyway?', yes: 'quit', no: 'stay'})).toBe('y quit · n stay');
	});
});
