import {describe, expect, it} from 'vitest';
import {foreignProtocol} from '../../source/runtime/replies.js';

describe('a reply that is not the Runtime API', () => {
	it('names a web server or an SSH server by its first line, control characters shown as ?', () => {
		expect(foreignProtocol('127.0.0.1:8404', Buffer.from('HTTP/1.1 400 Bad request\r\nContent-length: 90\r\n\r\n'))?.message).toBe(
			'127.0.0.1:8404 answers as a web server ("HTTP/1.1 400 Bad request"), not as HAProxy\'s Runtime API; pass --socket the path or address of a "stats socket" line of haproxy.cfg, not a web, stats page or SSH port.',
		);
		expect(foreignProtocol('127.0.0.1:22', Buffer.from('SSH-2.0-OpenSSH_9.2p1\u001b[31m\r\n'))?.message).toContain('answers as an SSH server ("SSH-2.0-OpenSSH_9.2p1?[31m")');
	});

	it('lets HAProxy\'s own replies through, errors and a server named HTTP alike', () => {
		for (const reply of ['Name: HAProxy\nVersion: 2.6.12\n\n', 'Unknown command.\n\n', '\n', '', '1\n# be_id be_name srv_id srv_name\n3 HTTP/1 1 s1\n\n']) {
			expect(foreignProtocol('/run/haproxy/admin.sock', Buffer.from(reply))).toBeUndefined();
		}
	});
});
