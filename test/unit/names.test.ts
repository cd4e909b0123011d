import {describe, expect, it} from 'vitest';
import {UsageError} from '../../source/errors.js';
import {commands} from '../../source/runtime/commands.js';
import {formatTarget, maxBackendLength, maxNameLength, maxTargetLength, parseName, parseTarget} from '../../source/runtime/names.js';
import {maxLineBytes} from '../../source/runtime/transport.js';

describe('parseTarget', () => {
	it.each(['webapps/app01', 'api.v2-pool/api:2', 'be_1/srv-2.example.com', '#3/#2', 'webapps/#2'])('accepts %s', (text) => {
		expect(formatTarget(parseTarget(text))).toBe(text);
	});

	it.each([
		['command injection with ;', 'a/b;set server a/c state maint', /characters HAProxy does not allow/],
		['a newline', 'webapps/app01\nset server webapps/app02 state maint', /characters HAProxy does not allow/],
		['a carriage return', 'webapps/app01\r', /characters HAProxy does not allow/],
		['a backslash', 'webapps/app\\01', /characters HAProxy does not allow/],
		['a space', 'webapps/app 01', /characters HAProxy does not allow/],
		['a tab', 'web\tapps/app01', /characters HAProxy does not allow/],
		['an empty server', 'webapps/', /server name is empty/],
		['an empty backend', '/app01', /backend name is empty/],
		['no slash', 'app01', /not backend\/server/],
		['two slashes', 'a/b/c', /characters HAProxy does not allow/],
		['a quote', 'webapps/"app01"', /characters HAProxy does not allow/],
		['a NUL byte', 'webapps/app\u000001', /characters HAProxy does not allow/],
		['non-ASCII letters', 'wébapps/app01', /characters HAProxy does not allow/],
		['a bad id', '#x/app01', /characters HAProxy does not allow/],
		['a name that is too long', `webapps/${'a'.repeat(maxNameLength + 1)}`, /characters long/],
	])('rejects %s with exit 2', (_case, text, message) => {
		expect(() => parseTarget(text)).toThrow(UsageError);
		expect(() => parseTarget(text)).toThrow(message);
		try {
			parseTarget(text);
		} catch (error) {
			expect((error as UsageError).exitCode).toBe(2);
			expect((error as UsageError).message).not.toMatch(/[\n\r]/);
		}
	});

	it('accepts the long names HAProxy accepts (a 300-character server name), up to what a command line can carry', () => {
		const server = `s${'a1_B2-c3:d4.'.repeat(25)}`.slice(0, 300);
		expect(formatTarget(parseTarget(`webapps/${server}`))).toBe(`webapps/${server}`);
		const backend = 'b'.repeat(maxBackendLength);
		const longest = parseTarget(`${backend}/${'s'.repeat(maxTargetLength - backend.length - 1)}`);
		// On a master CLI each command of a backend's snapshot carries "@!<pid> ": still under the line cap.
		const master = (command: string) => `@!4194304 ${command}`;
		const lines = [
			[commands.showInfo(), commands.showServersState(longest.backend), commands.showStat(longest.backend)].map(master).join(';'),
			master(commands.setServerState(longest, 'drain')),
			master(commands.shutdownSessions(longest)),
		];
		for (const line of lines) {
			expect(Buffer.byteLength(line)).toBeLessThanOrEqual(maxLineBytes);
		}
	});

	it.each([
		['a backend too long for a snapshot line', `${'b'.repeat(maxBackendLength + 1)}/s1`, /^The backend name b+…b+ is \d+ characters long; drainboard takes at most \d+, so that every command it sends stays under 4096 bytes/],
		['a target too long for a command line', `${'b'.repeat(maxBackendLength)}/${'s'.repeat(maxTargetLength - maxBackendLength)}`, /^The target b+…s+ is \d+ characters long; drainboard takes at most \d+/],
	])('refuses %s in one sentence, exit 2', (_case, text, message) => {
		expect(() => parseTarget(text)).toThrow(message);
		expect(() => parseTarget(text)).toThrow(UsageError);
	});

	it('builds commands only from validated names', () => {
		const target = parseTarget('webapps/app01');
		expect(commands.setServerState(target, 'drain')).toBe('set server webapps/app01 state drain');
		expect(commands.shutdownSessions(target)).toBe('shutdown sessions server webapps/app01');
		expect(commands.showStat(parseName('webapps', 'backend'))).toBe('show stat webapps 6 -1');
		expect(commands.showServersState(parseName('webapps', 'backend'))).toBe('show servers state webapps');
	});
});
