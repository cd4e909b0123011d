import {UsageError} from './errors.js';
import type {Flags} from './options.js';

/** What a flag takes on the command line, from the type its check in options.ts gives it. */
type FlagType<T> = [T] extends [string[]] ? 'list' : [T] extends [boolean] ? 'switch' : [T] extends [number] ? 'number' : 'text';

/**
 * The flags of the command-line contract (`--help` in cli.tsx) and what each takes. Read here
 * rather than with meow: meow and the packages it loads were most of what `drainboard --version`
 * took (test/bench/README.md).
 * The compiler holds this list to options.ts's checks: the same flags, each taking what its check expects.
 */
const flagTypes = {
	socket: 'list',
	master: 'text',
	config: 'text',
	url: 'text',
	host: 'text',
	path: 'text',
	verifyTls: 'switch',
	haproxy: 'text',
	journal: 'text',
	backend: 'text',
	proof: 'text',
	proofWindow: 'number',
	requests: 'number',
	quietTimeout: 'number',
	readyTimeout: 'number',
	timeout: 'number',
	force: 'switch',
	skipValidate: 'switch',
	dryRun: 'switch',
	allowDown: 'switch',
	takeOver: 'switch',
	json: 'switch',
	yes: 'switch',
	servers: 'text',
	exec: 'text',
} as const satisfies {[Name in keyof Flags]-?: FlagType<NonNullable<Flags[Name]>>};

type FlagName = keyof typeof flagTypes;

/** The command line read: flags by camelCase name (values still to be validated), and the words around them. */
type CommandLine = {
	flags: Partial<Record<FlagName, string | string[] | number | boolean>>;
	input: string[];
	help: boolean;
	version: boolean;
};

const camel = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
const isFlag = (name: string): name is FlagName => Object.hasOwn(flagTypes, name);

/**
 * Reads `argv` (without `node` and the script): `--name value`, `--name=value`, `--switch`,
 * `--no-switch`, `--` before words that start with a dash. A flag given without its value gets
 * an empty one (a number flag NaN), which the flag's own check then names. Unknown flags are one
 * {@link UsageError} naming them all; a flag with a value given twice (but --socket) is refused,
 * rather than one of the two silently winning.
 */
export function readCommandLine(argv: readonly string[]): CommandLine {
	const line: CommandLine = {flags: {}, input: [], help: false, version: false};
	const unknown: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const word = argv[index]!;
		if (word === '--') {
			line.input.push(...argv.slice(index + 1));
			break;
		}

		if (!word.startsWith('-') || word === '-' || /^-\d/.test(word)) {
			line.input.push(word);
			continue;
		}

		if (!word.startsWith('--')) {
			unknown.push(word);
			continue;
		}

		const equals = word.indexOf('=');
		const written = word.slice(2, equals === -1 ? undefined : equals);
		const attached = equals === -1 ? undefined : word.slice(equals + 1);
		const name = camel(written);
		if (name === 'help' || name === 'version') {
			line[name] = true;
			continue;
		}

		const positive = written.startsWith('no-') ? camel(written.slice(3)) : '';
		if (isFlag(positive) && flagTypes[positive] === 'switch' && attached === undefined) {
			line.flags[positive] = false;
			continue;
		}

		if (!isFlag(name)) {
			unknown.push(`--${written}`);
			continue;
		}

		const type = flagTypes[name];
		if (type === 'switch') {
			if (attached !== undefined && attached !== 'true' && attached !== 'false') {
				throw new UsageError(`--${written} takes no value (got "${attached}"); see drainboard --help.`);
			}

			line.flags[name] = attached !== 'false';
			continue;
		}

		if (type !== 'list' && line.flags[name] !== undefined) {
			throw new UsageError(`--${written} is given twice; give it once (only --socket repeats).`);
		}

		let value = attached;
		if (value === undefined) {
			const next = argv[index + 1];
			// The next word is this flag's value unless it is another flag.
			if (next !== undefined && !next.startsWith('--')) {
				value = next;
				index++;
			}
		}

		if (type === 'number') {
			// Written as people write numbers (10, 2.5, -1 for its check to refuse): not 1e3 or 0x10, which Number() reads but nobody means.
			line.flags[name] = value !== undefined && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
		} else if (type === 'list') {
			const list = line.flags[name];
			line.flags[name] = [...(Array.isArray(list) ? list : []), value ?? ''];
		} else {
			line.flags[name] = value ?? '';
		}
	}

	if (unknown.length > 0) {
		throw new UsageError(`Unknown option ${unknown.join(', ')}; run drainboard --help.`);
	}

	return line;
}

/**
 * The words of a command line that may not read (an unknown flag, a value given twice): each
 * known flag's value is skipped, unknown flags are taken to have none. For the `--json` object of
 * the error that a bad command line is.
 */
export function wordsOf(argv: readonly string[]): string[] {
	const words: string[] = [];
	for (let index = 0; index < argv.length; index++) {
		const word = argv[index]!;
		if (word === '--') {
			words.push(...argv.slice(index + 1));
			break;
		}

		if (!word.startsWith('--') || word.includes('=')) {
			if (!word.startsWith('-') || word === '-' || /^-\d/.test(word)) {
				words.push(word);
			}

			continue;
		}

		const name = camel(word.slice(2));
		if (isFlag(name) && flagTypes[name] !== 'switch' && !argv[index + 1]?.startsWith('--')) {
			index++;
		}
	}

	return words;
}

/** The commands of the command line; `wizard` is `drainboard [<target>]`. */
export type CommandName = 'status' | 'routes' | 'lab' | 'drain' | 'restore' | 'roll' | 'wizard';

/** Flags that choose the HAProxy instances and how long to wait for them. */
const instanceFlags = ['socket', 'master', 'config', 'timeout'] as const satisfies readonly FlagName[];
/** Flags of a maintenance (its checks, probes, journal and overrides), wherever one runs. */
const maintenanceFlags = [
	'url',
	'host',
	'path',
	'verifyTls',
	'haproxy',
	'journal',
	'proof',
	'proofWindow',
	'requests',
	'quietTimeout',
	'readyTimeout',
	'timeout',
	'force',
	'skipValidate',
	'takeOver',
	'allowDown',
] as const satisfies readonly FlagName[];

/**
 * The flags each command reads. A flag given to a command that does not read it is refused
 * (exit 2) rather than ignored: `status --exec …` or `routes --proof live` would otherwise look
 * as if they had done something. `--dry-run` is taken by the wizard only to be refused with its
 * own sentence (cli.tsx).
 */
const commandFlags: Record<CommandName, ReadonlySet<FlagName>> = {
	status: new Set([...instanceFlags, 'backend', 'json', 'journal']),
	routes: new Set([...instanceFlags, 'haproxy', 'backend', 'json']),
	// The lab brings its own HAProxy, socket and configuration.
	lab: new Set(maintenanceFlags),
	drain: new Set([...instanceFlags, ...maintenanceFlags, 'dryRun', 'json', 'yes']),
	restore: new Set([...instanceFlags, ...maintenanceFlags, 'dryRun', 'json', 'yes']),
	roll: new Set([...instanceFlags, ...maintenanceFlags, 'dryRun', 'json', 'yes', 'servers', 'exec']),
	wizard: new Set([...instanceFlags, ...maintenanceFlags, 'dryRun']),
};

const kebab = (name: string) => `--${name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;

/** Refuses (UsageError, exit 2, before anything is read or sent) the flags given that `command` does not read, naming where each belongs. */
export function refuseForeignFlags(command: CommandName, flags: CommandLine['flags']): void {
	const foreign = (Object.keys(flags) as FlagName[]).filter((name) => !commandFlags[command].has(name));
	if (foreign.length === 0) {
		return;
	}

	const where = (name: FlagName) => {
		const takers = (Object.keys(commandFlags) as CommandName[]).filter((other) => commandFlags[other].has(name) && !(other === 'wizard' && name === 'dryRun'));
		return `${kebab(name)} is for ${takers.map((taker) => (taker === 'wizard' ? 'the wizard' : taker)).join(', ')}`;
	};

	const named = command === 'wizard' ? 'the wizard' : `"${command}"`;
	throw new UsageError(`${foreign.map((name) => kebab(name)).join(', ')} ${foreign.length === 1 ? 'does' : 'do'} not apply to ${named} (${foreign.map((name) => where(name)).join('; ')}); leave ${foreign.length === 1 ? 'it' : 'them'} out.`);
}
