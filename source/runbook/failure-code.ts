import type {ErrorCode} from '../errors.js';
import type {CheckResult} from './check-result.js';

/** The code each check's own failure stands for; a thrown error's code (set on the result) comes first. */
const codeOfCheck: Record<string, ErrorCode> = {
	'target-exists': 'not-found',
	'not-in-maintenance': 'not-serving',
	'socket-admin': 'level',
	'config-valid': 'config',
	'backend-free': 'locked',
	capacity: 'capacity',
	listener: 'traffic',
	'baseline-traffic': 'traffic',
	'traffic-moved': 'traffic',
	'traffic-returns': 'traffic',
	'sessions-quiet': 'sessions',
	'health-back': 'health-timeout',
	summary: 'journal',
};

/** Why a failed check blocks, for the `--json` object's `error.code`. */
export function failureCode(check: CheckResult): ErrorCode {
	return check.code ?? codeOfCheck[check.id] ?? (check.exitCode === 2 ? 'usage' : check.exitCode === 3 ? 'unreachable' : 'state');
}
