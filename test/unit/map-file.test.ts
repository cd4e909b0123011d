import {mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {execFileSync} from 'node:child_process';
import {afterAll, describe, expect, it} from 'vitest';
import {maxMapBytes, parseMapText, readMapFile} from '../../source/config/map-file.js';
import {lookupEntry, mapFiles} from '../../source/config/map-files.js';
import {parseConfig} from '../../source/config/parse-config.js';

describe('a map file read as pat_ref_read_from_file_smp() reads it (src/pattern.c)', () => {
	it('takes the first word as the key and the rest of the line, trimmed, as the value; skips comments and blank lines', () => {
		const text = ['# a comment', '', '   ', '  shop.example.com\tbe_shop  ', 'key value with  spaces \t', '\tlone', ' # not a comment: a key "#"', 'crlf be_crlf\r', 'a\\ b be_escaped'].join('\n');
		expect(parseMapText(text)).toEqual([
			{key: 'shop.example.com', value: 'be_shop', line: 4},
			{key: 'key', value: 'value with  spaces', line: 5},
			{key: 'lone', value: '', line: 6},
			{key: '#', value: 'not a comment: a key "#"', line: 7},
			{key: 'crlf', value: 'be_crlf', line: 8},
			// No escapes: a backslash is a character of the key, the space ends it.
			{key: 'a\\', value: 'b be_escaped', line: 9},
		]);
	});

	it('ends a line at NUL and reads a line longer than fgets() does as two', () => {
		expect(parseMapText('k\0ey value\nnext v')).toEqual([
			{key: 'k', value: '', line: 1},
			{key: 'next', value: 'v', line: 2},
		]);
		const long = `${'a'.repeat(16_383)}b be_x\nafter v\n`;
		expect(parseMapText(long)).toEqual([
			{key: 'a'.repeat(16_383), value: '', line: 1},
			{key: 'b', value: 'be_x', line: 2},
			{key: 'after', value: 'v', line: 3},
		]);
	});
});

describe('lookups as a map makes them (case-sensitive)', () => {
	const entries = parseMapText(['/api be_api', '/api/v1/ be_v1', 'example.com be_dom', 'shop.example.com be_shop', 'shop.example.com be_second', '.net be_net'].join('\n'));
	it('str: the first equal key; beg: the longest prefix; dom, end, sub, dir: the first in file order', () => {
		expect(lookupEntry(entries, 'str', 'shop.example.com')?.value).toBe('be_shop');
		expect(lookupEntry(entries, 'str', 'Shop.example.com')).toBeUndefined();
		expect(lookupEntry(entries, 'beg', '/api/v1/users')?.value).toBe('be_v1');
		expect(lookupEntry(entries, 'beg', '/api2')?.value).toBe('be_api');
		expect(lookupEntry(entries, 'dom', 'www.example.com')?.value).toBe('be_dom');
		expect(lookupEntry(entries, 'dom', 'www.example.community')).toBeUndefined();
		expect(lookupEntry(entries, 'end', 'docs.example.net')?.value).toBe('be_net');
		expect(lookupEntry(entries, 'sub', 'x/api/v1/y')?.value).toBe('be_api');
		expect(lookupEntry(entries, 'dir', '/v2/api/x')?.value).toBe('be_api');
		expect(lookupEntry(entries, 'dir', '/apix')).toBeUndefined();
		// A key of delimiters only matches nothing (and does not loop).
		expect(lookupEntry(parseMapText('... be_dots\n'), 'dom', 'a.b')).toBeUndefined();
	});
});

describe('reading a map file from disk', () => {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-map-'));
	afterAll(() => {
		rmSync(dir, {recursive: true, force: true});
	});

	it('reads a regular file, and a link to one', () => {
		writeFileSync(path.join(dir, 'hosts.map'), 'a.example.com be_a\n');
		symlinkSync(path.join(dir, 'hosts.map'), path.join(dir, 'link.map'));
		expect(readMapFile(path.join(dir, 'link.map'))).toEqual({file: path.join(dir, 'link.map'), entries: [{key: 'a.example.com', value: 'be_a', line: 1}]});
	});

	it('reads a file whose size the file system does not tell (stat says 0, as /proc does) to its end', () => {
		const read = readMapFile('/proc/filesystems');
		expect(read).toEqual({file: '/proc/filesystems', entries: parseMapText(readFileSync('/proc/filesystems', 'latin1'))});
		expect('entries' in read && read.entries.length).toBeGreaterThan(10);
	});

	it('does not read what is not a regular file, nor more than the cap; says which file and why', () => {
		execFileSync('mkfifo', [path.join(dir, 'fifo.map')]);
		mkdirSync(path.join(dir, 'dir.map'));
		writeFileSync(path.join(dir, 'big.map'), Buffer.alloc(maxMapBytes + 1, 'a'));
		expect(readMapFile(path.join(dir, 'fifo.map'))).toEqual({file: path.join(dir, 'fifo.map'), problem: `${path.join(dir, 'fifo.map')} is not a regular file`});
		expect(readMapFile(path.join(dir, 'dir.map'))).toEqual({file: path.join(dir, 'dir.map'), problem: `${path.join(dir, 'dir.map')} is not a regular file`});
		expect(readMapFile(path.join(dir, 'big.map'))).toEqual({file: path.join(dir, 'big.map'), problem: `${path.join(dir, 'big.map')} is larger than 4 MiB, more than drainboard reads`});
		expect(readMapFile(path.join(dir, 'missing.map'))).toEqual({file: path.join(dir, 'missing.map'), problem: `${path.join(dir, 'missing.map')} cannot be read (no such file)`, missing: true});
		writeFileSync(path.join(dir, 'many.map'), '\n'.repeat(200_001));
		expect(readMapFile(path.join(dir, 'many.map'))).toMatchObject({problem: `${path.join(dir, 'many.map')} has more than 200000 lines, more than drainboard reads`});
	});

	it('resolves a relative name against HAProxy\'s working directory, default-path, or the configuration\'s directory when the first is not known', () => {
		const seen: string[] = [];
		const readFile = (file: string) => {
			seen.push(file);
			return {file, entries: []};
		};

		const plain = parseConfig('global\n    daemon\n');
		mapFiles(plain, {cwd: '/run/haproxy-cwd', readFile}).read('maps/a.map', '/etc/haproxy/haproxy.cfg');
		mapFiles(plain, {cwd: null, readFile}).read('file@maps/a.map', '/etc/haproxy/haproxy.cfg');
		mapFiles(parseConfig('global\n    default-path config\n'), {cwd: '/', readFile}).read('opt@maps/a.map', '/etc/haproxy/conf.d/web.cfg');
		mapFiles(parseConfig('global\n    default-path parent\n'), {cwd: '/', readFile}).read('a.map', '/etc/haproxy/conf.d/web.cfg');
		mapFiles(parseConfig('global\n    default-path origin /srv/lb\n'), {cwd: '/', readFile}).read('a.map', '/etc/haproxy/haproxy.cfg');
		mapFiles(plain, {cwd: '/x', readFile}).read('/abs/a.map', '/etc/haproxy/haproxy.cfg');
		expect(seen).toEqual(['/run/haproxy-cwd/maps/a.map', '/etc/haproxy/maps/a.map', '/etc/haproxy/conf.d/maps/a.map', '/etc/haproxy/a.map', '/srv/lb/a.map', '/abs/a.map']);
		expect(mapFiles(plain, {cwd: null, readFile}).read('virt@hosts', '/etc/haproxy/haproxy.cfg')).toEqual({virtual: 'map virt@hosts is a virtual one, filled at run time, not from a file'});
	});
});
