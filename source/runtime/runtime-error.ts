import {DrainboardError, type ErrorCode, type ExitCode} from '../errors.js';

/** Why a Runtime API exchange failed. */
export type RuntimeErrorKind =
	| 'socket-not-found'
	| 'not-a-socket'
	| 'connection-refused'
	| 'permission-denied'
	| 'unreachable'
	| 'timed-out'
	| 'reply-too-large'
	| 'aborted'
	| 'line-rejected'
	| 'not-admin'
	| 'unknown-command'
	| 'bad-reply'
	| 'worker-gone'
	| 'haproxy-error';

const exitCodes: Record<RuntimeErrorKind, ExitCode> = {
	'socket-not-found': 3,
	'not-a-socket': 3,
	'connection-refused': 3,
	'permission-denied': 3,
	unreachable: 3,
	'timed-out': 3,
	'reply-too-large': 3,
	aborted: 3,
	'line-rejected': 2,
	'not-admin': 3,
	'unknown-command': 3,
	'bad-reply': 3,
	'worker-gone': 3,
	'haproxy-error': 1,
};

/** A typed failure of the Runtime API, with one sentence that names the socket. */
export class RuntimeApiError extends DrainboardError {
	readonly kind: RuntimeErrorKind;
	readonly socket: string;
	/** HAProxy's own reply, when it answered with an error. */
	readonly reply: string | undefined;

	constructor(kind: RuntimeErrorKind, socket: string, sentence: string, options?: {cause?: unknown; reply?: string}) {
		super(sentence, exitCodes[kind], {cause: options?.cause, code: codeOf(kind)});
		this.name = 'RuntimeApiError';
		this.kind = kind;
		this.socket = socket;
		this.reply = options?.reply;
	}
}

/** True when the failure means HAProxy could not be reached at all (not an error reply). */
export function isUnreachable(error: unknown): boolean {
	return (
		error instanceof RuntimeApiError &&
		['socket-not-found', 'not-a-socket', 'connection-refused', 'unreachable', 'timed-out'].includes(error.kind)
	);
}

/** The `--json` error code of a kind: level for a socket below admin, usage for a line never sent, HAProxy's own error left to the caller. */
function codeOf(kind: RuntimeErrorKind): ErrorCode | undefined {
	return kind === 'not-admin' ? 'level' : kind === 'line-rejected' ? 'usage' : kind === 'haproxy-error' ? undefined : 'unreachable';
}
