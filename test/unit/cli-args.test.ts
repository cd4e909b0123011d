import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {readCommandLine, refuseForeignFlags, type CommandName} from '../../source/cli-args.js';
import {UsageError} from '../../source/errors.js';
import {parseOptions} from '../../source/options.js';

/** The sentence a command line is refused with. */
function refusal(argv: string[]): string {
	try {
		parseOptions(readCommandLine(argv).flags);
	} catch (error) {
		expect(error).toBeInstanceOf(UsageError);
		return (error as UsageError).message;
	}

	throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('reading the command line', () => {
	it('reads words, values after a space or "=", repeated sockets, kebab-case names and switches', () => {
		const line = readCommandLine(['drain', 'webapps/app01', '--socket', '/run/a.sock', '--socket=10.0.0.2:9999', '--quiet-timeout', '90', '--ready-timeout=600', '--json', '--yes']);
		expect(line.input).toEqual(['drain', 'webapps/app01']);
		expect(line.flags).toEqual({socket: ['/run/a.sock', '10.0.0.2:9999'], quietTimeout: 90, readyTimeout: 600, json: true, yes: true});
		expect(parseOptions(line.flags)).toMatchObject({socket: ['/run/a.sock', '10.0.0.2:9999'], quietTimeout: 90, readyTimeout: 600, json: true, yes: true, requests: 10, force: false});
	});

	it('takes camelCase names too, --no-<switch>, --switch=false, and words after --', () => {
		const line = readCommandLine(['--skipValidate', '--json', '--no-json', '--force=false', '--', '--looks-like-a-flag']);
		expect(line.flags).toEqual({skipValidate: true, json: false, force: false});
		expect(line.input).toEqual(['--looks-like-a-flag']);
	});

	it('keeps a value that starts with a dash but is not a flag (--timeout -1 is then refused by its check)', () => {
		expect(readCommandLine(['--timeout', '-1']).flags).toEqual({timeout: -1});
		expect(refusal(['status', '--timeout', '-1'])).toBe('--timeout must be more than 0 seconds; see drainboard --help.');
	});

	it('sees --help and --version anywhere', () => {
		expect(readCommandLine(['status', '--help'])).toMatchObject({help: true, version: false});
		expect(readCommandLine(['--version'])).toMatchObject({help: false, version: true});
	});

	it('takes --proof and --proof-window, auto and 30 s by default', () => {
		expect(parseOptions(readCommandLine([]).flags)).toMatchObject({proof: 'auto', proofWindow: 30});
		expect(parseOptions(readCommandLine(['--proof', 'live', '--proof-window=5']).flags)).toMatchObject({proof: 'live', proofWindow: 5});
	});

	it.each([
		[['--bogus', '-x', 'status'], 'Unknown option --bogus, -x; run drainboard --help.'],
		[['--socket'], '--socket needs a path or host:port; see drainboard --help.'],
		[['--config', '--json'], '--config needs a file path; see drainboard --help.'],
		[['--requests', 'many'], '--requests needs a number; see drainboard --help.'],
		[['--requests'], '--requests needs a number; see drainboard --help.'],
		[['--requests', '2.5'], '--requests needs a whole number; see drainboard --help.'],
		// Number() reads these; nobody means them.
		[['--requests', '1e3'], '--requests needs a number; see drainboard --help.'],
		[['--timeout', '0x10'], '--timeout needs a number; see drainboard --help.'],
		[['--requests', '-5'], '--requests must be at least 1; see drainboard --help.'],
		[['--json=yes'], '--json takes no value (got "yes"); see drainboard --help.'],
		[['--no-socket'], 'Unknown option --no-socket; run drainboard --help.'],
		[['--config', 'a.cfg', '--config=b.cfg'], '--config is given twice; give it once (only --socket repeats).'],
		[['--timeout', '5', '--timeout', '9'], '--timeout is given twice; give it once (only --socket repeats).'],
		[['--proof', 'sometimes'], '--proof is auto, live or probe; see drainboard --help.'],
		[['--proof'], '--proof is auto, live or probe; see drainboard --help.'],
		[['--proof-window', '0'], '--proof-window must be more than 0 seconds; see drainboard --help.'],
		[['--proof-window', 'long'], '--proof-window needs a number; see drainboard --help.'],
		[['--proof-window', '601'], '--proof-window is at most 600 seconds; see drainboard --help.'],
	])('refuses %j in one sentence', (argv, sentence) => {
		expect(refusal(argv)).toBe(sentence);
	});

	it('never throws anything but a UsageError, whatever the words', () => {
		const word = fc.oneof(fc.string({maxLength: 12}), fc.constantFrom('--socket', '--json', '--no-json', '--requests', '--timeout=', '--', '-', '-1', '--x=y', '--help'));
		fc.assert(
			fc.property(fc.array(word, {maxLength: 8}), (argv) => {
				try {
					parseOptions(readCommandLine(argv).flags);
				} catch (error) {
					return error instanceof UsageError;
				}

				return true;
			}),
		);
	});
});

describe('flags a command does not read', () => {
	const refused = (command: CommandName, argv: string[]) => {
		try {
			refuseForeignFlags(command, readCommandLine(argv).flags);
			return null;
		} catch (error) {
			expect(error).toBeInstanceOf(UsageError);
			return (error as Error).message;
		}
	};

	it('are refused, each named with the commands it is for', () => {
		expect(refused('status', ['--exec', 'x'])).toBe('--exec does not apply to "status" (--exec is for roll); leave it out.');
		expect(refused('routes', ['--proof', 'live', '--yes'])).toBe('--proof, --yes do not apply to "routes" (--proof is for lab, drain, restore, roll, the wizard; --yes is for drain, restore, roll); leave them out.');
		expect(refused('lab', ['--socket', '/run/haproxy/admin.sock'])).toBe('--socket does not apply to "lab" (--socket is for status, routes, drain, restore, roll, the wizard); leave it out.');
		expect(refused('wizard', ['--json'])).toBe('--json does not apply to the wizard (--json is for status, routes, drain, restore, roll); leave it out.');
		expect(refused('drain', ['--servers', 'a,b'])).toBe('--servers does not apply to "drain" (--servers is for roll); leave it out.');
	});

	it('a switch turned off counts as given', () => {
		expect(refused('status', ['--no-yes'])).toContain('--yes does not apply to "status"');
	});

	it('lets every flag of a command through', () => {
		expect(refused('status', ['--socket', 'a', '--socket', 'b', '--master', 'm', '--config', 'c', '--backend', 'web', '--json', '--timeout', '3'])).toBeNull();
		expect(refused('routes', ['--config', 'c', '--haproxy', '/usr/sbin/haproxy', '--backend', 'web', '--json'])).toBeNull();
		expect(refused('roll', ['--servers', 'a,b', '--exec', 'true', '--yes', '--json', '--dry-run', '--url', 'http://127.0.0.1/', '--proof', 'live', '--journal', 'j'])).toBeNull();
		expect(refused('drain', ['--allow-down', '--take-over', '--force', '--skip-validate', '--requests', '5', '--quiet-timeout', '3', '--ready-timeout', '3', '--proof-window', '5', '--verify-tls', '--host', 'h', '--path', '/p'])).toBeNull();
		expect(refused('lab', ['--haproxy', '/usr/sbin/haproxy', '--journal', 'j', '--requests', '5'])).toBeNull();
	});
});
