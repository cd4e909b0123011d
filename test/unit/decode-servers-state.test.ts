import {describe, expect, it} from 'vitest';
import {DecodeError} from '../../source/decode/decode-error.js';
import {adminFlagBits, adminFlagOrder} from '../../source/decode/labels.js';
import {decodeServersState} from '../../source/decode/servers-state.js';
import {capturedReleases, fixture, serversStateColumns, serversStateWithColumns} from '../helpers/fixtures.js';

const real = fixture('servers-state.txt');

describe.each(capturedReleases)('decodeServersState on real HAProxy %s output', (release) => {
	const records = decodeServersState(fixture('servers-state.txt', release));
	const byName = new Map(records.map((record) => [`${record.backend}/${record.server}`, record]));

	it('reads every server of every backend', () => {
		expect([...byName.keys()]).toEqual([
			'webapps/app01',
			'webapps/app02',
			'webapps/app03',
			'webapps/spare',
			'webapps/app01-shadow',
			'api.v2-pool/api-1.v2',
			'api.v2-pool/api:2',
			'api.v2-pool/dead',
			'tcp-svc/t1',
		]);
	});

	it('decodes a drained server into names, not numbers', () => {
		expect(byName.get('webapps/app02')).toMatchObject({
			backendId: 3,
			serverId: 2,
			address: '127.0.0.1',
			opState: 2,
			opStateName: 'running',
			adminState: 8,
			adminFlags: ['FDRAIN'],
			userWeight: 1,
			initialWeight: 1,
			checkStatusName: 'L7OK',
			checkResultName: 'passed',
			checkConfigured: true,
		});
	});

	it('decodes a config-disabled server as FMAINT + CMAINT and stopped', () => {
		expect(byName.get('webapps/app03')).toMatchObject({opState: 0, opStateName: 'stopped', adminState: 5, adminFlags: ['FMAINT', 'CMAINT']});
	});

	it('tells servers without a health check apart', () => {
		expect(byName.get('api.v2-pool/api:2')?.checkConfigured).toBe(false);
		expect(byName.get('webapps/app01-shadow')?.checkConfigured).toBe(false);
		expect(byName.get('api.v2-pool/dead')).toMatchObject({opStateName: 'stopped', checkStatusName: 'L4CON', checkResultName: 'failed'});
	});

	it('reads srv_port and treats "-" as no FQDN', () => {
		expect(byName.get('api.v2-pool/dead')).toMatchObject({port: 9, fqdn: null});
	});

	it('reads the filtered dump of one backend', () => {
		expect(decodeServersState(fixture('servers-state-webapps.txt', release)).map((record) => record.server)).toEqual(['app01', 'app02', 'app03', 'spare', 'app01-shadow']);
	});
});

describe('decodeServersState across releases', () => {
	it.each([
		['1.6/1.7', 17],
		['1.8', 19],
		['1.9/2.0', 20],
		['2.4 to 3.x', 25],
	])('reads the %s column set (%i columns) by header name', (_release, count) => {
		const dump = serversStateWithColumns(real, count);
		expect(dump.split('\n')[1]!.split(' ').length).toBe(count + 1);
		const records = decodeServersState(dump);
		expect(records).toHaveLength(9);
		expect(records[1]).toMatchObject({server: 'app02', adminFlags: ['FDRAIN'], opStateName: 'running'});
		expect(records[7]!.port).toBe(count >= 19 ? 9 : null);
	});

	it('reads columns wherever the header puts them', () => {
		const order = [...serversStateColumns].reverse();
		const dump = [
			'1',
			`# ${order.join(' ')}`,
			...real
				.split('\n')
				.slice(2)
				.filter(Boolean)
				.map((line) => {
					const fields = line.split(' ');
					return order.map((name) => fields[serversStateColumns.indexOf(name)]).join(' ');
				}),
			'',
			'',
		].join('\n');
		expect(decodeServersState(dump)).toEqual(decodeServersState(real));
	});

	it('masks check and agent state as HAProxy 2.7+ does', () => {
		const row = '3 be 1 s1 10.0.0.1 2 0 1 1 5 15 3 4 22 63 0 0 - 80 - 0 0 - - 0';
		const [record] = decodeServersState(`1\n# ${serversStateColumns.join(' ')}\n${row}\n\n`);
		expect(record).toMatchObject({checkState: 0x06, agentState: 0x1f, checkConfigured: true, agentConfigured: true});
	});
});

describe('admin bits', () => {
	it.each(adminFlagOrder.map((flag) => [flag, adminFlagBits[flag]] as const))('decodes %s (0x%s) alone', (flag, bit) => {
		const row = `3 be 1 s1 10.0.0.1 2 ${bit} 1 1 5 15 3 4 6 0 0 0 - 80 - 0 0 - - 0`;
		const [record] = decodeServersState(`1\n# ${serversStateColumns.join(' ')}\n${row}\n\n`);
		expect(record!.adminFlags).toEqual([flag]);
		expect(record!.adminState).toBe(bit);
	});

	it('decodes every bit at once in a stable order', () => {
		const row = '3 be 1 s1 10.0.0.1 0 127 1 1 5 15 3 4 6 0 0 0 - 80 - 0 0 - - 0';
		const [record] = decodeServersState(`1\n# ${serversStateColumns.join(' ')}\n${row}\n\n`);
		expect(record!.adminFlags).toEqual(['FMAINT', 'IMAINT', 'CMAINT', 'FDRAIN', 'IDRAIN', 'RMAINT', 'HMAINT']);
	});
});

describe('decodeServersState on bad input', () => {
	const header = `1\n# ${serversStateColumns.join(' ')}\n`;
	it.each([
		['an empty reply', '', /empty/],
		['an error reply', "Can't find backend.\n\n", /format version 1/],
		['another format version', '2\n# be_id\n\n', /format version 1/],
		['a missing header', '1\n3 be 1 s1\n\n', /header/],
		['a header without required columns', '1\n# be_id be_name srv_id\n\n', /lacks srv_name/],
		['a row cut short', `${header}3 webapps 1 app01 127.0.0.1 2 0`, /line 3 is cut short \(truncated\)/],
		['a dump without its closing empty line', `${header}3 webapps 1 app01 127.0.0.1 2 0 1 1 2 15 3 4 6 0 0 0 - 80 - 0 0 - - 0\n`, /truncated/],
		['text where a number belongs', `${header}3 webapps 1 app01 127.0.0.1 2 x 1 1 2 15 3 4 6 0 0 0 - 80 - 0 0 - - 0\n\n`, /srv_admin_state: expected an integer/],
		['an unknown op state', `${header}3 webapps 1 app01 127.0.0.1 7 0 1 1 2 15 3 4 6 0 0 0 - 80 - 0 0 - - 0\n\n`, /not a known state/],
		['binary garbage', '\u0000\u0001\u00ff\ufffd\n\n', /format version 1/],
	])('refuses %s with a typed error', (_name, input, message) => {
		expect(() => decodeServersState(input)).toThrow(DecodeError);
		expect(() => decodeServersState(input)).toThrow(message);
	});
});
