/**
 * Characters one column wide whatever the terminal, each a grapheme of its own: printable ASCII
 * and the symbols drainboard's screens use (dots, arrows, ticks, lines, the spinner's braille).
 * Text made only of these (and colour codes) is measured and cut into cells without a grapheme
 * segmenter. test/unit/string-width.test.ts holds each one to string-width's own answer.
 */
const narrowRanges: ReadonlyArray<readonly [number, number]> = [
	[0x20, 0x7e],
	[0xb5, 0xb5],
	[0xb7, 0xb7],
	[0xd7, 0xd7],
	[0x20_13, 0x20_14],
	[0x20_26, 0x20_26],
	[0x20_3a, 0x20_3a],
	[0x21_90, 0x21_93],
	[0x22_60, 0x22_60],
	[0x25_00, 0x25_00],
	[0x25_02, 0x25_02],
	[0x25_50, 0x25_50],
	[0x25_80, 0x25_8f],
	[0x25_a0, 0x25_a0],
	[0x25_b6, 0x25_b6],
	[0x25_b8, 0x25_b8],
	[0x25_cb, 0x25_cb],
	[0x25_cf, 0x25_d0],
	[0x26_a0, 0x26_a0],
	[0x27_13, 0x27_13],
	[0x27_17, 0x27_17],
	[0x28_00, 0x28_ff],
];

const hex = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;

/** Text made only of narrow characters (or nothing). */
export const narrowText = new RegExp(`^[${narrowRanges.map(([first, last]) => (first === last ? hex(first) : `${hex(first)}-${hex(last)}`)).join('')}]*$`);

const narrowCodes = new Uint8Array(0x29_00);
for (const [first, last] of narrowRanges) {
	narrowCodes.fill(1, first, last + 1);
}

/** One UTF-16 code unit that is a narrow character. */
export function isNarrow(code: number): boolean {
	return narrowCodes[code] === 1;
}
