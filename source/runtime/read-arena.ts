/** The most one socket read asks for (libuv's usual suggestion). */
const readSize = 65_536;

/**
 * Consecutive regions of one large buffer, for the reads of a dump: each read lands right
 * after the one before, so a table that keeps a chunk finds the next one already beside it
 * and reads on with no copy (see `DelimitedTable`). A socket otherwise puts every read into a
 * fresh 64 KB allocation, which the table then copies: at 10,000 servers that is about 2,000
 * page faults of fresh memory per cold read, 11 µs each on a small VM.
 *
 * A region is never written twice while the arena is in use; {@link rewind} starts over for
 * the next dump, once nothing reads the regions of the last one.
 */
export class ReadArena {
	private buffer: Buffer;
	private used = 0;

	constructor(bytes: number) {
		// Unwritten pages cost nothing: room for a large dump is reserved, touched as it arrives.
		this.buffer = Buffer.allocUnsafe(Math.max(bytes, readSize));
	}

	/** Bytes this arena holds: the next dump is read into it when it is at least as large. */
	get size(): number {
		return this.buffer.length;
	}

	/** Where the next read goes: after the last one, or in a fresh buffer four times larger once this one is full. */
	next(): Buffer {
		if (this.buffer.length - this.used < readSize) {
			this.buffer = Buffer.allocUnsafe(this.buffer.length * 4);
			this.used = 0;
		}

		return this.buffer.subarray(this.used, this.used + readSize);
	}

	/** The `bytes` the read just put at the start of {@link next}'s region; the next read goes after them. */
	take(bytes: number): Buffer {
		const chunk = this.buffer.subarray(this.used, this.used + bytes);
		this.used += bytes;
		return chunk;
	}

	/** Starts over at the beginning, for the next dump: call it only once nothing reads the last one. */
	rewind(): this {
		this.used = 0;
		return this;
	}
}
