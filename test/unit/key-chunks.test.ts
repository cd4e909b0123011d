import type {Key} from 'ink';
import {describe, expect, it} from 'vitest';
import {keypressesOf, splitKeys, unglueEscape} from '../../source/ui/key-chunks.js';

const none: Key = {
	upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
	return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
	super: false, hyper: false, capsLock: false, numLock: false,
};

describe('keys as the operator typed them', () => {
	it('reads Esc then a letter that arrived glued (Ink: Alt+letter) as Esc, then the letter', () => {
		expect(unglueEscape('y', {...none, meta: true})).toEqual([
			{input: '', key: {...none, escape: true}},
			{input: 'y', key: none},
		]);
		expect(unglueEscape('Y', {...none, meta: true, shift: true}).map((press) => [press.input, press.key.escape, press.key.shift])).toEqual([
			['', true, false],
			['Y', false, true],
		]);
	});

	it('reads Esc then Enter glued (\\x1b\\r: Ink gives no text, meta and return set) as Esc, then Enter', () => {
		expect(unglueEscape('', {...none, meta: true, return: true}).map((press) => [press.input, press.key.escape, press.key.return, press.key.meta])).toEqual([
			['', true, false, false],
			['', false, true, false],
		]);
	});

	it('leaves Esc alone, Ctrl keys and arrows as they are', () => {
		const escape = {...none, escape: true, meta: true};
		expect(unglueEscape('', escape)).toEqual([{input: '', key: escape}]);
		expect(unglueEscape('c', {...none, ctrl: true})).toEqual([{input: 'c', key: {...none, ctrl: true}}]);
		expect(unglueEscape('', {...none, upArrow: true, meta: true})).toEqual([{input: '', key: {...none, upArrow: true, meta: true}}]);
		expect(unglueEscape('j', none)).toEqual([{input: 'j', key: none}]);
	});

	it('splits keys that arrived in one chunk, Enter and Backspace included', () => {
		expect(splitKeys('jj\r', none).map((press) => press.input || (press.key.return ? '⏎' : '?'))).toEqual(['j', 'j', '⏎']);
	});

	it('gives every keypress of one input, each with every flag of a key', () => {
		expect(keypressesOf('jJ\r', none)).toEqual([
			{input: 'j', key: none},
			{input: 'J', key: {...none, shift: true}},
			{input: '', key: {...none, return: true}},
		]);
		expect(keypressesOf('q', {...none, meta: true}).map((press) => [press.input, press.key.escape])).toEqual([
			['', true],
			['q', false],
		]);
	});
});
