import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {parseConfig, tokenize} from '../../source/config/parse-config.js';
import {readCsvRecord} from '../../source/decode/csv.js';
import {DecodeError} from '../../source/decode/decode-error.js';
import {decodeInfo} from '../../source/decode/info.js';
import {decodeServersState} from '../../source/decode/servers-state.js';
import {decodeStat} from '../../source/decode/stat.js';
import {UsageError} from '../../source/errors.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {formatTarget, parseName, parseTarget} from '../../source/runtime/names.js';
import {fixture} from '../helpers/fixtures.js';

/** Runs `run`; anything thrown must be an instance of `allowed`. */
function onlyThrows(allowed: new (...args: never[]) => Error, run: () => unknown): boolean {
	try {
		run();
		return true;
	} catch (error) {
		return error instanceof allowed;
	}
}

const anyText = fc.oneof(fc.string({unit: 'binary', maxLength: 400}), fc.string({unit: fc.constantFrom(' ', ',', '\n', '"', '#', '1', '-', 'a', ';', '\\', '\r', '\0'), maxLength: 400}));

/** A real dump with random damage: characters replaced, lines cut short, the end truncated. */
function damaged(text: string) {
	return fc
		.tuple(fc.array(fc.tuple(fc.nat({max: text.length - 1}), fc.string({unit: 'binary', minLength: 0, maxLength: 3})), {maxLength: 6}), fc.nat({max: text.length}))
		.map(([edits, cut]) => {
			let result = text;
			for (const [at, replacement] of edits) {
				result = result.slice(0, at) + replacement + result.slice(at + 1);
			}

			return result.slice(0, Math.max(cut, Math.floor(result.length / 2)));
		});
}

const runs = {numRuns: 400};

describe('decoders never throw anything but DecodeError', () => {
	it.each([
		['show servers state', decodeServersState, fixture('servers-state.txt')],
		['show stat', (text: string) => decodeStat(text), fixture('stat.csv')],
		['show info', decodeInfo, fixture('info.txt')],
	] as const)('%s, on arbitrary and on damaged real output', (_name, decode, real) => {
		fc.assert(fc.property(anyText, (text) => onlyThrows(DecodeError, () => decode(text))), runs);
		fc.assert(fc.property(damaged(real), (text) => onlyThrows(DecodeError, () => decode(text))), runs);
	});

	it('readCsvRecord never throws and always moves forward', () => {
		fc.assert(
			fc.property(anyText, fc.nat({max: 400}), (text, start) => {
				const position = Math.min(start, text.length);
				const record = readCsvRecord(text, position);
				return record.next >= position && record.next <= text.length && (record.next > position || position === text.length);
			}),
			runs,
		);
	});
});

describe('names and sockets', () => {
	it('parseTarget accepts only HAProxy names, and gives them back unchanged', () => {
		fc.assert(
			fc.property(anyText, (text) => {
				try {
					const target = parseTarget(text);
					return formatTarget(target) === text && /^[A-Za-z0-9_.:#-]+\/[A-Za-z0-9_.:#-]+$/.test(text);
				} catch (error) {
					return error instanceof UsageError && !error.message.includes('\n');
				}
			}),
			runs,
		);
	});

	it('never lets a command separator or line break through', () => {
		const hostile = fc.tuple(fc.stringMatching(/^[A-Za-z0-9_.:-]{0,12}$/), fc.constantFrom(';', '\n', '\r', '\\', ' ', '\t', '\0', '"'), fc.stringMatching(/^[A-Za-z0-9_.:-]{0,12}$/));
		fc.assert(
			fc.property(hostile, ([before, bad, after]) => {
				expect(() => parseName(`${before}${bad}${after}`, 'server')).toThrow(UsageError);
				expect(() => parseTarget(`webapps/${before}${bad}${after}`)).toThrow(UsageError);
				return true;
			}),
			runs,
		);
	});

	it('parseEndpoint throws only UsageError', () => {
		fc.assert(fc.property(anyText, (text) => onlyThrows(UsageError, () => parseEndpoint(text))), runs);
	});
});

describe('the configuration reader', () => {
	it('never throws on any text', () => {
		fc.assert(
			fc.property(anyText, (text) => {
				parseConfig(text);
				tokenize(text);
				return true;
			}),
			runs,
		);
	});
});
