import {describe, expect, it} from 'vitest';
import {DecodeError} from '../../source/decode/decode-error.js';
import {decodeInfo, releaseOf} from '../../source/decode/info.js';
import {capturedReleases, fixture} from '../helpers/fixtures.js';

describe('decodeInfo', () => {
	it('reads the real 2.6 show info', () => {
		const info = decodeInfo(fixture('info.txt'));
		expect(info.name).toBe('HAProxy');
		expect(info.version).toBe('2.6.12-1+deb12u4');
		expect(info.pid).toBeGreaterThan(0);
		expect(info.startTime).toBeGreaterThan(1_700_000_000);
		expect(info.stopping).toBe(false);
		expect(releaseOf(info.version)).toBe('2.6.12');
	});

	it.each(capturedReleases)('reads the real %s show info and its release', (release) => {
		const info = decodeInfo(fixture('info.txt', release));
		expect(info).toMatchObject({name: 'HAProxy', stopping: false});
		expect(releaseOf(info.version)).toBe(release);
	});

	it('accepts a release without Start_time_sec (before 2.4)', () => {
		expect(decodeInfo('Name: HAProxy\nVersion: 1.8.30\nPid: 12\nUptime_sec: 5\n\n')).toMatchObject({pid: 12, startTime: null, uptimeSeconds: 5});
	});

	it.each([
		['an empty reply', '', /empty/],
		['garbage', 'garbage\n\n', /no "Key: value"/],
		['a missing Pid', 'Name: HAProxy\nVersion: 2.6\n\n', /Pid is missing/],
		['a Pid that is not a number', 'Name: HAProxy\nVersion: 2.6\nPid: abc\n\n', /Pid is not valid/],
	])('refuses %s with a typed error', (_name, input, message) => {
		expect(() => decodeInfo(input)).toThrow(DecodeError);
		expect(() => decodeInfo(input)).toThrow(message);
	});
});
