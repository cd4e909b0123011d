import {addressOf, adminWords} from '../model/describe.js';
import {differenceText, differingServers} from '../model/differences.js';
import {summarizeBackend} from '../model/server-condition.js';
import type {PoolSnapshot} from '../model/types.js';
import {visible} from '../visible-text.js';
import type {ChosenFlags} from '../runbook/come-back.js';
import type {GoneDrain} from '../runbook/lost-drain.js';
import {drainOwnerLines, type DrainOwners} from './drain-owners.js';
import {lostDrainLines, type StatusJournal} from './lost-drains.js';
import {formatTable, type Column} from './table.js';

const columns: Column[] = [
	{title: 'BACKEND/SERVER', shrink: 3, min: 16},
	{title: 'ADDRESS', shrink: 2, min: 15},
	{title: 'STATUS', shrink: 1, min: 8},
	{title: 'ADMIN', shrink: 1, min: 8},
	{title: 'WT', align: 'right'},
	{title: 'SESS', align: 'right'},
	{title: 'CHECK'},
];

/** The open maintenances of the journal whose drain HAProxy no longer shows, and what status names them with. */
type LostDrains = {lost: readonly GoneDrain[]; journal: StatusJournal; flags: ChosenFlags};

/**
 * `drainboard status` without --json: per instance, a heading and an aligned table; then the
 * differences, whose each drain is, and the open maintenances whose drain is gone.
 */
export function formatStatusTable(pool: PoolSnapshot, width: number, drains: DrainOwners = {owners: [], unread: null}, lostDrains?: LostDrains): string {
	const blocks = pool.instances.map(({instance, backends}) => {
		const heading = visible(`${instance.socket}  HAProxy ${instance.version}  pid ${instance.pid}${instance.stopping ? '  (stopping)' : ''}`);
		const rows = backends.flatMap((backend) =>
			backend.servers.map((server) => [
				`${server.backend}/${server.server}`,
				addressOf(server),
				server.status,
				[...adminWords(server), ...(server.backup ? ['backup'] : [])].join(', ') || '-',
				`${server.userWeight}`,
				`${server.currentSessions}`,
				server.checkStatus ?? '-',
			]),
		);
		const table = rows.length > 0 ? formatTable(columns, rows, width) : '(no servers)';
		// As the grid's ✗ NO SERVER SERVING: a backend whose every request fails now is said, not left to the rows.
		const empty = backends.filter((backend) => summarizeBackend(backend).noneServing).map((backend) => visible(`✗ ${backend.name} has no server serving (none up and in rotation, backups included): ${backend.mode === 'http' ? 'HAProxy answers its requests with 503' : 'HAProxy closes its new connections'}.`));
		return [heading, table, ...empty].join('\n');
	});
	const differences = [...differingServers(pool).values()].map((difference) => visible(differenceText(difference)));
	const owners = drainOwnerLines(drains, pool.instances.length > 1, width, lostDrains?.flags);
	const lost = lostDrains ? lostDrainLines(lostDrains.lost, {...lostDrains, severalInstances: pool.instances.length > 1, now: pool.takenAt, width}) : [];
	return `${[...blocks, ...(differences.length > 0 ? [differences.join('\n')] : []), ...(owners.length > 0 ? [owners.join('\n')] : []), ...(lost.length > 0 ? [lost.join('\n')] : [])].join('\n\n')}\n`;
}
