/** `1 server`, `2 servers`, `0 servers`: a count with its noun, singular only for one. */
export function counted(count: number, noun: string, plural = `${noun}s`): string {
	return `${count} ${count === 1 ? noun : plural}`;
}

/** `a`, `a and b`, `a, b and c`: a list in a sentence. */
export function andList(items: readonly string[]): string {
	return items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}` : (items[0] ?? '');
}
