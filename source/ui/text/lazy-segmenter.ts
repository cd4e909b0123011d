/**
 * `Intl.Segmenter` for the bundled packages (slice-ansi, @alcalzone/ansi-tokenize), which make
 * one when they are imported: the first Intl object of a process starts ICU, a cost of every
 * interactive start (test/bench/README.md), for segmenters the grid's own text never needs (see
 * narrow.ts). The bundle reads `Intl.Segmenter` as this class (build.mjs: `define`
 * and `inject`); the real segmenter is made at the first `segment` call.
 */
export class LazySegmenter {
	private real: Intl.Segmenter | undefined;

	constructor(
		private readonly locales?: Intl.LocalesArgument,
		private readonly options?: Intl.SegmenterOptions,
	) {}

	segment(input: string): Intl.Segments {
		return this.made().segment(input);
	}

	resolvedOptions(): Intl.ResolvedSegmenterOptions {
		return this.made().resolvedOptions();
	}

	private made(): Intl.Segmenter {
		this.real ??= new globalThis.Intl.Segmenter(this.locales, this.options);
		return this.real;
	}
}
