/** The words that refer back to servers named in a list: one server is "it … is", several are "they … are". */
type ServerWords = {is: string; it: string; they: string; They: string; s: string};

/** `s` ends a verb after one server ("it stays") and nothing after several ("they stay"). */
export function wordsFor(count: number): ServerWords {
	return count === 1 ? {is: 'is', it: 'it', they: 'it', They: 'It', s: 's'} : {is: 'are', it: 'them', they: 'they', They: 'They', s: ''};
}
