/** Operational state of a server (srv_op_state). Maintenance forces `stopped`. */
export const opStateNames = ['stopped', 'starting', 'running', 'stopping'] as const;
export type OpStateName = (typeof opStateNames)[number];

/** Admin state bits of srv_admin_state (source/runtime/README.md, "What the admin state means"). */
export const adminFlagBits = {
	FMAINT: 0x01,
	IMAINT: 0x02,
	CMAINT: 0x04,
	FDRAIN: 0x08,
	IDRAIN: 0x10,
	RMAINT: 0x20,
	HMAINT: 0x40,
} as const;
export type AdminFlag = keyof typeof adminFlagBits;
export const adminFlagOrder = Object.keys(adminFlagBits) as AdminFlag[];

/** Any maintenance (FMAINT | IMAINT | RMAINT). */
export const anyMaintMask = 0x23;
/** Any drain (FDRAIN | IDRAIN). */
export const anyDrainMask = 0x18;

const flagSets = new Map<number, readonly AdminFlag[]>();

/** The flags of an admin state, shared and frozen: 10,000 servers need only a handful of arrays. */
export function adminFlagsOf(adminState: number): readonly AdminFlag[] {
	let flags = flagSets.get(adminState);
	if (!flags) {
		flags = Object.freeze(adminFlagOrder.filter((flag) => (adminState & adminFlagBits[flag]) !== 0));
		flagSets.set(adminState, flags);
	}

	return flags;
}

/** srv_check_status, by number. */
export const checkStatusNames = [
	'UNK',
	'INI',
	'START',
	'CHECKED',
	'HANA',
	'SOCKERR',
	'L4OK',
	'L4TOUT',
	'L4CON',
	'L6OK',
	'L6TOUT',
	'L6RSP',
	'L7TOUT',
	'L7RSP',
	'L57DATA',
	'L7OK',
	'L7OKC',
	'L7STS',
	'PROCERR',
	'PROCTOUT',
	'PROCOK',
] as const;
export type CheckStatusName = (typeof checkStatusNames)[number];

/** Check statuses that mean the last health check failed. */
export const failingCheckStatuses: ReadonlySet<string> = new Set(['HANA', 'SOCKERR', 'L4TOUT', 'L4CON', 'L6TOUT', 'L6RSP', 'L7TOUT', 'L7RSP', 'L57DATA', 'L7STS', 'PROCERR', 'PROCTOUT']);

/** Check statuses that mean the last health check passed. */
export const passingCheckStatuses: ReadonlySet<string> = new Set(['L4OK', 'L6OK', 'L7OK', 'L7OKC', 'PROCOK']);

export const checkStatusLabels: Record<CheckStatusName, string> = {
	UNK: 'unknown',
	INI: 'initializing',
	START: 'starting',
	CHECKED: 'checked',
	HANA: 'health analyze error',
	SOCKERR: 'socket error',
	L4OK: 'TCP connect passed',
	L4TOUT: 'TCP connect timed out',
	L4CON: 'TCP connection refused',
	L6OK: 'TLS handshake passed',
	L6TOUT: 'TLS timed out',
	L6RSP: 'TLS bad reply',
	L7TOUT: 'HTTP check timed out',
	L7RSP: 'HTTP bad reply',
	L57DATA: 'response data error',
	L7OK: 'HTTP check passed',
	L7OKC: 'HTTP check passed (conditionally)',
	L7STS: 'HTTP check failed: bad status',
	PROCERR: 'external check error',
	PROCTOUT: 'external check timed out',
	PROCOK: 'external check passed',
};

/** srv_check_result, by number. */
export const checkResultNames = ['unknown', 'neutral', 'failed', 'passed', 'condpass'] as const;

/** srv_check_state / srv_agent_state bits. */
export const checkStateBits = {
	INPROGRESS: 0x01,
	CONFIGURED: 0x02,
	ENABLED: 0x04,
	PAUSED: 0x08,
	AGENT: 0x10,
} as const;
