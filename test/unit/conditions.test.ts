import {describe, expect, it} from 'vitest';
import {conditionFacts, configEnvironment} from '../../source/config/condition-facts.js';
import {evaluateCondition, hasFeature} from '../../source/config/conditions.js';
import {parseHaproxyArgs} from '../../source/config/haproxy-args.js';
import {compareVersion, splitVersion} from '../../source/config/haproxy-version.js';

/** The `Feature list` line of `haproxy -vv` of Debian bookworm's HAProxy 2.6.12. */
const debian26 =
	'-51DEGREES +ACCEPT4 +BACKTRACE -CLOSEFROM +CPU_AFFINITY +CRYPT_H -DEVICEATLAS +DL -ENGINE +EPOLL -EVPORTS +GETADDRINFO -KQUEUE +LIBCRYPT +LINUX_SPLICE +LINUX_TPROXY +LUA -MEMORY_PROFILING +NETFILTER +NS -OBSOLETE_LINKER +OPENSSL +OT -PCRE +PCRE2 +PCRE2_JIT -PCRE_JIT +POLL +PRCTL -PROCCTL +PROMEX -QUIC +RT +SLZ -STATIC_PCRE -STATIC_PCRE2 +SYSTEMD +TFO +THREAD +THREAD_DUMP +TPROXY -WURFL -ZLIB';

const facts = (version = '2.8.0-fdd8154ed', argv: string[] = []) =>
	conditionFacts({
		environment: configEnvironment(new Map([['ROLE', 'blue'], ['EMPTY', '']])),
		version,
		build: {version, features: debian26},
		args: parseHaproxyArgs(argv),
	});

/** The condition as HAProxy hands it over: the words after `.if`. */
const evaluate = (text: string, version?: string, argv?: string[]) => evaluateCondition(text.split(' ').filter(Boolean), facts(version, argv));

describe('.if conditions, evaluated as cfgcond.c does', () => {
	it.each([
		['defined(ROLE)', true],
		['defined(EMPTY)', true],
		['defined(UNDEFINED_VAR)', false],
		['!defined(UNDEFINED_VAR)', true],
		['! ! defined(ROLE)', true],
		['defined(ROLE) && defined(UNDEFINED_VAR)', false],
		['defined(ROLE) || defined(UNDEFINED_VAR)', true],
		['(defined(UNDEFINED_VAR) || 1) && !0', true],
		['defined', false],
		['streq(blue,blue)', true],
		['streq(blue, blue)', false],
		['streq("a,b",\'a,b\')', true],
		['strneq(blue,green)', true],
		['strstr(haproxy,prox)', true],
		['1', true],
		['0', false],
		['0x10', true],
		['-1', true],
		['', false],
		['version_atleast(2.8)', true],
		['version_atleast(2.8.1)', false],
		['version_atleast(2.8-dev22)', true],
		['version_before(2.9)', true],
		['version_before(2.8.0)', false],
		['version_atleast(not-a-version)', true],
		['version_before(not-a-version)', false],
		['feature(OPENSSL)', true],
		['feature(QUIC)', false],
		['feature(PCRE)', false],
		['feature(PCRE2)', true],
		['feature(SPLICE)', false],
		['feature(LINUX_SPLICE)', true],
		['feature(NOPE)', false],
		['enabled(EPOLL)', true],
		['enabled(SPLICE)', true],
		['enabled(KQUEUE)', false],
		['enabled(FAST-FORWARD)', true],
		['enabled(SERVER-SSL-VERIFY-NONE)', false],
		['enabled(NOT-AN-OPTION)', false],
	])('%s is %s', (text, value) => {
		expect(evaluate(text)).toEqual({value});
	});

	it.each([
		['defined(HAPROXY_MWORKER)', 'HAProxy sets HAPROXY_MWORKER itself, so its value is not known here'],
		['defined(ROLE) && defined(HAPROXY_LOCALPEER)', 'HAProxy sets HAPROXY_LOCALPEER itself, so its value is not known here'],
		['ssllib_name_startswith(AWS-LC)', 'ssllib_name_startswith() depends on the SSL library HAProxy runs with, which drainboard does not read'],
		['enabled(REUSEPORT)', 'HAProxy probes SO_REUSEPORT support on the kernel at start'],
		['-defined(ROLE)', "HAProxy 2.8.0-fdd8154ed cannot parse it ('-defined' is not a predicate)"],
		['defined (ROLE)', "HAProxy 2.8.0-fdd8154ed cannot parse it (unexpected character '(' at the end)"],
		['defined(ROLE', "HAProxy 2.8.0-fdd8154ed cannot parse it (a missing ')' after defined())"],
		['streq(a)', 'HAProxy 2.8.0-fdd8154ed cannot parse it (streq() needs 2 argument(s))'],
		['1abc', "HAProxy 2.8.0-fdd8154ed cannot parse it (unexpected character 'a' at the end)"],
	])('%s cannot be evaluated: %s', (text, unknown) => {
		expect(evaluate(text)).toEqual({unknown});
	});

	it('decides with what it knows, as three-valued logic (a false term ends an &&, a true one an ||)', () => {
		expect(evaluate('defined(UNDEFINED_VAR) && defined(HAPROXY_MWORKER)')).toEqual({value: false});
		expect(evaluate('defined(ROLE) || defined(HAPROXY_MWORKER)')).toEqual({value: true});
		expect(evaluate('!defined(HAPROXY_MWORKER)')).toMatchObject({unknown: expect.stringContaining('HAPROXY_MWORKER')});
	});

	it('knows the predicates of each release and the 2.4 grammar (first word only, no !, &&, ||)', () => {
		expect(evaluate('strstr(haproxy,prox)', '2.6.12-1+deb12u4')).toEqual({unknown: "HAProxy 2.6.12-1+deb12u4 cannot parse it ('strstr' is not a predicate before HAProxy 2.8)"});
		expect(evaluate('defined(ROLE) && defined(UNDEFINED_VAR)', '2.4.22')).toEqual({value: true});
		expect(evaluate('!defined(UNDEFINED_VAR)', '2.4.22')).toMatchObject({unknown: expect.stringContaining("'!defined' is not a predicate")});
		expect(evaluate('1abc', '2.4.22')).toMatchObject({unknown: expect.stringContaining("'1abc' is not a predicate")});
		expect(evaluate('defined(ROLE)trailing', '2.4.22')).toEqual({value: true});
	});

	it('answers enabled() from the command line and the global keywords read before', () => {
		expect(evaluate('enabled(SPLICE)', undefined, ['-dS', '-f', 'a.cfg'])).toEqual({value: false});
		expect(evaluate('enabled(SERVER-SSL-VERIFY-NONE)', undefined, ['-dV'])).toEqual({value: true});
		const seen = (before: Array<[string, string]>, anywhere: string[]) => ({before: new Map(before), anywhere: new Set(anywhere)});
		expect(evaluateCondition(['enabled(SPLICE)'], facts(), seen([['nosplice', '']], ['nosplice']))).toEqual({value: false});
		expect(evaluateCondition(['enabled(SPLICE)'], facts(), seen([], ['nosplice']))).toEqual({unknown: '"nosplice" further on may or may not apply at that point, depending on HAProxy\'s version and mode'});
		expect(evaluateCondition(['enabled(SERVER-SSL-VERIFY-NONE)'], facts(), seen([['ssl-server-verify', 'none']], ['ssl-server-verify']))).toEqual({value: true});
	});

	it('does not use the features of a binary of another version than the running one', () => {
		const other = conditionFacts({environment: configEnvironment(new Map()), version: '3.4.0-64a335366', build: {version: '2.6.12-1+deb12u4', features: debian26}, args: null});
		expect(evaluateCondition(['feature(OPENSSL)'], other)).toEqual({unknown: 'the haproxy binary here is 2.6.12-1+deb12u4, not the running 3.4.0-64a335366'});
	});
});

describe('versions, as split_version() and compare_current_version() read them', () => {
	it.each([
		['1.2.1-pre2', [1, 2, 1, 0, 2, 2, 0]],
		['1.2.10.1', [1, 2, 10, 1, 3, 0, 0]],
		['1.3.16-rc1', [1, 3, 16, 0, 2, 1, 0]],
		['1.5-dev18-43', [1, 5, 0, 0, 1, 18, 43]],
		['2.4-dev18-f6818d-20', [2, 4, 0, 0, 1, 18, 20]],
		['2.6.12-1+deb12u4', [2, 6, 12, 0, 3, 0, 0]],
		['3.4.0-64a335366', [3, 4, 0, 0, 3, 0, 0]],
		['3.1-dev8', [3, 1, 0, 0, 1, 8, 0]],
	])('%s is %j', (version, parts) => {
		expect(splitVersion(version)).toEqual(parts);
	});

	it('compares against the running version', () => {
		expect(['', 'x', '1.2.3.4.5'].map((version) => splitVersion(version))).toEqual([null, null, null]);
		expect(compareVersion('3.0.11', '3.1-dev8')).toBe(1);
		expect(compareVersion('3.1.0', '3.1-dev8')).toBe(-1);
		expect(compareVersion('3.1-dev8', '3.1-dev8')).toBe(0);
		expect(compareVersion('3.1-dev8', 'nonsense')).toBe(-3);
	});

	it('finds a feature only as a whole word after + or -', () => {
		expect(hasFeature('+EPOLL -KQUEUE +LINUX_SPLICE', 'SPLICE')).toBe(false);
		expect(hasFeature('+EPOLL -KQUEUE +LINUX_SPLICE', 'LINUX_SPLICE')).toBe(true);
		expect(hasFeature('EPOLL +EPOLL', 'EPOLL')).toBe(true);
		expect(hasFeature('+EPOLL', '')).toBe(false);
	});
});
