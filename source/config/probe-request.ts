/**
 * The request (or connection) a probe would send, as HAProxy's fetches see it: the facts the
 * route derivation tests every rule's condition against.
 */
export type ProbeRequest = {
	/** An HTTP request is sent (the backend is in mode http). */
	http: boolean;
	/** The probe speaks TLS. */
	tls: boolean;
	/** HAProxy ends the TLS (the bind has `ssl`); false with TLS is passthrough, where HAProxy only reads the ClientHello. */
	terminated: boolean;
	sni: string | null;
	/** The Host header sent. */
	host: string;
	path: string;
	/** The probe's own address as HAProxy sees it, and where it connects. */
	src: string;
	dst: string;
	dstPort: number;
	/** What earlier `http-request` rules made unknowable (a Host or path rewritten, a header set). */
	rewritten: Set<string>;
	/** The frontend the request comes in through (`fe_name`). */
	frontend: string;
};

/** The headers a probe sends (lower case); every other header is absent unless a rule sets it. */
export const probeHeaders = new Set(['host', 'user-agent', 'connection']);
