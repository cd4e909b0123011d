import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');

/** Real HAProxy output captured by test/fixtures/capture.ts. */
export function fixture(name: string, release = '2.6.12'): string {
	return readFileSync(path.join(root, `haproxy-${release}`, name), 'utf8');
}

/**
 * The releases whose output test/fixtures/capture.ts captured (one directory each, from Debian's
 * 2.6.12 to the builds in ../shared/haproxy), oldest first: the decoder tests read each.
 */
export const capturedReleases: readonly string[] = readdirSync(root)
	.filter((name) => name.startsWith('haproxy-'))
	.map((name) => name.slice('haproxy-'.length))
	.sort((a, b) => a.localeCompare(b, 'en', {numeric: true}));

/** The 25 `show servers state` columns of HAProxy 2.4 to 3.x, in order. */
export const serversStateColumns =
	'be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port'.split(
		' ',
	);

/** Rewrites a servers-state dump to the first `count` columns, as an older release prints it. */
export function serversStateWithColumns(dump: string, count: number): string {
	const lines = dump.split('\n');
	return lines
		.map((line, index) => {
			if (index === 0 || line === '') {
				return line;
			}

			if (index === 1) {
				return `# ${line.slice(2).split(' ').slice(0, count).join(' ')}`;
			}

			return line.split(' ').slice(0, count).join(' ');
		})
		.join('\n');
}
