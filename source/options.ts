import {z} from 'zod';
import {UsageError} from './errors.js';
import {printable} from './runtime/endpoint.js';

const seconds = (name: string, max: number) =>
	z.number({error: `--${name} needs a number of seconds`}).positive(`--${name} must be more than 0 seconds`).max(max, `--${name} is at most ${max} seconds`);

/** Every flag of the command-line contract, validated. */
export const flagsSchema = z.object({
	socket: z.array(z.string().min(1, '--socket needs a path or host:port')).default([]),
	master: z.string().min(1, '--master needs the path of the master CLI socket').optional(),
	config: z.string().min(1, '--config needs a file path').optional(),
	url: z.string().min(1, '--url needs a URL').optional(),
	haproxy: z.string().min(1, '--haproxy needs the path of the haproxy binary').optional(),
	journal: z.string().min(1, '--journal needs a file path').optional(),
	backend: z.string().optional(),
	requests: z.number({error: '--requests needs a whole number'}).int('--requests needs a whole number').min(1, '--requests must be at least 1').max(1000, '--requests is at most 1000').default(10),
	quietTimeout: seconds('quiet-timeout', 86_400).default(60),
	readyTimeout: seconds('ready-timeout', 86_400).default(300),
	timeout: seconds('timeout', 600).default(5),
	force: z.boolean().default(false),
	skipValidate: z.boolean().default(false),
	json: z.boolean().default(false),
	yes: z.boolean().default(false),
});

export type Options = z.output<typeof flagsSchema>;

/** Validates the flags meow read; a bad value is exit 2 with one sentence. */
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

	return result.data;
}

function kebab(name: string): string {
	return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
