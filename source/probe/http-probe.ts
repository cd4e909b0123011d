import type https from 'node:https';
import {UsageError} from '../errors.js';
import type {Probe, ProbeAttempt} from './probe.js';

const maxBodyBytes = 64 * 1024;

type Requester = Pick<typeof https, 'request'>;

/** Loaded at the first request, not with the app: `https` and its TLS stack took ~7 ms of every start. */
async function clientFor(url: URL): Promise<Requester> {
	return url.protocol === 'https:' ? (await import('node:https')).default : (await import('node:http')).default;
}

/**
 * HTTP requests through the listener, one after the other, each on a new connection (so each is
 * load-balanced afresh), each with its own timeout. A reply below 500 counts as served;
 * HAProxy's own 503 ("no server available") does not.
 */
export function httpProbe(url: URL, options: {timeoutMs?: number} = {}): Probe {
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw new UsageError(`The URL ${url.href} is not http:// or https://; pass the listener as --url http://127.0.0.1:80/.`);
	}

	const timeoutMs = options.timeoutMs ?? 5000;
	const one = async (client: Requester, serverNames: ReadonlySet<string>, signal?: AbortSignal): Promise<ProbeAttempt> =>
		new Promise((resolve) => {
			const started = performance.now();
			const done = (attempt: Omit<ProbeAttempt, 'ms'>) => {
				resolve({...attempt, ms: Math.round(performance.now() - started)});
			};

			const request = client.request(
				url,
				{
					method: 'GET',
					agent: false,
					timeout: timeoutMs,
					signal,
					headers: {'user-agent': 'drainboard-probe', connection: 'close'},
					// The probe checks routing through the local listener, not its certificate.
					rejectUnauthorized: false,
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
				done({ok: false, status: null, servedBy: null, error: error.code === 'ECONNREFUSED' ? 'connection refused' : error.message});
			});
			request.end();
		});

	return {
		url: url.href,
		kind: 'http',
		async send(count, {signal, serverNames = []} = {}) {
			const names = new Set(serverNames);
			const client = await clientFor(url);
			const attempts: ProbeAttempt[] = [];
			for (let index = 0; index < count && !signal?.aborted; index++) {
				attempts.push(await one(client, names, signal));
			}

			return attempts;
		},
	};
}
