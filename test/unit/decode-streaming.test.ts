import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {decodeInfo, infoReader} from '../../source/decode/info.js';
import {decodeServersState, serverStateAt, serversStateReader} from '../../source/decode/servers-state.js';
import {decodeStat, statAt, statReader} from '../../source/decode/stat.js';
import {syntheticDumps} from '../bench/synthetic-dump.js';
import {fixture} from '../helpers/fixtures.js';

const header = fixture('stat.csv').split('\n')[0]!;
const big = syntheticDumps(60, 20, header);

/** Feeds `text` to a reader in chunks of the given sizes (cycling). */
function inChunks<T>(reader: {push(chunk: Buffer): number; finish(): T}, text: string, sizes: number[]): T {
	const bytes = Buffer.from(text);
	let position = 0;
	let index = 0;
	while (position < bytes.length) {
		const size = Math.max(1, sizes[index++ % sizes.length]!);
		reader.push(bytes.subarray(position, position + size));
		position += size;
	}

	return reader.finish();
}

describe('decoding as the bytes arrive', () => {
	it('reads 1,200 servers in any chunking exactly as from one buffer (tables grow on the way)', () => {
		const wholeStates = decodeServersState(big.serversState);
		const wholeStats = decodeStat(big.stat);
		expect(wholeStates).toHaveLength(1200);
		fc.assert(
			fc.property(fc.array(fc.integer({min: 1, max: 70_000}), {minLength: 1, maxLength: 8}), (sizes) => {
				const states = inChunks(serversStateReader(), big.serversState, sizes);
				const stats = inChunks(statReader(), big.stat, sizes);
				expect(Array.from({length: states.rows}, (_, row) => serverStateAt(states, row))).toEqual(wholeStates);
				expect(Array.from({length: stats.rows}, (_, row) => statAt(stats, row))).toEqual(wholeStats);
				return true;
			}),
			{numRuns: 25},
		);
	});

	it('reads a quoted record split across chunks', () => {
		const names = header.slice(2).replace(/,$/, '').split(',');
		const row = `${names.map((name) => ({pxname: 'be', svname: 's1', scur: '1', stot: '2', status: 'DOWN', type: '2', check_desc: '"a, \\"quoted\\"\nvalue"'})[name] ?? '').join(',')},`.replace('\\"quoted\\"', '""quoted""');
		const text = `${header}\n${row}\n\n`;
		for (const size of [1, 7, 50, 1000]) {
			const table = inChunks(statReader(), text, [size]);
			expect(statAt(table, 0)).toMatchObject({service: 's1', currentSessions: 1, checkDescription: 'a, "quoted"\nvalue'});
		}
	});

	it('stops at the closing empty line and leaves the rest to the next reply', () => {
		const reader = serversStateReader();
		const text = Buffer.from(`${fixture('servers-state-webapps.txt')}# next reply\n`);
		expect(reader.push(text)).toBe(text.length - '# next reply\n'.length);
		expect(reader.finish().rows).toBe(5);
	});
});

describe('replies with lines that never end, and quoted records cut anywhere', () => {
	const names = header.slice(2).replace(/,$/, '').split(',');
	const quotedRow = (server: string, description: string) =>
		`${names.map((name) => ({pxname: 'be', svname: server, scur: '1', stot: '2', status: 'DOWN', type: '2', check_desc: `"${description.replaceAll('"', '""')}"`})[name] ?? '').join(',')},`;

	it('reads many quoted records, with commas, quotes and newlines, in any chunking as from one buffer', () => {
		const descriptions = Array.from({length: 40}, (_, index) => (index % 3 === 0 ? `plain ${index}` : `a, "b"\n${index}\r\nc`));
		const rows = descriptions.map((description, index) => (description.startsWith('plain') ? quotedRow(`s${index}`, description).replace(`"${description}"`, description) : quotedRow(`s${index}`, description)));
		const text = `${header}\n${rows.join('\n')}\n\n`;
		const whole = decodeStat(text);
		expect(whole.map((row) => row.checkDescription)).toEqual(descriptions);
		fc.assert(
			fc.property(fc.array(fc.integer({min: 1, max: 400}), {minLength: 1, maxLength: 6}), (sizes) => {
				const table = inChunks(statReader(), text, sizes);
				expect(Array.from({length: table.rows}, (_, row) => statAt(table, row))).toEqual(whole);
				return true;
			}),
			{numRuns: 60},
		);
	});

	it('refuses a quoted field that never closes once it is longer than any HAProxy prints', () => {
		const reader = statReader();
		reader.push(Buffer.from(`${header}\n${quotedRow('s1', 'open').replace(/"open".*$/, '"open')}`));
		const line = Buffer.alloc(64 * 1024, 'x\n');
		expect(() => {
			for (let sent = 0; sent < 2 * 1024 * 1024; sent += line.length) {
				reader.push(line);
			}
		}).toThrow('line 2 opens a quoted field longer than any HAProxy prints (more than 1 MB)');
	});

	it('reads show info cut anywhere, the closing empty line too, and leaves the next reply alone', () => {
		const info = fixture('info.txt');
		const text = `${info}1\n# be_id be_name\n`;
		fc.assert(
			fc.property(fc.array(fc.integer({min: 1, max: 300}), {minLength: 1, maxLength: 6}), (sizes) => {
				const reader = infoReader();
				const bytes = Buffer.from(text);
				let position = 0;
				let index = 0;
				let rest = '';
				while (position < bytes.length) {
					const chunk = bytes.subarray(position, position + Math.max(1, sizes[index++ % sizes.length]!));
					rest += chunk.subarray(reader.push(chunk)).toString();
					position += chunk.length;
				}

				expect(rest).toBe('1\n# be_id be_name\n');
				expect(reader.finish()).toEqual(decodeInfo(info));
				return true;
			}),
			{numRuns: 100},
		);
	});

	it('refuses a show info that never ends once it is longer than any show info', () => {
		const reader = infoReader();
		reader.push(Buffer.from('Name: HAProxy\nVersion: '));
		expect(() => {
			for (let sent = 0; sent < 1024 * 1024; sent += 1000) {
				reader.push(Buffer.alloc(1000, 'x'));
			}
		}).toThrow('the reply is longer than any "show info" (more than 64 KB without its closing empty line)');
	});

	it('reads a dump whose header arrives a byte at a time, and refuses one that never ends', () => {
		const dump = fixture('servers-state-webapps.txt');
		expect(Array.from({length: 5}, (_, row) => serverStateAt(inChunks(serversStateReader(), dump, [1]), row))).toEqual(decodeServersState(dump));
		const reader = serversStateReader();
		reader.push(Buffer.from('1\n# be_id'));
		expect(() => {
			for (let sent = 0; sent < 1024 * 1024; sent += 100) {
				reader.push(Buffer.alloc(100, ' x'));
			}
		}).toThrow('the header is longer than any HAProxy prints (not a dump)');
	});
});
