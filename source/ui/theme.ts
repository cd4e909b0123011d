import process from 'node:process';
import type {Condition} from '../model/server-condition.js';

/** Colour only when the terminal may have it: NO_COLOR (any non-empty value) turns it off. */
const colorEnabled = (process.env['NO_COLOR'] ?? '') === '';

/** A colour name for Ink, or undefined when colour is off (words and symbols still show state). */
export function tint(color: string): string | undefined {
	return colorEnabled ? color : undefined;
}

/** How each server condition is shown: a symbol and a word that read without colour, and a colour. */
export const conditionStyle: Record<Condition, {symbol: string; word: string; color: string}> = {
	up: {symbol: '●', word: 'UP', color: 'green'},
	drain: {symbol: '◐', word: 'DRAIN', color: 'yellow'},
	maint: {symbol: '■', word: 'MAINT', color: 'blue'},
	down: {symbol: '✗', word: 'DOWN', color: 'red'},
	starting: {symbol: '↑', word: 'STARTING', color: 'cyan'},
	stopping: {symbol: '↓', word: 'STOPPING', color: 'yellow'},
};
