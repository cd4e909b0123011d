import {afterEach, describe, expect, it} from 'vitest';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {ReadArena} from '../../source/runtime/read-arena.js';
import {sendLineStream} from '../../source/runtime/transport.js';
import {startLocalSocket, type LocalSocket} from '../helpers/local-socket.js';

let local: LocalSocket | undefined;
afterEach(async () => {
	await local?.close();
	local = undefined;
});

describe('ReadArena', () => {
	it('hands out regions one after another, and a new larger buffer once full, leaving what was read in place', () => {
		const arena = new ReadArena(65_536 * 2);
		const chunks: Buffer[] = [];
		for (let read = 0; read < 6; read++) {
			const region = arena.next();
			region.fill(read, 0, 40_000);
			chunks.push(arena.take(40_000));
		}

		// Three reads fit in 128 KiB with a full read's room left after two: the third starts a new buffer.
		expect(chunks[1]!.buffer).toBe(chunks[0]!.buffer);
		expect(chunks[1]!.byteOffset).toBe(chunks[0]!.byteOffset + 40_000);
		expect(chunks[2]!.buffer).not.toBe(chunks[1]!.buffer);
		expect(chunks[2]!.byteOffset).toBe(0);
		expect(arena.size).toBe(65_536 * 8);
		expect(chunks.map((chunk) => [chunk.length, chunk[0], chunk[39_999]])).toEqual([0, 1, 2, 3, 4, 5].map((read) => [40_000, read, read]));
	});

	it('starts over at the beginning after rewind', () => {
		const arena = new ReadArena(1_000_000);
		arena.next();
		const first = arena.take(100);
		arena.rewind().next();
		const again = arena.take(100);
		expect(again.buffer).toBe(first.buffer);
		expect(again.byteOffset).toBe(first.byteOffset);
	});
});

describe('sendLineStream into an arena', () => {
	it('gives the reply byte for byte, each chunk right after the one before, never written again', async () => {
		const reply = Buffer.from(Array.from({length: 30_000}, (_, line) => `line ${line} of a long reply\n`).join(''));
		local = await startLocalSocket((_line, socket) => {
			// In pieces, so the reply arrives in many reads.
			for (let at = 0; at < reply.length; at += 50_000) {
				socket.write(reply.subarray(at, at + 50_000));
			}

			socket.end();
		});
		const arena = new ReadArena(65_536 * 4);
		const chunks: Buffer[] = [];
		const copies: Buffer[] = [];
		await sendLineStream(
			parseEndpoint(local.path),
			'show stat',
			(chunk) => {
				chunks.push(chunk);
				copies.push(Buffer.from(chunk));
			},
			{arena},
		);
		expect(chunks.length).toBeGreaterThan(4);
		expect(Buffer.concat(chunks).equals(reply)).toBe(true);
		// What a reader kept is as it arrived, after every later read.
		expect(chunks.every((chunk, index) => chunk.equals(copies[index]!))).toBe(true);
		const gaps = chunks.slice(1).filter((chunk, index) => chunk.buffer !== chunks[index]!.buffer || chunk.byteOffset !== chunks[index]!.byteOffset + chunks[index]!.length);
		// Only where the arena moved to a larger buffer: about 800 KB read into 256 KiB, then 1 MiB.
		expect(gaps.length).toBeGreaterThan(0);
		expect(gaps.every((chunk) => chunk.byteOffset === 0)).toBe(true);
	});
});
