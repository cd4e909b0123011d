import * as z from 'zod/mini';
import {UsageError} from './errors.js';
import {printable} from './runtime/endpoint.js';
import {watchTimes, type WatchTimes} from './watch-times.js';

const seconds = (name: string, max: number) =>
	z.number({error: `--${name} needs a number of seconds`}).check(z.positive(`--${name} must be more than 0 seconds`), z.maximum(max, `--${name} is at most ${max} seconds`));

const optionalText = (message: string) => z.optional(z.string().check(z.minLength(1, message)));

/** Every flag of the command-line contract, validated. */
const flagsSchema = z.object({
	socket: z._default(z.array(z.string().check(z.minLength(1, '--socket needs a path or host:port'))), []),
	master: optionalText('--master needs the path of the master CLI socket'),
	config: optionalText('--config needs a file path'),
	url: optionalText('--url needs a URL'),
	host: z.optional(z.string().check(z.regex(/^(?:[A-Za-z0-9_~-][A-Za-z0-9._~-]*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$/, '--host needs a host name, such as shop.example.com'))),
	// eslint-disable-next-line no-control-regex -- a path with control characters is refused
	path: z.optional(z.string().check(z.regex(/^\/[^\s\u0000-\u001f\u007f]*$/, '--path needs a path starting with /, such as /health'))),
	verifyTls: z._default(z.boolean(), false),
	haproxy: optionalText('--haproxy needs the path of the haproxy binary'),
	journal: optionalText('--journal needs a file path'),
	backend: z.optional(z.string()),
	proof: z._default(z.enum(['auto', 'live', 'probe'], {error: '--proof is auto, live or probe'}), 'auto'),
	proofWindow: z._default(seconds('proof-window', 600), 30),
	requests: z._default(z.int({error: '--requests needs a whole number'}).check(z.minimum(1, '--requests must be at least 1'), z.maximum(1000, '--requests is at most 1000')), 10),
	quietTimeout: z._default(seconds('quiet-timeout', 86_400), 60),
	readyTimeout: z._default(seconds('ready-timeout', 86_400), 300),
	timeout: z._default(seconds('timeout', 600), 5),
	force: z._default(z.boolean(), false),
	skipValidate: z._default(z.boolean(), false),
	dryRun: z._default(z.boolean(), false),
	allowDown: z._default(z.boolean(), false),
	takeOver: z._default(z.boolean(), false),
	json: z._default(z.boolean(), false),
	yes: z._default(z.boolean(), false),
	servers: z.optional(z.string().check(z.regex(/^[^,\s]+(?:,[^,\s]+)*$/, '--servers needs server names separated by commas, such as app01,app02'))),
	exec: optionalText('--exec needs a shell command, such as --exec "systemctl restart app"'),
});

/** The flags of the command line, validated. */
export type Flags = z.output<typeof flagsSchema>;

/** Every flag's value when it is not given. */
export const flagDefaults: Flags = flagsSchema.parse({});

/** The flags, and the watch times from the environment (watch-times.ts), each read once. */
export type Options = Flags & {watchTimes: WatchTimes};

/** Validates the flags read from the command line; a bad value is exit 2 with one sentence. */
export function parseOptions(flags: Record<string, unknown>): Options {
	const cleaned = Object.fromEntries(Object.entries(flags).filter(([, value]) => value !== undefined && !(typeof value === 'number' && Number.isNaN(value))));
	for (const [name, value] of Object.entries(flags)) {
		if (typeof value === 'number' && Number.isNaN(value)) {
			throw new UsageError(`--${kebab(name)} needs a number; see drainboard --help.`);
		}
	}

	const result = flagsSchema.safeParse(cleaned);
	if (!result.success) {
		const issue = result.error.issues[0];
		const message = issue?.message ?? 'a flag is invalid';
		throw new UsageError(`${printable(message)}; see drainboard --help.`);
	}

	// The watch times' variables, checked with the flags: a bad one stops the command before anything is read or sent.
	// One --socket given twice as written is one instance (resolve-sockets.ts): once in the commands drainboard prints too.
	return {...result.data, socket: [...new Set(result.data.socket)], watchTimes: watchTimes()};
}

function kebab(name: string): string {
	return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
