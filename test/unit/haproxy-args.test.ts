import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {parseHaproxyArgs} from '../../source/config/haproxy-args.js';

const unit = readFileSync(new URL('../fixtures/configs/haproxy.service.in', import.meta.url), 'utf8');

/** The words systemd runs for ExecStart: its `$VAR`s replaced from the Environment= line and split. */
function execStart(): string[] {
	const variables = Object.fromEntries([...(/^Environment=(.*)$/m.exec(unit)?.[1] ?? '').matchAll(/"([A-Z]+)=([^"]*)"/g)].map((match) => [match[1]!, match[2]!]));
	const command = /^ExecStart=(.*)$/m.exec(unit)![1]!.replace('@SBINDIR@', '/usr/sbin');
	return command.replace(/\$([A-Z]+)/g, (_all, name: string) => variables[name] ?? '').split(/\s+/).filter(Boolean);
}

describe('reading a HAProxy command line as haproxy_init_args() does', () => {
	it('reads the one of HAProxy systemd unit: a file, then a directory, in master-worker mode', () => {
		const argv = execStart();
		expect(argv).toEqual(['/usr/sbin/haproxy', '-Ws', '-f', '/etc/haproxy/haproxy.cfg', '-f', '/etc/haproxy/conf.d', '-p', '/run/haproxy.pid', '-S', '/run/haproxy-master.sock']);
		expect(parseHaproxyArgs(argv.slice(1))).toEqual({
			configs: ['/etc/haproxy/haproxy.cfg', '/etc/haproxy/conf.d'],
			changeDir: null,
			masterWorker: true,
			mode: 'run',
			localPeer: null,
			disabled: [],
			serverSslVerifyNone: false,
		});
	});

	it.each([
		[['-f', 'a.cfg', '-f', 'conf.d/'], ['a.cfg', 'conf.d/']],
		[['-fa.cfg', 'b.cfg'], ['b.cfg']],
		[['-f=a.cfg', 'b.cfg'], ['b.cfg']],
		[['-f', '-odd.cfg'], ['-odd.cfg']],
		[['-db', '-f', 'a.cfg', '--', 'b.cfg', '-c', 'dir/'], ['a.cfg', 'b.cfg', '-c', 'dir/']],
		[['-sf', '12', '13', '-f', 'a.cfg', '-st', '14'], ['a.cfg']],
		[['-x', '/run/haproxy.sock', '-S', '/run/master.sock,level,admin', '-f', 'a.cfg'], ['a.cfg']],
		[['-L', 'lb1', '-p', '/run/h.pid', '-n', '100', '-N', '10', '-m', '512', '-f', 'a.cfg'], ['a.cfg']],
		[['-dt', 'h1', '-f', 'a.cfg'], ['a.cfg']],
		[['-q', '-D', '-4', '-V', '-W', '-f', 'a.cfg'], ['a.cfg']],
		[['-f'], []],
		[['a.cfg'], []],
	])('%j gives the files %j', (argv, configs) => {
		expect(parseHaproxyArgs(argv).configs).toEqual(configs);
	});

	it('reads -C, -L, the -d options that .if enabled() sees, and which runs only check or print', () => {
		expect(parseHaproxyArgs(['-C', '/etc/haproxy', '-L', 'lb1', '-f', 'haproxy.cfg'])).toMatchObject({changeDir: '/etc/haproxy', localPeer: 'lb1', configs: ['haproxy.cfg']});
		expect(parseHaproxyArgs(['-dS', '-de', '-dV', '-dF', '-dR', '-f', 'a.cfg'])).toMatchObject({disabled: ['SPLICE', 'EPOLL', 'FAST-FORWARD', 'REUSEPORT'], serverSslVerifyNone: true});
		expect(parseHaproxyArgs(['-c', '-f', 'a.cfg']).mode).toBe('check');
		expect(parseHaproxyArgs(['-cc', 'defined(X)', '-f', 'a.cfg'])).toMatchObject({mode: 'check', configs: ['a.cfg']});
		expect(parseHaproxyArgs(['-vv']).mode).toBe('other');
		expect(parseHaproxyArgs(['-dC', '-f', 'a.cfg']).mode).toBe('other');
		expect(parseHaproxyArgs(['-db', '-f', 'a.cfg']).mode).toBe('run');
	});
});
