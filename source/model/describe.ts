import type {AdminFlag} from '../decode/labels.js';
import type {Server} from './types.js';

const shortWords: Record<AdminFlag, string> = {
	FMAINT: 'maint',
	IMAINT: 'maint (inherited)',
	CMAINT: 'disabled',
	FDRAIN: 'drain',
	IDRAIN: 'drain (inherited)',
	RMAINT: 'maint (DNS)',
	HMAINT: 'maint (FQDN)',
};

/**
 * The admin flags in short words, inherited ones naming the tracked server. `disabled` in the
 * config shows as FMAINT + CMAINT; CMAINT alone (enabled at runtime since) is not a current state.
 */
export function adminWords(server: Server): string[] {
	const configDisabled = server.adminFlags.includes('CMAINT') && server.adminFlags.includes('FMAINT');
	return server.adminFlags
		.filter((flag) => !(configDisabled && flag === 'FMAINT') && !(flag === 'CMAINT' && !configDisabled))
		.map((flag) => ((flag === 'IDRAIN' || flag === 'IMAINT') && server.tracked ? `${flag === 'IDRAIN' ? 'drain' : 'maint'} via ${trackedName(server)}` : shortWords[flag]));
}

/** The tracked server, without its backend when it is the same as the tracker's. */
function trackedName(server: Server): string {
	const tracked = server.tracked ?? '';
	return tracked.startsWith(`${server.backend}/`) ? tracked.slice(server.backend.length + 1) : tracked;
}

export function addressOf(server: Pick<Server, 'address' | 'port'>): string {
	if (server.port === null) {
		return server.address;
	}

	return server.address.includes(':') ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
}

/** Seconds since the server's state last changed, at `now` (ms since the epoch). */
export function secondsSinceChanged(server: Pick<Server, 'changedAt'>, now: number): number {
	return Math.max(0, Math.round((now - server.changedAt) / 1000));
}
