import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {configEnvironment} from '../../source/config/condition-facts.js';
import {parseLine} from '../../source/config/config-line.js';

const environment = configEnvironment(new Map([
	['LOGHOST', '10.0.0.1'],
	['EMPTY', ''],
	['LIST', 'gzip  deflate raw'],
]));
const words = (line: string) => parseLine(line, environment, {file: '/etc/haproxy/haproxy.cfg', line: 7, section: 'web'});

describe('splitting a configuration line as parse_line() does', () => {
	it('expands variables inside double quotes only', () => {
		expect(words('log "${LOGHOST}" local0').words).toEqual(['log', '10.0.0.1', 'local0']);
		expect(words('log "$LOGHOST:514" local0').words).toEqual(['log', '10.0.0.1:514', 'local0']);
		expect(words('log ${LOGHOST} local0').words).toEqual(['log', '${LOGHOST}', 'local0']);
		expect(words("log '${LOGHOST}' local0").words).toEqual(['log', '${LOGHOST}', 'local0']);
		expect(words('timeout connect "${UNSET-5s}"').words).toEqual(['timeout', 'connect', '5s']);
		expect(words('timeout connect "${LOGHOST-5s}"').words).toEqual(['timeout', 'connect', '10.0.0.1']);
		expect(words('x "${UNSET}" y').words).toEqual(['x', '', 'y']);
		expect(words('x "${EMPTY}" y').words).toEqual(['x', '', 'y']);
		expect(words('x "${.LINE}" "${.FILE}" "${.SECTION}"').words).toEqual(['x', '7', '/etc/haproxy/haproxy.cfg', 'web']);
		expect(words('x "$LOGHOST"').usedEnvironment).toBe(true);
		expect(words('x "${.LINE}"').usedEnvironment).toBe(false);
	});

	it('splits "${VAR[*]}" into words, and drops it when empty', () => {
		expect(words('compression algo "${LIST[*]}"').words).toEqual(['compression', 'algo', 'gzip', 'deflate', 'raw']);
		expect(words('compression algo "${UNSET[*]}" gzip').words).toEqual(['compression', 'algo', 'gzip']);
	});

	it('resolves quotes, backslashes and comments', () => {
		expect(words('http-response set-header X-Served-By "%s # not a comment" # a comment').words).toEqual(['http-response', 'set-header', 'X-Served-By', '%s # not a comment']);
		expect(words(String.raw`errorfile 503 /etc/a\ b.http`).words).toEqual(['errorfile', '503', '/etc/a b.http']);
		expect(words(String.raw`acl a hdr(x) -m str \x41\#`).words).toEqual(['acl', 'a', 'hdr(x)', '-m', 'str', 'A#']);
		expect(words(String.raw`x \$HOME "\$HOME" \1`).words).toEqual(['x', String.raw`\$HOME`, '$HOME', String.raw`\1`]);
		expect(words('x ""y"" \'\'').words).toEqual(['x', 'y', '']);
		expect(words('   # only a comment').words).toEqual([]);
	});

	it('reports what HAProxy refuses, and what it cannot know', () => {
		expect(words('x "open').error).toBe('an unmatched quote');
		expect(words('x "${OPEN"').error).toBe('an unmatched brace in an environment variable name');
		expect(words('x "$1"').error).toBe('a forbidden first character in an environment variable name');
		expect(words(String.raw`x \x4`).error).toBe('a truncated or invalid \\x sequence');
		expect(words('peer "${HAPROXY_LOCALPEER}" 127.0.0.1:1024').unknownVariables).toEqual(['HAPROXY_LOCALPEER']);
	});

	it('splits a line without quotes, backslashes, # or $ on blanks', () => {
		const plain = fc.stringMatching(/^[ \t]*(?:[A-Za-z0-9_.:/@(){}[\],=-]+[ \t]+)*[A-Za-z0-9_.:/@(){}[\],=-]*$/);
		fc.assert(
			fc.property(plain, (line) => {
				expect(parseLine(line).words).toEqual(line.split(/[ \t]+/).filter(Boolean));
			}),
		);
	});
});
