import {wordsOf} from '../../source/cli-args.js';
import {headlessResultSchema, type HeadlessResult} from '../../source/headless/result-schema.js';

/** The codes each failing exit code may carry (source/headless/README.md). */
const codesByExit: Record<number, readonly string[]> = {
	2: ['usage', 'invalid-name', 'not-found'],
	3: ['unreachable', 'level', 'reply-lost'],
};

/** How many outputs were checked in this test file (a test asserts it grew). */
export let contractChecks = 0;

/** Whether a command line's stdout must be the contract's object: drain, restore, roll with --json always; any command with --json when it fails. */
export function underContract(args: readonly string[], code: number | null): boolean {
	const flags = args.slice(0, args.includes('--') ? args.indexOf('--') : undefined);
	if (!flags.includes('--json') && !flags.includes('--json=true')) {
		return false;
	}

	const command = wordsOf(args)[0];
	return command === 'drain' || command === 'restore' || command === 'roll' || code !== 0;
}

/**
 * Checks one run's stdout against the contract: exactly one line holding one JSON object that the
 * schema accepts; ok exactly when the exit code is 0; an exit 2 or 3 carries a code of its kind.
 * Throws a sentence saying what is wrong, with the output.
 */
export function checkContract(stdout: string, code: number | null): HeadlessResult {
	const lines = stdout.split('\n');
	if (lines.length !== 2 || lines[1] !== '') {
		throw new Error(`--json must print exactly one line, got ${lines.length - 1}:\n${stdout}`);
	}

	const parsed = headlessResultSchema.safeParse(JSON.parse(lines[0]!));
	if (!parsed.success) {
		throw new Error(`--json output does not fit the contract: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}\n${stdout}`);
	}

	const result = parsed.data;
	if (result.ok !== (code === 0)) {
		throw new Error(`"ok": ${result.ok} with exit code ${code}:\n${stdout}`);
	}

	const allowed = code === null ? undefined : codesByExit[code];
	if (allowed && !allowed.includes(result.error?.code ?? '')) {
		throw new Error(`exit ${code} with error code ${result.error?.code ?? 'none'} (expected one of ${allowed.join(', ')}):\n${stdout}`);
	}

	contractChecks++;
	return result;
}
