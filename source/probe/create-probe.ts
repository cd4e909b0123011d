import net from 'node:net';
import {UsageError} from '../errors.js';
import {isLocalAddress, type HostInterfaces} from '../local-address.js';
import {printable} from '../runtime/endpoint.js';
import {notLocalSentence} from './connection.js';
import {httpProbe} from './http-probe.js';
import type {Probe, ProbeTarget} from './probe.js';
import {tcpProbe} from './tcp-probe.js';

/** How to talk to a listener besides its URL: `--host`, `--path`, `--verify-tls`, the bind's PROXY protocol. */
type ProbeSettings = {
	host?: string;
	path?: string;
	verifyTls?: boolean;
	proxyProtocol?: 'v1' | 'v2' | null;
	from?: string;
};

type ProbeOptions = {timeoutMs?: number; interfaces?: HostInterfaces};

const schemes = new Set(['http', 'https', 'tcp', 'tls']);

/**
 * A target from a URL (`--url`, or typed in the wizard): http://, https://, tcp:// or tls://, an
 * address of this host (a literal address elsewhere is refused here; a name is resolved and
 * checked at each connection). `--host` sets the Host header and the TLS server name, `--path`
 * the path. Bad input is exit 2, one sentence.
 */
export function targetFromUrl(text: string, settings: ProbeSettings = {}, interfaces?: HostInterfaces): ProbeTarget {
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw new UsageError(`"${printable(text)}" is not a URL; pass the listener as --url http://127.0.0.1:80/ (or tcp://127.0.0.1:3306 for a TCP service).`);
	}

	const scheme = url.protocol.replace(/:$/, '');
	if (!schemes.has(scheme)) {
		throw new UsageError(`The URL ${printable(url.href)} is not http://, https://, tcp:// or tls://; pass the listener as --url http://127.0.0.1:80/.`);
	}

	const address = url.hostname.replace(/^\[|\]$/g, '');
	const port = url.port === '' ? (scheme === 'http' ? 80 : scheme === 'https' ? 443 : 0) : Number(url.port);
	if (!address || !port) {
		throw new UsageError(`"${printable(text)}" needs a host and a port, as ${scheme}://127.0.0.1:3306.`);
	}

	if (net.isIP(address) !== 0 && !isLocalAddress(address, interfaces)) {
		throw new UsageError(notLocalSentence(address));
	}

	const typed = scheme as ProbeTarget['scheme'];
	const secure = typed === 'https' || typed === 'tls';
	const host = settings.host ?? null;
	return {
		scheme: typed,
		address,
		port,
		path: settings.path ?? (typed === 'http' || typed === 'https' ? `${url.pathname}${url.search}` : '/'),
		host,
		sni: secure ? (host ?? (net.isIP(address) === 0 ? address : null)) : null,
		proxyProtocol: settings.proxyProtocol ?? null,
		verifyTls: settings.verifyTls ?? false,
		from: settings.from ?? '--url',
	};
}

/** The probe for a target: HTTP for http/https, TCP (or TLS) connections for tcp/tls. */
export function probeFor(target: ProbeTarget, options: ProbeOptions = {}): Probe {
	return target.scheme === 'http' || target.scheme === 'https' ? httpProbe(target, options) : tcpProbe(target, options);
}

/** A probe for a listener URL (see {@link targetFromUrl}). */
export function createProbe(text: string, settings: ProbeSettings = {}, options: ProbeOptions = {}): Probe {
	return probeFor(targetFromUrl(text, settings, options.interfaces), options);
}
