import {expect} from 'vitest';

/**
 * A timeout message states the time really waited, rounded to a tenth (`no answer in 1.1 s` when
 * the machine was busy). Checks each such figure in `text` is at least the timeout `seconds`, and
 * writes it as the timeout so the rest of the sentence can be compared exactly. How long past the
 * timeout it took is the machine's load, not a property of drainboard: no upper bound here.
 */
export function statedWaits(text: string, seconds: number, pattern = /(no answer in|did not answer within) (\d+(?:\.\d)?) s/g): string {
	return text.replace(pattern, (_whole, words: string, stated: string) => {
		expect(Number(stated), `stated wait in: ${text}`).toBeGreaterThanOrEqual(seconds);
		return `${words} ${seconds} s`;
	});
}
