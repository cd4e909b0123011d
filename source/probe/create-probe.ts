import {UsageError} from '../errors.js';
import {printable} from '../runtime/endpoint.js';
import {httpProbe} from './http-probe.js';
import type {Probe} from './probe.js';
import {tcpProbe} from './tcp-probe.js';

/** A probe for an http(s):// or tcp:// listener URL; bad URLs are exit 2. */
export function createProbe(text: string, options: {timeoutMs?: number} = {}): Probe {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new UsageError(`"${printable(text)}" is not a URL; pass the listener as --url http://127.0.0.1:80/ (or tcp://127.0.0.1:3306 for a TCP service).`);
	}

	if (url.protocol === 'tcp:') {
		const port = Number(url.port);
		if (!url.hostname || !port) {
			throw new UsageError(`"${printable(text)}" needs a host and a port, as tcp://127.0.0.1:3306.`);
		}

		return tcpProbe(url.hostname.replace(/^\[|\]$/g, ''), port, options);
	}

	return httpProbe(url, options);
}
