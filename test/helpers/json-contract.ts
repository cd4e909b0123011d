import {wordsOf} from '../../source/cli-args.js';
import {headlessResultSchema, type HeadlessResult} from '../../source/headless/result-schema.js';
import {rollResultSchema} from '../../source/headless/roll-report.js';
import {routesJsonSchema} from '../../source/headless/routes-json.js';
import {statusJsonSchema} from '../../source/headless/status-schema.js';

/** The codes each failing exit code may carry (source/headless/README.md). */
const codesByExit: Record<number, readonly string[]> = {
	2: ['usage', 'invalid-name', 'not-found'],
	3: ['unreachable', 'level', 'reply-lost'],
};

/** How many outputs were checked in this test file (a test asserts it grew). */
export let contractChecks = 0;

/** Whether a command line's stdout must be one object of a schema: drain, restore, roll, status, routes with --json always; any command with --json when it fails. */
export function underContract(args: readonly string[], code: number | null): boolean {
	const flags = args.slice(0, args.includes('--') ? args.indexOf('--') : undefined);
	if (!flags.includes('--json') && !flags.includes('--json=true')) {
		return false;
	}

	const command = wordsOf(args)[0];
	return command === 'drain' || command === 'restore' || command === 'roll' || command === 'status' || command === 'routes' || code !== 0;
}

/** The one line of a --json output, or a sentence saying it is not one line. */
function oneLine(stdout: string): string {
	const lines = stdout.split('\n');
	if (lines.length !== 2 || lines[1] !== '') {
		throw new Error(`--json must print exactly one line, got ${lines.length - 1}:\n${stdout}`);
	}

	return lines[0]!;
}

/** An error there exactly when the exit code is not 0, of a code that fits an exit 2 or 3. */
function checkError(error: {code: string} | undefined, code: number | null, stdout: string): void {
	if ((error === undefined) !== (code === 0)) {
		throw new Error(`"error" ${error === undefined ? 'missing' : 'present'} with exit code ${code}:\n${stdout}`);
	}

	const allowed = code === null ? undefined : codesByExit[code];
	if (allowed && !allowed.includes(error?.code ?? '')) {
		throw new Error(`exit ${code} with error code ${error?.code ?? 'none'} (expected one of ${allowed.join(', ')}):\n${stdout}`);
	}
}

/**
 * Checks one run's --json stdout against its command's own schema: `status`, `routes` and `roll`
 * have theirs (errors included), drain, restore and the rest the headless result's
 * ({@link checkContract}). Throws a sentence saying what is wrong, with the output.
 */
export function checkCommandContract(args: readonly string[], stdout: string, code: number | null): void {
	const command = wordsOf(args)[0];
	const schema = command === 'status' ? statusJsonSchema : command === 'routes' ? routesJsonSchema : command === 'roll' ? rollResultSchema : undefined;
	if (schema === undefined) {
		checkContract(stdout, code);
		return;
	}

	const parsed = schema.safeParse(JSON.parse(oneLine(stdout)));
	if (!parsed.success) {
		throw new Error(`${command} --json output does not fit its schema: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}\n${stdout}`);
	}

	// Roll's object has `ok` (status and routes say it by `error` alone): true exactly when the exit code is 0.
	const data: {error?: {code: string}; ok?: boolean} = parsed.data;
	checkError(data.error, code, stdout);
	if (data.ok !== undefined && data.ok !== (code === 0)) {
		throw new Error(`"ok": ${String(data.ok)} with exit code ${code}:\n${stdout}`);
	}

	contractChecks++;
}

/**
 * Checks one run's stdout against the contract: exactly one line holding one JSON object that the
 * schema accepts; ok exactly when the exit code is 0; an exit 2 or 3 carries a code of its kind.
 * Throws a sentence saying what is wrong, with the output.
 */
export function checkContract(stdout: string, code: number | null): HeadlessResult {
	const parsed = headlessResultSchema.safeParse(JSON.parse(oneLine(stdout)));
	if (!parsed.success) {
		throw new Error(`--json output does not fit the contract: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}\n${stdout}`);
	}

	const result = parsed.data;
	if (result.ok !== (code === 0)) {
		throw new Error(`"ok": ${result.ok} with exit code ${code}:\n${stdout}`);
	}

	checkError(result.error, code, stdout);
	contractChecks++;
	return result;
}
