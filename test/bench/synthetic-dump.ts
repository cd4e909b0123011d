import {serversStateColumns} from '../helpers/fixtures.js';

/** A `show servers state` + `show stat` pair for backends × servers, shaped like HAProxy 2.6 prints them. */
export function syntheticDumps(backends: number, servers: number, statHeader: string): {serversState: string; stat: string} {
	const names = statHeader.slice(2).replace(/,$/, '').split(',');
	const state: string[] = ['1', `# ${serversStateColumns.join(' ')}`];
	const stat: string[] = [statHeader];
	for (let b = 0; b < backends; b++) {
		for (let s = 0; s < servers; s++) {
			state.push(`${b + 3} backend${b} ${s + 1} srv${s} 127.0.0.1 2 0 1 1 12 15 3 4 6 0 0 0 - ${20_000 + s} - 0 0 - - 0`);
			const values: Record<string, string> = {
				pxname: `backend${b}`,
				svname: `srv${s}`,
				qcur: '0',
				scur: String(s % 3),
				stot: String(s * 11),
				status: 'UP',
				weight: '1',
				act: '1',
				bck: '0',
				lastchg: '12',
				iid: String(b + 3),
				sid: String(s + 1),
				lbtot: String(s * 11),
				type: '2',
				check_status: 'L7OK',
				check_code: '200',
				req_tot: String(s * 11),
				check_desc: 'Layer7 check passed',
				addr: `127.0.0.1:${20_000 + s}`,
				mode: 'http',
			};
			stat.push(`${names.map((name) => values[name] ?? '').join(',')},`);
		}
	}

	return {serversState: `${state.join('\n')}\n\n`, stat: `${stat.join('\n')}\n\n`};
}
