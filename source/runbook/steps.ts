/** The six steps of the runbook, in order. */
export const stepIds = ['validate', 'baseline', 'drain', 'confirm', 'maintain', 'restore'] as const;
export type StepId = (typeof stepIds)[number];

/** What each step does, in the operator's words. */
export const stepInfo: Record<StepId, {title: string; purpose: string}> = {
	validate: {title: 'validate', purpose: 'check the target, the configuration, the socket and the capacity left'},
	baseline: {title: 'baseline', purpose: 'prove traffic reaches the target through the listener'},
	drain: {title: 'drain', purpose: 'take the target out of rotation'},
	confirm: {title: 'confirm', purpose: 'prove the drain: no new traffic to the target, sessions gone'},
	maintain: {title: 'maintain', purpose: 'do the work; wait for the target to be healthy again'},
	restore: {title: 'restore', purpose: 'put the target back and prove traffic returns'},
};

export function nextStep(step: StepId): StepId | undefined {
	return stepIds[stepIds.indexOf(step) + 1];
}

export function stepIndex(step: StepId): number {
	return stepIds.indexOf(step);
}
