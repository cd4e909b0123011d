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

/** Sends bounded traffic through the real listener (never to a server's own address). */
export type Probe = {
	/** The URL traffic goes to, as shown to the operator. */
	readonly url: string;
	readonly kind: 'http' | 'tcp';
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
