import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {sendLineBytes} from '../../source/runtime/transport.js';
import {startLocalSocket, type LocalSocket} from './local-socket.js';

/** Sets the terminal's title, clears the screen, then blinks red: what a hostile peer sends. */
export const hostileBytes = '\u001B]0;PWNED\u0007\u001B[2J\u001B[5;31m';
/**
 * Put after a server's name: the same, then DEL and a C1 CSI, which JSON.stringify leaves raw
 * (sent as UTF-8; drainboard reads names as latin1, HAProxy's names being ASCII: `Â\u009b`).
 */
export const hostileName = `${hostileBytes}\u007F\u009B`;
/** {@link hostileName} as drainboard reads it. */
export const hostileNameRead = `${hostileBytes}\u007F\u00C2\u009B`;
/** Put after each check description: the same, with a C1 CSI (8-bit) and a right-to-left override. */
export const hostileDescription = `${hostileBytes}\u009B2J\u202Edeliaf`;

/**
 * A socket in front of a real HAProxy's admin socket that passes each command on and puts
 * hostile bytes into the reply: after the version (`show info`), after one server's name (in
 * `show servers state` and `show stat` alike, so the two still match), and after every check
 * description. Everything else is HAProxy's own answer.
 */
export async function startHostileSocket(adminSocket: string, server: string): Promise<LocalSocket> {
	const admin = parseEndpoint(adminSocket);
	const name = new RegExp(`(^|[ ,])${server}(?=[ ,\\n])`, 'gm');
	return startLocalSocket((line, socket) => {
		void sendLineBytes(admin, line.trim(), {timeoutMs: 5000}).then(
			(reply) => {
				const text = reply
					.toString('utf8')
					.replace(/^(Version: .*)$/m, `$1${hostileBytes}`)
					.replace(name, `$1${server}${hostileName}`)
					.replace(/Layer[47] check passed|Layer4 connection problem/g, (description) => `${description}${hostileDescription}`);
				socket.end(Buffer.from(text, 'utf8'));
			},
			() => socket.destroy(),
		);
	});
}
