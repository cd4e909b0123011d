import type {PoolSnapshot, Server} from '../model/types.js';
import {formatPattern, parseTargetPattern, type TargetPattern} from '../poll/target-set.js';
import {proxyNameSchema} from '../runtime/names.js';

/** One maintenance of several servers the grid's `m` offers: its pattern and the servers it names now. */
export type MachineChoice = {
	/** The target pattern, as on the command line (`@10.0.0.5:8080`, `*\/app01`). */
	label: string;
	/** What it covers, in words. */
	what: string;
	/** `backend/server` of each server it names in HAProxy's last read (first instance), in HAProxy's order. */
	servers: string[];
};

/**
 * The maintenances of several servers that include `server`, as HAProxy last showed them (first
 * instance): every server at its address and port (the same service in several backends), every
 * server at its address (the whole machine), and every server of its name. Only the patterns that
 * name more than one server, each set once (the first, narrowest form that names it), and only
 * servers whose names can go in a command. The maintenance itself reads them again from HAProxy.
 */
export function machineChoices(pool: PoolSnapshot | null, server: Server): MachineChoice[] {
	const rows = (pool?.instances[0]?.backends ?? []).flatMap((backend) => backend.servers).filter((row) => proxyNameSchema.safeParse(row.backend).success && proxyNameSchema.safeParse(row.server).success);
	// A server HAProxy shows with no address (not resolved yet) shares no machine: `@` and `@:8080` do not read back.
	type Candidate = {pattern: TargetPattern; what: string; matches: (row: Server) => boolean};
	const candidates: Candidate[] = [
		{pattern: {kind: 'address', address: server.address, port: server.port}, what: `every server at ${server.address} port ${server.port}`, matches: (row) => row.address === server.address && row.port === server.port},
		{pattern: {kind: 'address', address: server.address, port: null}, what: `every server at ${server.address}, the whole machine`, matches: (row) => row.address === server.address},
		{pattern: {kind: 'everywhere', server: server.server}, what: `${server.server} in every backend that has one`, matches: (row) => row.server === server.server},
	];
	// HAProxy before 1.8 prints no port: no form by port then.
	const offered = server.port === null ? candidates.slice(1) : candidates;
	const seen = new Set<string>();
	const choices: MachineChoice[] = [];
	for (const candidate of offered) {
		const servers = rows.filter((row) => candidate.matches(row)).map((row) => `${row.backend}/${row.server}`);
		const key = servers.join('\n');
		const label = formatPattern(candidate.pattern);
		if (servers.length < 2 || seen.has(key) || !fitsCommandLine(label)) {
			continue;
		}

		seen.add(key);
		choices.push({label, what: candidate.what, servers});
	}

	return choices;
}

/** Whether a pattern reads back as itself (an address HAProxy shows empty, or in a form drainboard cannot take, is left out). */
function fitsCommandLine(label: string): boolean {
	try {
		return formatPattern(parseTargetPattern(label)) === label;
	} catch {
		return false;
	}
}
