/** A C `strtol`: leading white space, a sign, base 0 (0x hex, 0 octal) or 10; `end` is where it stopped. */
export function cStrtol(text: string, start: number, base: 0 | 10): {value: number; end: number} {
	let index = start;
	while (/^[ \t\n\v\f\r]$/.test(text[index] ?? '')) {
		index++;
	}

	let sign = 1;
	if (text[index] === '+' || text[index] === '-') {
		sign = text[index] === '-' ? -1 : 1;
		index++;
	}

	let radix: number = base === 0 ? 10 : base;
	if (base === 0 && text[index] === '0') {
		if ((text[index + 1] === 'x' || text[index + 1] === 'X') && /^[0-9A-Fa-f]$/.test(text[index + 2] ?? '')) {
			radix = 16;
			index += 2;
		} else {
			radix = 8;
		}
	}

	const digits = radix === 16 ? /^[0-9A-Fa-f]$/ : radix === 8 ? /^[0-7]$/ : /^[0-9]$/;
	const first = index;
	let value = 0;
	while (digits.test(text[index] ?? '')) {
		value = value * radix + Number.parseInt(text[index]!, radix);
		index++;
	}

	return index === first ? {value: 0, end: start} : {value: sign * value, end: index};
}

const versionElements = 7;
const asUnsigned = (number: number) => (number < 0 ? number + 2 ** 32 : number);

/**
 * split_version() of HAProxy's src/haproxy.c: `<a>[.<b>[.<c>[.<d>]]][-{dev,pre,rc}<f>][-*][-<g>]`
 * into seven numbers (the tag is 1 for dev, 2 for rc/pre, 3 for a release); null when HAProxy
 * would not parse it.
 */
export function splitVersion(version: string): number[] | null {
	const value = Array.from({length: versionElements}, () => 0);
	value[4] = 3;
	if (version === '') {
		return null;
	}

	let at = 0;
	for (let element = 0; element < 4; element++) {
		const {value: number, end} = cStrtol(version, at, 10);
		value[element] = asUnsigned(number);
		const stop = version[end];
		at = end + 1;
		if (stop === undefined) {
			return value;
		}

		if (stop === '-') {
			return splitTag(version, at, value);
		}

		if (stop !== '.' || element === 3) {
			return null;
		}
	}

	return null;
}

function splitTag(version: string, start: number, value: number[]): number[] | null {
	let at = start;
	if (!/^[0-9]$/.test(version[at] ?? '')) {
		const tag = version.startsWith('dev', at) ? ['dev', 1] : version.startsWith('rc', at) ? ['rc', 2] : version.startsWith('pre', at) ? ['pre', 2] : null;
		if (tag) {
			value[4] = tag[1] as number;
			at += (tag[0] as string).length;
			const {value: number, end} = cStrtol(version, at, 10);
			value[5] = asUnsigned(number);
			if (version[end] === undefined) {
				return value;
			}

			if (version[end] !== '-') {
				return null;
			}

			at = end + 1;
		}
	}

	const rest = version.slice(at);
	const dash = rest.lastIndexOf('-');
	const commit = dash === -1 ? rest : rest.slice(dash + 1);
	if (dash !== -1 && commit === '') {
		return null;
	}

	const parsed = cStrtol(commit, 0, 10);
	value[6] = parsed.end === commit.length && commit !== '' ? parsed.value : 0;
	return value;
}

/**
 * compare_current_version(): -1 when `other` is older than `current`, 0 when the same, 1 when
 * newer; -2 when `current` does not parse, -3 when `other` does not.
 */
export function compareVersion(current: string, other: string): -3 | -2 | -1 | 0 | 1 {
	const mine = splitVersion(current);
	if (!mine) {
		return -2;
	}

	const theirs = splitVersion(other);
	if (!theirs) {
		return -3;
	}

	for (let index = 0; index < versionElements; index++) {
		if (theirs[index]! < mine[index]!) {
			return -1;
		}

		if (theirs[index]! > mine[index]!) {
			return 1;
		}
	}

	return 0;
}

/** Whether `version` (as `show info` prints it) is at least `major.minor`; true when unknown. */
export function versionAtLeast(version: string | null, wanted: string): boolean {
	return version === null || compareVersion(version, wanted) <= 0;
}
