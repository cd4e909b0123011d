import {Box} from 'ink';
import React from 'react';
import type {SourcedTarget} from '../../config/probe-plan.js';
import {describeProbe, targetUrl, type ProbeTarget} from '../../probe/probe.js';
import type {StepId} from '../../runbook/steps.js';
import {Choice} from '../choice.js';
import {cell} from '../format.js';
import {tint} from '../theme.js';
import {Text} from '../text/shown-text.js';
import type {RunbookHandle} from './use-runbook.js';

/** The steps whose checks send probe traffic: another listener may be chosen before them. */
const trafficSteps: ReadonlySet<StepId> = new Set(['baseline', 'confirm', 'restore']);

/** Whether `l` may open the listener choice now: several listeners, a traffic step, nothing running or asked. */
export function canChooseListener(handle: RunbookHandle): boolean {
	const {state} = handle;
	return state.listeners.length > 1 && trafficSteps.has(state.current) && !handle.running && !state.prompt && !state.finished;
}

/**
 * Why l does nothing now, in one sentence: one listener (or none) routes to the backend, or the
 * step is not a traffic step, or something runs or asks. Said where l would open the choice.
 */
export function noListenerChoice(handle: RunbookHandle): string {
	const {state} = handle;
	if (state.listeners.length <= 1) {
		const only = state.listeners[0] ? `: ${describeProbe(state.listeners[0].target)}` : '';
		return `l chooses another listener for the traffic checks, but the configuration routes to ${handle.target.backend} through ${state.listeners.length === 0 ? 'none drainboard can reach' : `one only${only}`}; --url (or --host, --path) sends them elsewhere.`;
	}

	return 'l chooses another listener at baseline, confirm and restore, while no step runs and no question is open.';
}

/** The lines the choice takes on screen (the question, then one per listener). */
export function listenerChoiceRows(listeners: readonly SourcedTarget[]): number {
	return 1 + listeners.length;
}

/**
 * `l` in the wizard: the listeners on this host through which the configuration routes to the
 * backend, best first, for the traffic checks' probe. Sends nothing; the next check uses the one
 * taken. Esc keeps the current one.
 */
export function ListenerChoice({listeners, current, width, onChoose}: {listeners: readonly SourcedTarget[]; current: ProbeTarget | undefined; width: number; onChoose: (index: number) => void}) {
	return (
		<Box flexDirection="column">
			<Text bold color={tint('yellow')}>
				{cell('? Send the traffic checks through which listener?', width - 1)}
			</Text>
			<Box paddingLeft={2} width={width - 1}>
				<Choice
					items={listeners.map((listener, index) => ({
						label: `${current && sameListener(listener.target, current) ? '(now) ' : ''}${describeProbe(listener.target)} — ${listener.source}`,
						value: index,
					}))}
					onChoose={onChoose}
				/>
			</Box>
		</Box>
	);
}

function sameListener(one: ProbeTarget, other: ProbeTarget): boolean {
	return targetUrl(one) === targetUrl(other) && one.host === other.host && one.sni === other.sni && one.proxyProtocol === other.proxyProtocol;
}
