import {describe, expect, it} from 'vitest';
import {readCsvRecord} from '../../source/decode/csv.js';
import {DecodeError} from '../../source/decode/decode-error.js';
import {decodeStat} from '../../source/decode/stat.js';
import {capturedReleases, fixture} from '../helpers/fixtures.js';

const real = fixture('stat.csv');
const header = real.split('\n')[0]!;
const names = header.slice(2).replace(/,$/, '').split(',');

/** A server row of the real header with some fields set by name. */
function row(values: Record<string, string>): string {
	return `${names.map((name) => values[name] ?? '').join(',')},`;
}

describe.each(capturedReleases)('decodeStat on real HAProxy %s output', (release) => {
	const records = decodeStat(fixture('stat.csv', release));

	it('reads frontends, backends and servers with their kind', () => {
		expect(records.map((record) => `${record.proxy}/${record.service}:${record.kind}`)).toEqual([
			'web/FRONTEND:frontend',
			'webapps/app01:server',
			'webapps/app02:server',
			'webapps/app03:server',
			'webapps/spare:server',
			'webapps/app01-shadow:server',
			'webapps/BACKEND:backend',
			'api.v2-pool/api-1.v2:server',
			'api.v2-pool/api:2:server',
			'api.v2-pool/dead:server',
			'api.v2-pool/BACKEND:backend',
			'tcp-svc/FRONTEND:frontend',
			'tcp-svc/t1:server',
			'tcp-svc/BACKEND:backend',
		]);
	});

	it('reads status text, counters, backup and tracking by header name', () => {
		const byName = new Map(records.map((record) => [`${record.proxy}/${record.service}`, record]));
		expect(byName.get('webapps/app01')).toMatchObject({status: 'UP', requestsTotal: 3, currentSessions: 0, backup: false, checkStatus: 'L7OK', tracked: null, mode: 'http'});
		expect(byName.get('webapps/app02')).toMatchObject({status: 'DRAIN', requestsTotal: 0});
		expect(byName.get('webapps/spare')).toMatchObject({backup: true, active: false});
		expect(byName.get('webapps/app01-shadow')).toMatchObject({tracked: 'webapps/app01', checkStatus: null});
		expect(byName.get('api.v2-pool/api:2')).toMatchObject({status: 'no check'});
		expect(byName.get('api.v2-pool/dead')).toMatchObject({status: 'DOWN', checkStatus: 'L4CON', checkDescription: 'Layer4 connection problem'});
		expect(byName.get('tcp-svc/t1')).toMatchObject({mode: 'tcp', requestsTotal: null});
		// No `balance` line: the default is roundrobin up to 3.2, random from 3.3, which show stat
		// names `unknown` (as it does an explicit `balance random` in every release).
		expect(byName.get('webapps/BACKEND')).toMatchObject({algorithm: Number.parseFloat(release) >= 3.3 ? 'unknown' : 'roundrobin', requestsTotal: 6});
	});

	it('keeps only the kinds asked for', () => {
		expect(decodeStat(fixture('stat.csv', release), {kinds: ['server']}).every((record) => record.kind === 'server')).toBe(true);
		expect(decodeStat(fixture('stat-webapps.csv', release)).map((record) => record.service)).toEqual(['app01', 'app02', 'app03', 'spare', 'app01-shadow', 'BACKEND']);
	});
});

describe('decodeStat CSV rules', () => {
	it('reads quoted fields with commas, quotes and line breaks', () => {
		const quoted = row({pxname: 'be', svname: 's1', scur: '2', stot: '9', status: 'DOWN', type: '2', check_desc: '"Layer7 wrong status, ""503"" from\nupstream"'});
		const [record] = decodeStat(`${header}\n${quoted}\n\n`);
		expect(record).toMatchObject({proxy: 'be', service: 's1', currentSessions: 2, totalSessions: 9, checkDescription: 'Layer7 wrong status, "503" from\nupstream'});
	});

	it('strips the "* " HAProxy puts before a running check', () => {
		const [record] = decodeStat(`${header}\n${row({pxname: 'be', svname: 's1', scur: '0', stot: '0', status: 'UP', type: '2', check_status: '* L7OK'})}\n\n`);
		expect(record).toMatchObject({checkStatus: 'L7OK', checkInProgress: true});
	});

	it('finds columns that moved between releases by their names', () => {
		const shuffled = [...names].reverse();
		const values = {pxname: 'be', svname: 's1', scur: '4', stot: '10', req_tot: '7', status: 'DRAIN', type: '2', tracked: 'be/s0'};
		const line = `${shuffled.map((name) => values[name as keyof typeof values] ?? '').join(',')},`;
		const [record] = decodeStat(`# ${shuffled.join(',')},\n${line}\n\n`);
		expect(record).toMatchObject({currentSessions: 4, totalSessions: 10, requestsTotal: 7, status: 'DRAIN', tracked: 'be/s0'});
	});

	it('reads a header with columns named (null) and -, as 2.8.0 prints it', () => {
		const odd = names.map((name) => (name === 'cookie' ? '(null)' : name === 'mode' ? '-' : name));
		const values = {pxname: 'be', svname: 's1', scur: '1', stot: '5', status: 'UP', type: '2', cookie: 'x', mode: 'http'};
		const line = `${names.map((name) => values[name as keyof typeof values] ?? '').join(',')},`;
		const [record] = decodeStat(`# ${odd.join(',')},\n${line}\n\n`);
		expect(record).toMatchObject({proxy: 'be', service: 's1', status: 'UP', currentSessions: 1, mode: null});
	});

	it('refuses a header that names a column it reads twice', () => {
		const twice = `# ${names.join(',')},status,\n${row({pxname: 'be', svname: 's1', scur: '0', stot: '0', status: 'UP', type: '2'})}\n\n`;
		expect(() => decodeStat(twice)).toThrow('the header names status twice');
	});

	it('reads an old release without type, req_tot, addr or mode', () => {
		const old = '# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,';
		const [server, backend] = decodeStat(`${old}\nbe,s1,0,0,1,1,,5,0,0,,0,,0,0,0,0,UP,1,1,0,\nbe,BACKEND,0,0,1,1,,5,0,0,,0,,0,0,0,0,UP,1,1,0,\n\n`);
		expect(server).toMatchObject({kind: 'server', requestsTotal: null, mode: null, currentSessions: 1});
		expect(backend?.kind).toBe('backend');
	});

	it('reads one CSV record at a time', () => {
		expect(readCsvRecord('a,"b,c",d\nnext', 0)).toEqual({fields: ['a', 'b,c', 'd'], next: 10, complete: true});
		expect(readCsvRecord('a,"b', 0).complete).toBe(false);
	});
});

describe('decodeStat on bad input', () => {
	it.each([
		['an empty reply', '', /empty/],
		['an error reply', 'No such proxy.\n\n', /header/],
		['a header without required columns', '# pxname,svname,\n\n', /lacks scur, stot, status/],
		['a truncated row', `${header}\nwebapps,app01,0,0,0`, /line 2 is cut short \(truncated\)/],
		['a dump without its closing empty line', `${header}\n${row({pxname: 'be', svname: 's1', scur: '0', stot: '0', status: 'UP', type: '2'})}\n`, /truncated/],
		['a quoted field that never ends', `${header}\nbe,"s1,0,0\n`, /quoted field/],
		['text where a counter belongs', `${header}\n${row({pxname: 'be', svname: 's1', scur: 'lots', stot: '0', status: 'UP', type: '2'})}\n\n`, /scur: expected an integer/],
		['an unknown row type', `${header}\n${row({pxname: 'be', svname: 's1', scur: '0', stot: '0', status: 'UP', type: '9'})}\n\n`, /row type/],
		['binary garbage', '\u0000\u00ff\u0001garbage\n\n', /header/],
	])('refuses %s with a typed error', (_name, input, message) => {
		expect(() => decodeStat(input)).toThrow(DecodeError);
		expect(() => decodeStat(input)).toThrow(message);
	});
});
