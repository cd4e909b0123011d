/**
 * Minimal readers of raw HAProxy replies, written independently of source/decode so that
 * integration tests compare drainboard's output with what HAProxy itself printed.
 */
export function rawServersState(reply: string): Array<Record<string, string>> {
	const lines = reply.split('\n');
	const names = lines[1]!.slice(2).split(' ');
	return lines
		.slice(2)
		.filter(Boolean)
		.map((line) => Object.fromEntries(line.split(' ').map((value, index) => [names[index]!, value])));
}

export function rawStat(reply: string): Array<Record<string, string>> {
	const lines = reply.split('\n');
	const names = lines[0]!.slice(2).split(',');
	return lines
		.slice(1)
		.filter(Boolean)
		.map((line) => Object.fromEntries(line.split(',').map((value, index) => [names[index]!, value])));
}

/** `backend/server` → admin state, from a raw `show servers state`. */
export function adminStates(reply: string): Record<string, string> {
	return Object.fromEntries(rawServersState(reply).map((row) => [`${row['be_name']}/${row['srv_name']}`, row['srv_admin_state']!]));
}
