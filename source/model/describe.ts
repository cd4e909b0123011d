import type {AdminFlag} from '../decode/labels.js';
import type {Server} from './types.js';

const shortWords: Record<AdminFlag, string> = {
	FMAINT: 'maint',
	IMAINT: 'maint (inherited)',
	CMAINT: 'disabled (cfg)',
	FDRAIN: 'drain',
	IDRAIN: 'drain (inherited)',
	RMAINT: 'maint (DNS)',
	HMAINT: 'maint (FQDN)',
};

/** The admin flags in short words, inherited ones naming the tracked server. */
export function adminWords(server: Server): string[] {
	const configDisabled = server.adminFlags.includes('CMAINT') && server.adminFlags.includes('FMAINT');
	return server.adminFlags
		.filter((flag) => !(configDisabled && flag === 'FMAINT'))
		.map((flag) => ((flag === 'IDRAIN' || flag === 'IMAINT') && server.tracked ? `${flag === 'IDRAIN' ? 'drain' : 'maint'} via ${server.tracked}` : shortWords[flag]));
}

export function addressOf(server: Pick<Server, 'address' | 'port'>): string {
	if (server.port === null) {
		return server.address;
	}

	return server.address.includes(':') ? `[${server.address}]:${server.port}` : `${server.address}:${server.port}`;
}
