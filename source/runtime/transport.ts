import {statSync} from 'node:fs';
import net from 'node:net';
import type {Endpoint} from './endpoint.js';
import {RuntimeApiError} from './runtime-error.js';

/** Longest command line sent; HAProxy 2.6 hangs a connection forever on lines over 15360 bytes. */
export const maxLineBytes = 4096;
/** Largest reply accepted: a full `show stat` of 10,000 servers is about 5 MB. */
const defaultMaxReplyBytes = 256 * 1024 * 1024;
/**
 * Largest reply of a command that answers in a few lines (`show info`, `show cli level`, a state
 * change): each is well under 4 KB.
 */
export const shortReplyBytes = 64 * 1024;
/**
 * Longest line accepted in any reply. HAProxy builds each line of a dump in one buffer
 * (`tune.bufsize`, 16 KB by default); a longer line is not the Runtime API.
 */
const maxReplyLineBytes = 1024 * 1024;
export const defaultTimeoutMs = 5000;

export type SendOptions = {
	timeoutMs?: number;
	signal?: AbortSignal;
	/** The most bytes read for this reply (default {@link defaultMaxReplyBytes}). */
	maxReplyBytes?: number;
	/** The longest line read in this reply (default {@link maxReplyLineBytes}). */
	maxLineBytes?: number;
};

/**
 * Sends one command line in HAProxy's non-interactive mode and reads the reply until HAProxy
 * closes the connection. Never sends a line with a newline or one longer than {@link maxLineBytes};
 * never reads a reply beyond its byte cap, nor a line beyond {@link maxReplyLineBytes}.
 */
export async function sendLine(endpoint: Endpoint, line: string, options: SendOptions = {}): Promise<string> {
	return (await sendLineBytes(endpoint, line, options)).toString('utf8');
}

/** Thrown from inside {@link sendLineBytes}'s reader to end an exchange whose reply is complete. */
class ReplyComplete extends Error {}

const unknownCommand = Buffer.from('Unknown command');

/**
 * {@link sendLine}, with the reply as bytes. A reply that starts with "Unknown command" is read
 * until its closing empty line, not until the connection closes: the master CLI (haproxy -W -S),
 * given by mistake where a stats socket is meant, answers so and then keeps the connection open.
 */
export async function sendLineBytes(endpoint: Endpoint, line: string, options: SendOptions = {}): Promise<Buffer> {
	const chunks: Buffer[] = [];
	let received = 0;
	let unknown: boolean | undefined;
	try {
		await sendLineStream(
			endpoint,
			line,
			(chunk) => {
				chunks.push(chunk);
				received += chunk.length;
				// Decided on the first chunk (HAProxy writes a reply's first line whole), so a dump costs nothing more.
				unknown ??= chunk.subarray(0, unknownCommand.length).equals(unknownCommand);
				if (unknown && (chunk.length >= 2 ? chunk : Buffer.concat(chunks.slice(-2))).subarray(-2).toString('latin1') === '\n\n') {
					throw new ReplyComplete();
				}
			},
			options,
		);
	} catch (error) {
		if (!(error instanceof ReplyComplete)) {
			throw error;
		}
	}

	return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
}

/**
 * {@link sendLine}, handing each chunk of the reply to `onChunk` as it arrives, so a large dump is
 * decoded while HAProxy is still writing it. An error thrown by `onChunk` ends the exchange.
 */
export async function sendLineStream(endpoint: Endpoint, command: string, onChunk: (chunk: Buffer) => void, options: SendOptions = {}): Promise<void> {
	const line = addressed(endpoint, command);
	const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
	const maxReplyBytes = options.maxReplyBytes ?? defaultMaxReplyBytes;
	const maxLine = options.maxLineBytes ?? maxReplyLineBytes;
	if (line.includes('\n') || line.includes('\r') || line.includes('\0')) {
		throw new RuntimeApiError('line-rejected', endpoint.label, 'Refused to send a command containing a line break; nothing was sent to HAProxy.');
	}

	if (Buffer.byteLength(line) > maxLineBytes) {
		throw new RuntimeApiError('line-rejected', endpoint.label, `Refused to send a command of more than ${maxLineBytes} bytes; nothing was sent to HAProxy.`);
	}

	if (options.signal?.aborted) {
		throw aborted(endpoint);
	}

	return new Promise<void>((resolve, reject) => {
		let received = 0;
		/** Bytes of the reply's last line so far (the one not yet ended by a newline). */
		let lineBytes = 0;
		/**
		 * The longest line the chunk holds or ends, counting the line it continues; it leaves
		 * `lineBytes` at the line it starts. A chunk is searched from each end; the lines between
		 * are measured only when they could be longer than the cap (a chunk longer than it).
		 */
		const longestLine = (chunk: Buffer): number => {
			const first = chunk.indexOf(10);
			if (first === -1) {
				lineBytes += chunk.length;
				return lineBytes;
			}

			let longest = lineBytes + first;
			const last = chunk.lastIndexOf(10);
			if (last - first > maxLine) {
				for (let start = first + 1; start <= last; ) {
					const end = chunk.indexOf(10, start);
					longest = Math.max(longest, end - start);
					start = end + 1;
				}
			}

			lineBytes = chunk.length - last - 1;
			return Math.max(longest, lineBytes);
		};
		let settled = false;
		const socket =
			endpoint.kind === 'unix' ? net.createConnection({path: endpoint.path}) : net.createConnection({host: endpoint.host, port: endpoint.port});

		const finish = (error?: Error) => {
			if (settled) {
				return;
			}

			settled = true;
			clearTimeout(timer);
			options.signal?.removeEventListener('abort', onAbort);
			socket.destroy();
			if (error) {
				reject(error);
			} else {
				resolve();
			}
		};

		const onAbort = () => {
			finish(aborted(endpoint));
		};

		const started = performance.now();
		const timer = setTimeout(() => {
			// The time really waited: a busy process runs its timers late, and the message must not shorten it.
			const late = performance.now() - started - timeoutMs;
			const waited = late >= 500 ? timeoutMs + late : timeoutMs;
			finish(
				new RuntimeApiError(
					'timed-out',
					endpoint.label,
					`HAProxy at ${endpoint.label} did not answer within ${formatSeconds(waited)}; it may be overloaded or its stats socket stuck (raise --timeout, or check "stats maxconn").`,
				),
			);
		}, timeoutMs);

		options.signal?.addEventListener('abort', onAbort, {once: true});
		socket.on('connect', () => {
			if (endpoint.master) {
				// The master CLI keeps the connection open until the client has said all it will say.
				socket.end(`${line}\n`);
			} else {
				socket.write(`${line}\n`);
			}
		});
		socket.on('data', (chunk: Buffer) => {
			received += chunk.length;
			if (received > maxReplyBytes) {
				finish(
					new RuntimeApiError(
						'reply-too-large',
						endpoint.label,
						`HAProxy at ${endpoint.label} sent more than ${formatBytes(maxReplyBytes)} in reply to "${command}", far more than that command's answer; it was not read further. Check that ${endpoint.label} is HAProxy's stats socket.`,
					),
				);
				return;
			}

			if (longestLine(chunk) > maxLine) {
				finish(
					new RuntimeApiError(
						'reply-too-large',
						endpoint.label,
						`HAProxy at ${endpoint.label} sent a line of more than ${formatBytes(maxLine)} in reply to "${command}"; no HAProxy reply has lines that long, so it was not read further. Check that ${endpoint.label} is HAProxy's stats socket.`,
					),
				);
				return;
			}

			try {
				onChunk(chunk);
			} catch (error) {
				finish(error instanceof Error ? error : new Error(String(error)));
			}
		});
		socket.on('end', () => {
			finish();
		});
		socket.on('error', (error: NodeJS.ErrnoException) => {
			finish(connectionError(endpoint, error));
		});
	});
}

/**
 * The line as sent: on a master CLI worker each `;`-separated command carries `@!<pid>` (a prefix
 * covers only the command it starts). Names cannot hold `;` or `\\`, so the split is HAProxy's own.
 */
function addressed(endpoint: Endpoint, line: string): string {
	if (endpoint.worker === undefined) {
		return line;
	}

	return line
		.split(';')
		.map((command) => `@!${endpoint.worker} ${command}`)
		.join(';');
}

function aborted(endpoint: Endpoint): RuntimeApiError {
	return new RuntimeApiError('aborted', endpoint.label, `The request to HAProxy at ${endpoint.label} was cancelled.`);
}

/** Linux refuses a connection to a regular file as it does to a dead socket: the path says which. */
function isNotASocket(endpoint: Endpoint): boolean {
	try {
		return endpoint.kind === 'unix' && !statSync(endpoint.path).isSocket();
	} catch {
		return false;
	}
}

function connectionError(endpoint: Endpoint, error: NodeJS.ErrnoException): RuntimeApiError {
	const at = endpoint.label;
	const code = error.code === 'ECONNREFUSED' && isNotASocket(endpoint) ? 'ENOTSOCK' : error.code;
	switch (code) {
		case 'ENOENT': {
			const kind = endpoint.master ? 'master CLI' : 'socket';
			if (endpoint.master || endpoint.flag !== undefined) {
				// The operator named this path (--socket, --master): check it, rather than pass the flag they passed.
				const path = endpoint.kind === 'unix' ? endpoint.path : at;
				const option = endpoint.master ? `-S ${path}` : `stats socket ${path}`;
				return new RuntimeApiError('socket-not-found', at, `No HAProxy ${kind} at ${at} (the path does not exist); check the path, or that HAProxy is running with "${option}".`, {cause: error});
			}

			return new RuntimeApiError('socket-not-found', at, `No HAProxy ${kind} at ${at}; check the "stats socket" line of haproxy.cfg or pass --socket.`, {cause: error});
		}

		case 'ENOTSOCK': {
			const fix = endpoint.master || endpoint.flag !== undefined ? `check the path: it must be the socket HAProxy's ${endpoint.master ? '-S option' : '"stats socket" line'} names` : 'pass the path of HAProxy\'s "stats socket" with --socket';
			return new RuntimeApiError('not-a-socket', at, `${at} is not a socket; ${fix}.`, {cause: error});
		}

		case 'ECONNREFUSED': {
			const hint = endpoint.kind === 'unix' ? 'HAProxy is not running, or the socket file is left over from a stopped HAProxy' : 'check that HAProxy runs with a "stats socket" on that address';
			return new RuntimeApiError('connection-refused', at, `Nothing answers on ${at} (connection refused); ${hint}.`, {cause: error});
		}

		case 'EACCES':
		case 'EPERM': {
			return new RuntimeApiError(
				'permission-denied',
				at,
				`Permission denied opening ${at}; run as root or as a member of the socket's group (see "stats socket ... mode 660 group haproxy").`,
				{cause: error},
			);
		}

		default: {
			return new RuntimeApiError('unreachable', at, `Cannot reach HAProxy at ${at} (${error.code ?? error.message}); check that HAProxy runs and the socket address is right.`, {
				cause: error,
			});
		}
	}
}

/** `64 KB`, `1 MB`, `256 MB`. */
function formatBytes(bytes: number): string {
	return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}

export function formatSeconds(ms: number): string {
	const seconds = Math.round(ms / 100) / 10;
	return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}
