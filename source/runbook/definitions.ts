import {baselineChecks} from './checks/baseline.js';
import {confirmChecks} from './checks/confirm.js';
import {drainChecks} from './checks/drain.js';
import {maintainChecks} from './checks/maintain.js';
import {restoreChecks} from './checks/restore.js';
import {validateChecks} from './checks/validate.js';
import type {StepDefinition} from './step-definition.js';
import type {StepId} from './steps.js';

/** The runbook: each step and its checks, in order. */
export const runbook: Record<StepId, StepDefinition> = {
	validate: {id: 'validate', checks: validateChecks},
	baseline: {id: 'baseline', checks: baselineChecks},
	drain: {id: 'drain', checks: drainChecks},
	confirm: {id: 'confirm', checks: confirmChecks},
	maintain: {id: 'maintain', checks: maintainChecks},
	restore: {id: 'restore', checks: restoreChecks},
};
