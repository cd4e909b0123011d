/** The six steps of the runbook, in order. */
export const stepIds = ['validate', 'baseline', 'drain', 'confirm', 'maintain', 'restore'] as const;
export type StepId = (typeof stepIds)[number];

/** What each step does, in the operator's words. */
export const stepInfo: Record<StepId, {title: string; purpose: string}> = {
	validate: {title: 'validate', purpose: 'check the target, config, socket and capacity left'},
	baseline: {title: 'baseline', purpose: 'prove traffic reaches the target through the listener'},
	drain: {title: 'drain', purpose: 'take the target out of rotation'},
	confirm: {title: 'confirm', purpose: 'prove no new traffic reaches it and its sessions end'},
	maintain: {title: 'maintain', purpose: 'do the work, then wait until it is healthy again'},
	restore: {title: 'restore', purpose: 'put it back and prove traffic returns'},
};

export function nextStep(step: StepId): StepId | undefined {
	return stepIds[stepIds.indexOf(step) + 1];
}

export function stepIndex(step: StepId): number {
	return stepIds.indexOf(step);
}
