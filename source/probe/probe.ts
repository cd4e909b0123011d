/** One request (or TCP connection) sent through the listener. */
export type ProbeAttempt = {
	ok: boolean;
	/** HTTP status, null for TCP or when no answer came. */
	status: number | null;
	/** The server that answered, when the reply names it (X-Served-By, or a body that is a server name). */
	servedBy: string | null;
	error: string | null;
	ms: number;
};

/**
 * Where and how a probe talks to the listener: an address of this host and a port, TLS (with
 * SNI) or not, a Host header and path for HTTP, a PROXY protocol header first when the bind
 * expects one.
 */
export type ProbeTarget = {
	scheme: 'http' | 'https' | 'tcp' | 'tls';
	/** An IP address, or a name resolved at each connection (and refused unless it is on this host). */
	address: string;
	port: number;
	/** For http/https; `/` otherwise. */
	path: string;
	/** The Host header (null: `address:port`). */
	host: string | null;
	/** The TLS server name (null: none). */
	sni: string | null;
	proxyProtocol: 'v1' | 'v2' | null;
	/** Verify the listener's certificate (off by default: the probe checks routing on this host, not TLS). */
	verifyTls: boolean;
	/** Where this target came from, for evidence (`frontend web (line 3): use_backend …`, `--url`). */
	from: string;
};

/** What the evidence says about the probe: where it went, as what, and why there. */
type ProbeEvidence = {
	url: string;
	host: string | null;
	sni: string | null;
	tls: 'none' | 'certificate not verified' | 'certificate verified';
	proxyProtocol: 'v1' | 'v2' | null;
	from: string;
};

/** Sends bounded traffic through the real listener (never to a server's own address, never off this host). */
export type Probe = {
	/** The URL traffic goes to, as shown to the operator. */
	readonly url: string;
	readonly kind: 'http' | 'tcp';
	readonly target: ProbeTarget;
	send(count: number, options?: {signal?: AbortSignal; serverNames?: readonly string[]}): Promise<ProbeAttempt[]>;
};

/** `7/10 succeeded` and the first failure, for evidence. */
export function summarizeAttempts(attempts: readonly ProbeAttempt[]): {succeeded: number; failed: number; firstError: string | null; servedBy: Record<string, number>} {
	const servedBy: Record<string, number> = {};
	for (const attempt of attempts) {
		if (attempt.servedBy) {
			servedBy[attempt.servedBy] = (servedBy[attempt.servedBy] ?? 0) + 1;
		}
	}

	const failure = attempts.find((attempt) => !attempt.ok);
	return {
		succeeded: attempts.filter((attempt) => attempt.ok).length,
		failed: attempts.filter((attempt) => !attempt.ok).length,
		firstError: failure ? (failure.error ?? (failure.status === null ? 'no answer' : `HTTP ${failure.status}`)) : null,
		servedBy,
	};
}

/** `https://127.0.0.1:8443/cart` from a target. */
export function targetUrl(target: ProbeTarget): string {
	const address = target.address.includes(':') ? `[${target.address}]` : target.address;
	const http = target.scheme === 'http' || target.scheme === 'https';
	return `${target.scheme}://${address}:${target.port}${http ? target.path : ''}`;
}

/** The evidence a check records about its probe. */
export function probeEvidence(target: ProbeTarget): ProbeEvidence {
	const tls = target.scheme === 'https' || target.scheme === 'tls';
	return {
		url: targetUrl(target),
		host: target.scheme === 'http' || target.scheme === 'https' ? target.host : null,
		sni: tls ? target.sni : null,
		tls: tls ? (target.verifyTls ? 'certificate verified' : 'certificate not verified') : 'none',
		proxyProtocol: target.proxyProtocol,
		from: target.from,
	};
}

/** `https://127.0.0.1:8443/cart with Host shop.example.com, SNI shop.example.com, certificate not verified, PROXY v1 header`. */
export function describeProbe(target: ProbeTarget): string {
	const evidence = probeEvidence(target);
	const parts = [
		evidence.host === null ? null : `Host ${evidence.host}`,
		evidence.sni === null ? null : `SNI ${evidence.sni}`,
		// Said before any request is sent: verified is what each request will insist on, not what was seen.
		evidence.tls === 'none' ? null : evidence.tls === 'certificate verified' ? 'the certificate to be verified (--verify-tls)' : evidence.tls,
		evidence.proxyProtocol === null ? null : `a PROXY ${evidence.proxyProtocol} header first`,
	].filter((part) => part !== null);
	return parts.length === 0 ? evidence.url : `${evidence.url} with ${parts.join(', ')}`;
}
