import path from 'node:path';
import process from 'node:process';
import {describe, expect, it} from 'vitest';
import {UsageError} from '../../source/errors.js';
import {parseEndpoint, printable} from '../../source/runtime/endpoint.js';

describe('parseEndpoint', () => {
	it.each([
		['/run/haproxy/admin.sock', {kind: 'unix', path: '/run/haproxy/admin.sock'}],
		['unix@/run/haproxy/admin.sock', {kind: 'unix', path: '/run/haproxy/admin.sock'}],
		['./admin.sock', {kind: 'unix', path: path.join(process.cwd(), 'admin.sock'), label: path.join(process.cwd(), 'admin.sock')}],
		['relative/path.sock', {kind: 'unix', path: path.join(process.cwd(), 'relative', 'path.sock'), label: path.join(process.cwd(), 'relative', 'path.sock')}],
		['../up/admin.sock', {kind: 'unix', path: path.resolve('..', 'up', 'admin.sock')}],
		['unix@run/admin.sock', {kind: 'unix', path: path.join(process.cwd(), 'run', 'admin.sock')}],
		['sockets/lb1:9999', {kind: 'unix', path: path.join(process.cwd(), 'sockets', 'lb1:9999')}],
		['127.0.0.1:9999', {kind: 'tcp', host: '127.0.0.1', port: 9999, label: '127.0.0.1:9999'}],
		['ipv4@127.0.0.1:9999', {kind: 'tcp', host: '127.0.0.1', port: 9999}],
		['lb1.example.com:9999', {kind: 'tcp', host: 'lb1.example.com', port: 9999}],
		['[::1]:9999', {kind: 'tcp', host: '::1', port: 9999, label: '[::1]:9999'}],
		['ipv6@[::1]:9999', {kind: 'tcp', host: '::1', port: 9999}],
	])('reads %s', (text, expected) => {
		expect(parseEndpoint(text)).toMatchObject(expected);
	});

	it.each(['', 'admin.sock', 'host:', 'host:99999', 'host:0', 'a b:1', '/path\nwith-newline', 'unix@'])('rejects %j with exit 2', (text) => {
		expect(() => parseEndpoint(text)).toThrow(UsageError);
	});

	it('says how to name a socket file in the current directory', () => {
		expect(() => parseEndpoint('admin.sock')).toThrow('The socket "admin.sock" is not a path or host:port; pass --socket /run/haproxy/admin.sock (./admin.sock for a file in this directory) or --socket 127.0.0.1:9999.');
	});
});

describe('printable', () => {
	it('writes control characters out as the rest of drainboard does (\\x1b), and cuts long text without leaving half an escape', () => {
		expect(printable('app01\u001b]0;PWNED\u0007\u001b[2J')).toBe(String.raw`app01\x1b]0;PWNED\x07\x1b[2J`);
		expect(printable('rtl\u202egnp.exe')).toBe(String.raw`rtl\u202egnp.exe`);
		expect(printable(`${'a'.repeat(118)}\u001b[2J`)).toBe('a'.repeat(118));
		expect(printable(`${'a'.repeat(116)}\u202e`)).toBe('a'.repeat(116));
		expect(printable(`${'a'.repeat(116)}\u001bbc`)).toBe(`${'a'.repeat(116)}\\x1b`);
		expect(printable('x'.repeat(500))).toHaveLength(120);
	});
});
