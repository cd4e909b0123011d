import {DrainboardError} from '../errors.js';

/** Which Runtime API reply a decoder was reading. */
export type DecodedReply = 'show servers state' | 'show stat' | 'show info' | 'show proc' | 'show cli level' | 'show map';

/** HAProxy answered something that is not the documented format (garbage, truncated, unknown version). */
export class DecodeError extends DrainboardError {
	readonly reply: DecodedReply;
	readonly detail: string;

	constructor(reply: DecodedReply, detail: string) {
		super(`Could not read HAProxy's reply to "${reply}": ${detail}.`, 3);
		this.name = 'DecodeError';
		this.reply = reply;
		this.detail = detail;
	}
}

/** A short, printable excerpt of unexpected input for an error message. */
export function excerpt(text: string): string {
	// eslint-disable-next-line no-control-regex
	const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\uffff]/g, '?').replace(/\n/g, '\\n');
	return clean.length > 60 ? `"${clean.slice(0, 60)}…"` : `"${clean}"`;
}
