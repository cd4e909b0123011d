import type http from 'node:http';
import type http2 from 'node:http2';
import type net from 'node:net';
import type tls from 'node:tls';
import type {HostInterfaces} from '../local-address.js';
import {openConnection} from './connection.js';
import {targetUrl, type Probe, type ProbeAttempt, type ProbeTarget} from './probe.js';

const maxBodyBytes = 64 * 1024;

/** What a reply says: served below 500 (HAProxy's own 503, "no server available", is not), and by whom when it names a server. */
function judged(status: number, header: unknown, body: string, serverNames: ReadonlySet<string>): Omit<ProbeAttempt, 'ms'> {
	const named = typeof header === 'string' ? header.trim() : body.trim().split('\n', 1)[0]?.trim();
	return {ok: status > 0 && status < 500, status, servedBy: named && serverNames.has(named) ? named : null, error: status >= 500 ? `HTTP ${status}` : null};
}

/**
 * One request over HTTP/2 on a TLS stream that negotiated `h2` (a bind with `alpn h2`, which
 * `proto h2` makes the only protocol it speaks): the same request and judgement as over HTTP/1.1.
 */
async function overHttp2(client: typeof http2, socket: net.Socket, request: {path: string; host: string; timeoutMs: number; serverNames: ReadonlySet<string>; signal?: AbortSignal}): Promise<Omit<ProbeAttempt, 'ms'>> {
	return new Promise((resolve) => {
		let settled = false;
		const session = client.connect(`https://${request.host}`, {createConnection: () => socket});
		const done = (attempt: Omit<ProbeAttempt, 'ms'>) => {
			if (!settled) {
				settled = true;
				clearTimeout(timer);
				session.destroy();
				socket.destroy();
				resolve(attempt);
			}
		};

		const timer = setTimeout(() => {
			done({ok: false, status: null, servedBy: null, error: `no answer within ${request.timeoutMs / 1000} s`});
		}, request.timeoutMs);
		session.on('error', (error) => {
			done({ok: false, status: null, servedBy: null, error: error.message});
		});
		const stream = session.request({':method': 'GET', ':path': request.path, ':authority': request.host, 'user-agent': 'drainboard-probe'}, {signal: request.signal});
		let status = 0;
		let header: unknown;
		let body = '';
		stream.setEncoding('utf8');
		stream.on('response', (headers) => {
			status = Number(headers[':status'] ?? 0);
			header = headers['x-served-by'];
		});
		stream.on('data', (chunk: string) => {
			if (body.length < maxBodyBytes) {
				body += chunk;
			}
		});
		stream.on('end', () => {
			done(judged(status, header, body, request.serverNames));
		});
		stream.on('error', (error) => {
			done({ok: false, status: status || null, servedBy: null, error: error.message});
		});
		stream.end();
	});
}

/**
 * HTTP requests through the listener, one after the other, each on a new connection (so each is
 * load-balanced afresh) opened by {@link openConnection} (PROXY header, TLS with SNI), each with
 * its own timeout and the target's Host header and path. Over TLS it offers HTTP/2 and HTTP/1.1
 * (ALPN) and speaks what the bind chose. A reply below 500 counts as served; HAProxy's own 503
 * ("no server available") does not.
 */
export function httpProbe(target: ProbeTarget, options: {timeoutMs?: number; interfaces?: HostInterfaces} = {}): Probe {
	const timeoutMs = options.timeoutMs ?? 5000;
	const url = targetUrl(target);
	const hostHeader = target.host ?? `${target.address.includes(':') ? `[${target.address}]` : target.address}:${target.port}`;
	const one = async (client: typeof http, serverNames: ReadonlySet<string>, signal?: AbortSignal): Promise<ProbeAttempt> => {
		const started = performance.now();
		const elapsed = () => Math.round(performance.now() - started);
		let socket: net.Socket;
		try {
			socket = await openConnection(target, {timeoutMs, signal, interfaces: options.interfaces, ...(target.scheme === 'https' ? {alpn: ['h2', 'http/1.1']} : {})});
		} catch (error) {
			return {ok: false, status: null, servedBy: null, error: (error as Error).message, ms: elapsed()};
		}

		if ((socket as tls.TLSSocket).alpnProtocol === 'h2') {
			try {
				const attempt = await overHttp2((await import('node:http2')).default, socket, {path: target.path, host: hostHeader, timeoutMs, serverNames, signal});
				return {...attempt, ms: elapsed()};
			} catch (error) {
				socket.destroy();
				return {ok: false, status: null, servedBy: null, error: `HTTP/2: ${(error as Error).message}`, ms: elapsed()};
			}
		}

		return new Promise((resolve) => {
			const done = (attempt: Omit<ProbeAttempt, 'ms'>) => {
				socket.destroy();
				resolve({...attempt, ms: elapsed()});
			};

			let request: http.ClientRequest;
			try {
				request = client.request(
					{
						createConnection: () => socket,
						method: 'GET',
						path: target.path,
						timeout: timeoutMs,
						signal,
						headers: {host: hostHeader, 'user-agent': 'drainboard-probe', connection: 'close'},
					},
					(response) => {
						let body = '';
						response.setEncoding('utf8');
						response.on('data', (chunk: string) => {
							if (body.length < maxBodyBytes) {
								body += chunk;
							}
						});
						response.on('end', () => {
							done(judged(response.statusCode ?? 0, response.headers['x-served-by'], body, serverNames));
						});
						response.on('error', (error) => {
							done({ok: false, status: response.statusCode ?? null, servedBy: null, error: error.message});
						});
					},
				);
			} catch (error) {
				// A Host or path Node refuses to send (a control character): no request went out; said, never thrown.
				done({ok: false, status: null, servedBy: null, error: `no request sent: ${(error as Error).message}`});
				return;
			}

			request.on('timeout', () => {
				request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`));
			});
			request.on('error', (error: NodeJS.ErrnoException) => {
				done({ok: false, status: null, servedBy: null, error: error.code === 'ECONNRESET' ? 'connection closed by the listener' : error.message});
			});
			request.end();
		});
	};

	return {
		url,
		kind: 'http',
		target,
		async send(count, {signal, serverNames = []} = {}) {
			const names = new Set(serverNames);
			// Loaded at the first request, not with the app: it is not needed before.
			const client = (await import('node:http')).default;
			const attempts: ProbeAttempt[] = [];
			for (let index = 0; index < count && !signal?.aborted; index++) {
				attempts.push(await one(client, names, signal));
			}

			return attempts;
		},
	};
}
