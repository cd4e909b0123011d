import {describe, expect, it} from 'vitest';
import {UsageError} from '../../source/errors.js';
import {formatPattern, parseTargetPattern} from '../../source/poll/target-set.js';

describe('parseTargetPattern', () => {
	it.each([
		['webapps/app01', {kind: 'one', target: {backend: 'webapps', server: 'app01'}}],
		['*/app01', {kind: 'everywhere', server: 'app01'}],
		['@10.0.0.5', {kind: 'address', address: '10.0.0.5', port: null}],
		['@10.0.0.5:8080', {kind: 'address', address: '10.0.0.5', port: 8080}],
		['@db1.example.com:5432', {kind: 'address', address: 'db1.example.com', port: 5432}],
		['@::1', {kind: 'address', address: '::1', port: null}],
		['@[::1]:80', {kind: 'address', address: '::1', port: 80}],
		['@2001:db8::5', {kind: 'address', address: '2001:db8::5', port: null}],
	])('%s', (text, pattern) => {
		const parsed = parseTargetPattern(text);
		expect(parsed).toEqual(pattern);
		expect(formatPattern(parsed)).toBe(text === '@[::1]:80' ? '@[::1]:80' : text);
	});

	it.each([['@'], ['@:8080'], ['@[:8080]'], ['@1:2:3'], ['@10.0.0.5:0'], ['@10.0.0.5:70000'], ['@a b'], ['*/'], ['*/a;b'], ['@10.0.0.5;set']])('refuses %j as invalid-name (exit 2)', (text) => {
		let error: unknown;
		try {
			parseTargetPattern(text);
		} catch (caught) {
			error = caught;
		}

		expect(error).toBeInstanceOf(UsageError);
		expect((error as UsageError).code).toBe('invalid-name');
	});
});
