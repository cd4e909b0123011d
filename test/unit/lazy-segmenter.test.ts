import {afterEach, describe, expect, it} from 'vitest';
import {LazySegmenter} from '../../source/ui/text/lazy-segmenter.js';

const RealSegmenter = Intl.Segmenter;
/** Intl, with its Segmenter replaceable for the test (typed read-only). */
const intl = Intl as {Segmenter: typeof Intl.Segmenter};

afterEach(() => {
	intl.Segmenter = RealSegmenter;
});

describe('the segmenter the bundle gives its packages', () => {
	it('makes the real segmenter only at its first use, with the options it was given, and segments as it does', () => {
		const made: unknown[][] = [];
		intl.Segmenter = class extends RealSegmenter {
			constructor(...parameters: ConstructorParameters<typeof RealSegmenter>) {
				super(...parameters);
				made.push(parameters);
			}
		};
		const lazy = new LazySegmenter(undefined, {granularity: 'grapheme'});
		expect(made).toHaveLength(0);
		const text = 'e\u0301●古👨\u200D👩\u200D👧🇫🇷\r\nab';
		const segments = [...lazy.segment(text)].map(({segment, index}) => [segment, index]);
		expect(segments).toEqual([...new RealSegmenter(undefined, {granularity: 'grapheme'}).segment(text)].map(({segment, index}) => [segment, index]));
		expect(segments.map(([segment]) => segment)).toEqual(['e\u0301', '●', '古', '👨\u200D👩\u200D👧', '🇫🇷', '\r\n', 'a', 'b']);
		expect(lazy.resolvedOptions().granularity).toBe('grapheme');
		expect([...lazy.segment('again')]).toHaveLength(5);
		expect(made).toEqual([[undefined, {granularity: 'grapheme'}]]);
	});
});
