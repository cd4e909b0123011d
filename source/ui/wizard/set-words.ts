/** The words that refer back to servers named in a list: one server is "it … is", several are "they … are". */
type ServerWords = {is: string; it: string; its: string; they: string; They: string; s: string};

/** `s` ends a verb after one server ("it stays") and nothing after several ("they stay"). */
export function wordsFor(count: number): ServerWords {
	return count === 1 ? {is: 'is', it: 'it', its: 'its', they: 'it', They: 'It', s: 's'} : {is: 'are', it: 'them', its: 'their', they: 'they', They: 'They', s: ''};
}

/** `both` for two, `all 5` for more: the whole of a maintenance of several servers. */
export function everyOne(count: number): string {
	return count === 2 ? 'both' : `all ${count}`;
}

/** {@link everyOne} at the start of a sentence: `Both`, `All 5`. */
export function EveryOne(count: number): string {
	return count === 2 ? 'Both' : `All ${count}`;
}
