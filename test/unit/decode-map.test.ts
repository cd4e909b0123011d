import {describe, expect, it} from 'vitest';
import {DecodeError} from '../../source/decode/decode-error.js';
import {decodeMapEntries} from '../../source/decode/map-entries.js';
import {parseConfig} from '../../source/config/parse-config.js';
import {mapNamesOf} from '../../source/config/map-files.js';
import {fixture} from '../helpers/fixtures.js';

/**
 * `show map hosts.map` and `show map nosuch.map` captured from real HAProxy 2.6.12, 2.8.0 and
 * 3.4.0: a map of two lines loaded from its file, then `add map hosts.map c.example.com be_b with
 * spaces` (the CLI takes one word for the value: the rest is dropped).
 */
describe('decodeMapEntries', () => {
	it.each(['2.6.12', '2.8.0', '3.4.0'])('reads the real %s show map, the run-time entry last', (release) => {
		expect(decodeMapEntries(fixture('show-map.txt', release))).toEqual([
			{key: 'a.example.com', value: 'be_a'},
			{key: 'b.example.com', value: 'be_b'},
			{key: 'c.example.com', value: 'be_b'},
		]);
		expect(decodeMapEntries(fixture('show-map-unknown.txt', release))).toBeNull();
	});

	it('keeps a value with spaces whole (a file may hold one), and a key without a value', () => {
		expect(decodeMapEntries('0x1 /api backend with spaces\n0x2 lonely\n\n')).toEqual([
			{key: '/api', value: 'backend with spaces'},
			{key: 'lonely', value: ''},
		]);
		expect(decodeMapEntries('\n')).toEqual([]);
	});

	it.each([
		['garbage', 'garbage\n\n'],
		['a line without its address', 'a.example.com be_a\n\n'],
		['an address alone', '0x55d0c9a7e6a0\n\n'],
	])('refuses %s, naming the reply', (_what, reply) => {
		expect(() => decodeMapEntries(reply)).toThrow(DecodeError);
		expect(() => decodeMapEntries(reply)).toThrow(/Could not read HAProxy's reply to "show map": a line is not "0x<address> <key> <value>"/);
	});
});

describe('mapNamesOf', () => {
	it('lists the maps the converters name, as written, each once', () => {
		const sections = parseConfig(
			[
				'frontend fe',
				'    bind :80',
				'    use_backend %[req.hdr(host),lower,map(/etc/haproxy/hosts.map,web)]',
				'    http-request redirect location %[path,map_str(file@redirects.map)] if { path,map_beg(virt@dyn) -m found }',
				'    use_backend %[base,map_sub_str(/etc/haproxy/hosts.map)]',
				'    http-request set-var(txn.x) req.hdr(x),map_dom(opt@extra.map,none)',
				'backend web',
				'    server s 10.0.0.1:80',
			].join('\n'),
		);
		expect(mapNamesOf(sections)).toEqual(['/etc/haproxy/hosts.map', 'file@redirects.map', 'virt@dyn', 'opt@extra.map']);
	});
});
