import dns from 'node:dns/promises';
import net from 'node:net';
import type tls from 'node:tls';
import {isLocalAddress, type HostInterfaces} from '../local-address.js';
import {printable} from '../runtime/endpoint.js';
import type {ProbeTarget} from './probe.js';
import {proxyHeader} from './proxy-header.js';

/** Why a probe will not connect to an address: it is not on this host. One sentence. */
export function notLocalSentence(address: string, resolvedFrom?: string): string {
	const shown = printable(address);
	const what = resolvedFrom === undefined ? shown : `${printable(resolvedFrom)} (${shown})`;
	return `The probe goes only to addresses of this host, and ${what} is not one; give --url an address of this host (127.0.0.1 for a wildcard bind) and the name with --host.`;
}

/**
 * The address a probe connects to: an IP address as is, a name looked up (the first answer on
 * this host). Refused, with one sentence, when it is not on this host or does not resolve.
 */
export async function localAddressOf(target: Pick<ProbeTarget, 'address'>, interfaces?: HostInterfaces): Promise<{address: string} | {refused: string}> {
	const written = target.address.replace(/^\[|\]$/g, '');
	if (net.isIP(written) !== 0) {
		return isLocalAddress(written, interfaces) ? {address: written} : {refused: notLocalSentence(written)};
	}

	const answers = await dns.lookup(written, {all: true}).catch(() => []);
	if (answers.length === 0) {
		return {refused: `${printable(written)} does not resolve here; give --url the listener's address (127.0.0.1 for a wildcard bind) and pass ${printable(written)} with --host.`};
	}

	const local = answers.find((answer) => isLocalAddress(answer.address, interfaces));
	return local ? {address: local.address} : {refused: notLocalSentence(answers[0]!.address, written)};
}

/**
 * Opens one connection the way the target says: TCP to an address of this host (checked before
 * connecting), the PROXY header first when the bind expects it (stating the connection's real
 * ends), then TLS with the SNI (certificate verified only with `verifyTls`) and the protocols
 * `alpn` offers. Resolves when the stream is ready for the request; rejects with a short reason.
 */
export async function openConnection(target: ProbeTarget, options: {timeoutMs: number; signal?: AbortSignal; interfaces?: HostInterfaces; alpn?: string[]}): Promise<net.Socket> {
	const resolved = await localAddressOf(target, options.interfaces);
	if ('refused' in resolved) {
		throw new Error(resolved.refused);
	}

	const secure = target.scheme === 'https' || target.scheme === 'tls';
	const tlsModule = secure ? (await import('node:tls')).default : undefined;
	return new Promise((resolve, reject) => {
		let settled = false;
		let stream: net.Socket | tls.TLSSocket | undefined;
		const socket = net.createConnection({host: resolved.address, port: target.port});
		const finish = (error: Error | null) => {
			if (settled) {
				return;
			}

			settled = true;
			clearTimeout(timer);
			options.signal?.removeEventListener('abort', onAbort);
			if (error) {
				stream?.destroy();
				socket.destroy();
				reject(error);
			} else {
				resolve(stream ?? socket);
			}
		};

		const onAbort = () => {
			finish(new Error('stopped'));
		};

		const timer = setTimeout(() => {
			finish(new Error(`no ${secure ? 'TLS handshake' : 'connection'} within ${options.timeoutMs / 1000} s`));
		}, options.timeoutMs);
		options.signal?.addEventListener('abort', onAbort, {once: true});
		socket.once('error', (error: NodeJS.ErrnoException) => {
			finish(new Error(error.code === 'ECONNREFUSED' ? 'connection refused' : error.message));
		});
		socket.once('connect', () => {
			if (target.proxyProtocol) {
				socket.write(
					proxyHeader(target.proxyProtocol, {
						source: socket.localAddress ?? resolved.address,
						sourcePort: socket.localPort ?? 0,
						destination: socket.remoteAddress ?? resolved.address,
						destinationPort: socket.remotePort ?? target.port,
					}),
				);
			}

			if (!tlsModule) {
				finish(null);
				return;
			}

			const secured = tlsModule.connect({
				socket,
				...(target.sni === null ? {} : {servername: target.sni}),
				host: target.sni ?? resolved.address,
				rejectUnauthorized: target.verifyTls,
				...(options.alpn ? {ALPNProtocols: options.alpn} : {}),
			});
			stream = secured;
			secured.once('secureConnect', () => {
				finish(null);
			});
			secured.once('error', (error: Error & {reason?: string}) => {
				// OpenSSL's reason only: newer Nodes (the 26 line; seen in the CI matrix) append advice
				// for Node users ("; if the root CA is installed locally, try running Node.js with
				// --use-system-ca") that means nothing to someone running drainboard.
				const reason = error.reason ?? error.message.split('\n', 1)[0]!;
				finish(new Error(`TLS: ${reason.split('; if the root CA', 1)[0]!.trim()}`));
			});
		});
	});
}
