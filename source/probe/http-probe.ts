import type http from 'node:http';
import type net from 'node:net';
import type {HostInterfaces} from '../local-address.js';
import {openConnection} from './connection.js';
import {targetUrl, type Probe, type ProbeAttempt, type ProbeTarget} from './probe.js';

const maxBodyBytes = 64 * 1024;

/**
 * HTTP requests through the listener, one after the other, each on a new connection (so each is
 * load-balanced afresh) opened by {@link openConnection} (PROXY header, TLS with SNI), each with
 * its own timeout and the target's Host header and path. A reply below 500 counts as served;
 * HAProxy's own 503 ("no server available") does not.
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
			socket = await openConnection(target, {timeoutMs, signal, interfaces: options.interfaces});
		} catch (error) {
			return {ok: false, status: null, servedBy: null, error: (error as Error).message, ms: elapsed()};
		}

		return new Promise((resolve) => {
			const done = (attempt: Omit<ProbeAttempt, 'ms'>) => {
				socket.destroy();
				resolve({...attempt, ms: elapsed()});
			};

			const request = client.request(
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
						const status = response.statusCode ?? 0;
						const header = response.headers['x-served-by'];
						const named = typeof header === 'string' ? header.trim() : body.trim().split('\n', 1)[0]?.trim();
						done({
							ok: status > 0 && status < 500,
							status,
							servedBy: named && serverNames.has(named) ? named : null,
							error: status >= 500 ? `HTTP ${status}` : null,
						});
					});
					response.on('error', (error) => {
						done({ok: false, status: response.statusCode ?? null, servedBy: null, error: error.message});
					});
				},
			);
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
