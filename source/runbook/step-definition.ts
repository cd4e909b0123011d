import type {CheckResult} from './check-result.js';
import type {RunbookContext, RunbookIo} from './context.js';
import type {StepId} from './steps.js';

/** One check of a step: a name and an async function over the context. */
export type CheckDefinition = {
	id: string;
	title: string;
	/** Whether the check runs at all in this run (read when its turn comes); without it, it always runs. */
	applies?(context: RunbookContext, io: RunbookIo): Promise<boolean>;
	run(this: CheckDefinition, context: RunbookContext, io: RunbookIo): Promise<CheckResult>;
};

/** A step as data: its checks, run in order; the first blocking one stops the step. */
export type StepDefinition = {id: StepId; checks: readonly CheckDefinition[]};
