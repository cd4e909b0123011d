import {endClaim} from '../../runbook/traffic-proof.js';
import {Box} from 'ink';
import React from 'react';
import {serverDiffers} from '../../model/differences.js';
import type {PollView} from '../../poll/pool-poller.js';
import {summarizeBackend} from '../../model/server-condition.js';
import {stepIds, stepInfo} from '../../runbook/steps.js';
import {canBringRestoreForward, type RunbookState} from '../../runbook/state.js';
import {andList} from '../../counted.js';
import {targetStale, targetState, targetStateSentence, type TargetState} from '../../runbook/target-state.js';
import {cell} from '../format.js';
import {gridLayout, tableWidth, titleText} from '../grid/grid-layout.js';
import {BackendLine, InstanceLine} from '../grid/group-lines.js';
import {ServerLine} from '../grid/server-line.js';
import {Header} from '../header.js';
import {HelpOverlay, helpOpenKeys, withExtraKeys, type HelpScroll, type KeyHelp} from '../help-overlay.js';
import {tint} from '../theme.js';
import type {TerminalSize} from '../use-terminal-size.js';
import {wrap} from '../../wrap.js';
import {checkLines, lastLines, type PanelLine} from './check-lines.js';
import {ChecklistLine} from './checklist-line.js';
import {PromptBox, promptKeys, promptLines} from './prompt-box.js';
import {StepLog, toneColor} from './step-log.js';
import {canChooseListener, ListenerChoice, listenerChoiceRows} from './listener-choice.js';
import type {ExecView} from './use-exec.js';
import type {RunbookHandle} from './use-runbook.js';
import {Text} from '../text/shown-text.js';

const wizardKeys: KeyHelp[] = [
	// One line each at 80 columns.
	{keys: 'Enter', does: 'run or retry the step; maintain: the work is done; then: next'},
	{keys: 'y', does: 'yes to the open prompt (sends the command shown)'},
	{keys: 'n  Esc', does: 'no to the open prompt'},
	{keys: 'r', does: 're-apply the drain an alarm says is gone'},
	{keys: 'b', does: 'bring the target back now while its backend has no server serving (restore, asked first)'},
	{keys: 'l', does: 'send the traffic checks through another listener'},
	{keys: 'Esc', does: 'back (to the grid, or the roll) while nothing is drained'},
	{keys: '?', does: 'show / hide this help'},
	{keys: 'q', does: 'quit (asks first while the target is drained)'},
];

type Props = {
	handle: RunbookHandle;
	view: PollView;
	size: TerminalSize;
	now: number;
	freshAt?: number | null;
	help: boolean;
	/** Where the help is scrolled to. */
	helpScroll?: HelpScroll;
	urlText: string;
	afterEnd?: string;
	/** Where Esc goes (the grid; in a roll, the roll's choices). */
	backTo?: string;
	exec?: ExecView | null;
	/** The listener choice is open (`l`): called with the index of the one taken. */
	listenerChoice?: (index: number) => void;
	/** Keys the wizard's owner adds (the lab's `s`), for the help. */
	extraKeys?: readonly KeyHelp[];
};

/** The wizard: checklist, the current step's evidence, prompts and alarms, the target's backend. */
export function WizardScreen({handle, view, size, now, freshAt, help, helpScroll, urlText, afterEnd = 'back to the grid, on the next server', backTo = 'grid', exec = null, listenerChoice, extraKeys = []}: Props) {
	const {state} = handle;
	const width = size.columns;
	const step = state.steps[state.current];
	const backendName = state.target.split('/')[0];
	const instances = view.pool?.instances ?? [];
	const backend = instances[0]?.backends.find((candidate) => candidate.name === backendName);
	const targetServer = state.target.slice(state.target.indexOf('/') + 1);
	const targetDiffers = serverDiffers(view.pool, backendName ?? '', targetServer);
	// The name column fits the backend's names, as the grid's fits the grid's.
	const layout = gridLayout(width, Math.max(0, ...(backend?.servers ?? []).map((server) => server.server.length)));

	const alarmLines = state.alarms.slice(-2).flatMap((alarm) => wrap(`⚠ ${alarm.message}`, width - 1).slice(0, 3).map((text, index) => ({key: `${alarm.id}-${index}`, text})));
	const alarms = alarmLines;
	const prompt = state.prompt ? promptLines(state.prompt, width - 1) : listenerChoice ? Array.from({length: listenerChoiceRows(state.listeners)}) : [];
	// Several instances: the target's line on each (under its instance and backend), not its neighbours.
	const several = instances.length > 1;
	const gridRows = !backend ? 1 : several ? Math.min(instances.length * 3, Math.max(3, Math.floor((size.rows - 1) * 0.4))) : Math.min(backend.servers.length + 1, Math.max(3, Math.floor((size.rows - 1) * 0.3)));
	// The grid's column titles over the servers, where the terminal has a row to spare for them.
	const titled = backend !== undefined && size.rows >= 26;
	// Header, checklist, alarms, title, prompt, servers (and their titles), keys; the panel and the
	// rows it leaves (a blank one under it first) fill the rest, up to Ink's last line.
	const fixed = 1 + 1 + alarms.length + 1 + prompt.length + gridRows + (titled ? 1 : 0) + 1;
	const panelHeight = Math.max(1, size.rows - 1 - fixed);

	const panel: PanelLine[] = [];
	if (handle.notice && state.steps.validate.status === 'pending' && state.current === 'validate') {
		panel.push(...wrap(handle.notice, width - 1).map((text) => ({text, tone: 'warn' as const})));
	}

	const previous = stepIds[stepIds.indexOf(state.current) - 1];
	const showPrevious = step.checks.length === 0 && previous !== undefined && state.steps[previous].status === 'passed' && state.steps[previous].checks.length > 0;
	if (showPrevious) {
		panel.push({text: `✓ ${previous} passed:`, tone: 'pass'});
		panel.push(...state.steps[previous!].checks.flatMap((check) => checkLines(check, width - 3)).map((line) => ({...line, text: `  ${line.text}`})));
		// A taken-over maintenance's step is no longer pending (not run, –) and says why it is over.
		if ((step.status === 'pending' || state.takenOver) && !state.prompt) {
			panel.push(...wrap(idleText(handle, afterEnd, exec), width - 1).map((text) => ({text, tone: 'title' as const})));
		}
	}

	if (exec && exec.status !== 'waiting' && state.current === 'maintain') {
		panel.push(...execLines(exec, handle.label, width - 1));
	}

	for (const check of step.checks) {
		panel.push(...checkLines(check, width - 1));
	}

	if (state.live && state.live.step === state.current && step.status === 'running') {
		panel.push(...state.live.lines.flatMap((line) => wrap(line, width - 1)).map((text) => ({text, tone: 'live' as const})));
	}

	if (handle.needsUrl && state.current === 'baseline' && !state.prompt && step.status !== 'running') {
		const ask = handle.urlOptional
			? 'No listener URL is known for this backend. Press Enter to use live traffic as the proof (--proof auto; the backend must be busy), or type the URL clients use, then Enter:'
			: 'No listener URL is known for this backend. Type the URL clients use, then Enter:';
		panel.push(...wrap(ask, width - 1).map((text) => ({text, tone: 'warn' as const})));
		panel.push({text: `URL: ${urlText}▏`, tone: 'title'});
	}

	if (panel.length === 0 && !state.prompt) {
		panel.push(...wrap(idleText(handle, afterEnd, exec), width - 1).map((text) => ({text, tone: 'info' as const})));
	}

	// Under what the step says, not in its place.
	if (handle.state.problem) {
		panel.push(...wrap(handle.state.problem, width - 1).map((text) => ({text, tone: 'fail' as const})));
	}

	const shownHeight = Math.max(1, Math.min(panelHeight, panel.length));
	// Rows the step's text leaves free: one between it and the servers, the rest above the keys' line.
	const spare = help ? 0 : panelHeight - shownHeight;
	const status = statusWord(state, handle.paused);
	// The purpose gives way to the status where both do not fit: a title is never cut mid-word.
	const full = `${state.current.toUpperCase()} — ${stepInfo[state.current].purpose}`;
	const title = full.length + (status ? status.length + 2 : 0) <= width - 1 ? full : state.current.toUpperCase();
	return (
		<>
			<StepLog items={handle.state.log} state={state} width={width} />
			<Box flexDirection="column" width={width}>
				<Header view={view} now={now} freshAt={freshAt} width={width} title={`drainboard · ${state.target}`} />
				<ChecklistLine state={state} asking={state.prompt !== null && state.prompt.id !== 'quit'} />
				{alarmLines.map((line) => (
					<Text key={line.key} color={tint('red')} inverse bold wrap="truncate-end">
						{cell(line.text, width - 1)}
					</Text>
				))}
				<Text wrap="truncate-end">
					<Text bold>{cell(title, Math.min(title.length, Math.max(10, width - 1 - status.length - 2)))}</Text>
					{status ? <Text color={tint(step.status === 'failed' ? 'red' : 'cyan')}>{`  ${status}`}</Text> : null}
				</Text>
				{help ? (
					<HelpOverlay height={panelHeight} width={width} keys={withExtraKeys(wizardKeys, extraKeys)} scroll={helpScroll} />
				) : (
					// As tall as what it says: the servers follow it, and the room left goes above the keys' line.
					<Box flexDirection="column" height={shownHeight}>
						{lastLines(panel, panelHeight).map((line, index) => (
							<Text key={index} color={toneColor[line.tone] ? tint(toneColor[line.tone]!) : undefined} bold={line.tone === 'title'} dimColor={line.tone === 'info'} wrap="truncate-end">
								{line.text}
							</Text>
						))}
					</Box>
				)}
				{state.prompt ? <PromptBox prompt={state.prompt} width={width} onAnswer={handle.answer} /> : null}
				{!state.prompt && listenerChoice ? <ListenerChoice listeners={state.listeners} current={state.probe?.target} width={width} onChoose={listenerChoice} /> : null}
				{spare > 0 ? <Text> </Text> : null}
				{titled ? <Text dimColor wrap="truncate-end">{titleText(layout)}</Text> : null}
				<Box flexDirection="column" height={gridRows}>
					{backend && several ? (
						instances
							.flatMap((instance) => {
								const mine = instance.backends.find((candidate) => candidate.name === backendName);
								const server = mine?.servers.find((candidate) => candidate.server === targetServer);
								return [
									<InstanceLine key={`i:${instance.instance.socket}`} snapshot={instance} width={width} cursor={false} />,
									mine ? <BackendLine key={`b:${instance.instance.socket}`} backend={mine} summary={summarizeBackend(mine)} width={tableWidth(layout)} cursor={false} /> : null,
									server ? (
										<ServerLine key={`s:${instance.instance.socket}`} server={server} layout={layout} cursor={false} differs={targetDiffers} />
									) : null,
								].filter((line) => line !== null);
							})
							.slice(0, gridRows)
					) : backend ? (
						<>
							<BackendLine backend={backend} summary={summarizeBackend(backend)} width={tableWidth(layout)} cursor={false} />
							{around(backend.servers, (server) => server.server === targetServer, gridRows - 1).map((server) => (
									<ServerLine key={server.server} server={server} layout={layout} cursor={server.server === targetServer} now={layout.changed ? now : 0} />
								))}
						</>
					) : (
						<Text dimColor>{cell('Waiting for HAProxy…', width - 1)}</Text>
					)}
				</Box>
				{spare > 1 ? <Box height={spare - 1} /> : null}
				<Text dimColor wrap="truncate-end">
					{cell(help && !handle.state.prompt ? helpOpenKeys() : hints(handle, {afterEnd, backTo}, exec, listenerChoice !== undefined), width - 1)}
				</Text>
			</Box>
		</>
	);
}

/** `count` items of `list` with the one matching `isTarget` in view (near the middle). */
function around<T>(list: readonly T[], isTarget: (item: T) => boolean, count: number): T[] {
	const index = Math.max(0, list.findIndex(isTarget));
	const start = Math.max(0, Math.min(index - Math.floor((count - 1) / 2), list.length - count));
	return list.slice(start, start + count);
}

/** The roll's command at maintain: the command, its output as it comes, how it ended. */
function execLines(exec: ExecView, label: string, width: number): PanelLine[] {
	const lines: PanelLine[] = [{text: cell(`$ ${exec.command}`, width).trimEnd(), tone: 'title'}, ...exec.lines.map((line) => ({text: cell(`  ${line}`, width).trimEnd(), tone: 'live' as const}))];
	if (exec.status === 'passed') {
		lines.push(...wrap(`✓ ${exec.outcome ?? ''}: the work is done; maintain waits for ${label}'s health check.`, width).map((text) => ({text, tone: 'pass' as const})));
	} else if (exec.status === 'failed') {
		lines.push(...wrap(`✗ ${exec.outcome ?? ''}: ${label} stays DRAINED (out of rotation). Do the work by hand, then press Enter; or q to quit and leave it drained.`, width).map((text) => ({text, tone: 'fail' as const})));
	}

	return lines;
}

function idleText(handle: RunbookHandle, afterEnd: string, exec: ExecView | null): string {
	const {state} = handle;
	if (state.takenOver) {
		return `Ended by ${state.takenOver.other ? "another operator's restore" : 'a restore run on this journal'} (above): nothing is left for this maintenance to do. Enter: ${afterEnd}; q quits.`;
	}

	if (state.finished) {
		return `Done. The target ${endClaim('restore', [state])}. Enter: ${afterEnd}; q quits.`;
	}

	// Enter does nothing while HAProxy does not answer: say so rather than offer it.
	const when = handle.paused ? 'Once HAProxy answers again, press Enter' : 'Press Enter';
	// During an outage of the rest of the backend, the step's own purpose is not what to do next.
	if (canBringRestoreForward(state) && state.current !== 'restore') {
		return state.current === 'confirm'
			? 'Confirm cannot pass while no other server of the backend serves (above). b brings the target back now; Enter runs confirm anyway.'
			: `No other server of the backend serves (above): b brings the target back now, before the work is done; ${handle.paused ? 'once HAProxy answers again, ' : ''}Enter when the work is done.`;
	}

	if (state.current === 'maintain' && state.steps.maintain.status === 'pending') {
		// What HAProxy last showed, never what this wizard did: someone else may have put it back. A read
		// after the step is waited for; while HAProxy does not answer, none comes, and the sentence says
		// what it last showed, and when, as a state now unknown.
		if (!handle.seenSettled && !handle.paused) {
			return `Reading what HAProxy shows of ${handle.label} now…`;
		}

		const read = targetState(handle.state.seen);
		const sentence = targetStateSentence(handle.target, handle.state.seen, {live: true, since: handle.state.seenSince});
		if (read === 'drained' && (exec?.status === 'running' || exec?.status === 'waiting')) {
			return `${sentence}. The roll's --exec ${exec.status === 'running' ? 'runs' : 'is about to run'}; when it exits 0, drainboard waits for the health check.`;
		}

		if (read === 'drained') {
			const work = targetStale(handle.state.seen) ? '' : ` Do the work now (patch, restart…).${sharedReminder(handle.state.facts.sharedAddress)}`;
			return `${sentence}.${work} ${when} when the work is done: drainboard then waits for its health check to pass.`;
		}

		if (handle.state.seen.some((one) => one.server?.adminFlags.includes('FMAINT'))) {
			return `${sentence}: someone else's maintenance, not this drain. Find out who before you work on it.`;
		}

		const reapply = state.alarms.some((alarm) => alarm.reapply) ? ' Press r to re-apply the drain.' : '';
		return `${sentence}. Do not start the work until HAProxy shows it drained.${reapply}`;
	}

	return `${when} to ${stepInfo[state.current].purpose}.`;
}

/** Validate's note, again where it matters: at the work, the other servers the same service feeds (as validate read them). */
function sharedReminder(shared: RunbookState['facts']['sharedAddress']): string {
	if (!shared) {
		return '';
	}

	const one = shared.servers.length === 1;
	return ` Mind: at validate, ${shared.address} also served ${andList(shared.servers)}, left in rotation: stopping the service there fails ${one ? 'its' : 'their'} requests too.`;
}

/** How the target stands at maintain when HAProxy does not show it drained everywhere (the keys line). */
const notDrainedWords: Record<TargetState, string> = {
	'partly-drained': 'drained on some instances only',
	'not-drained': 'not drained',
	missing: 'not in HAProxy now',
	unknown: 'its state is not known',
	drained: 'drained',
};

function hints(handle: RunbookHandle, {afterEnd, backTo}: {afterEnd: string; backTo: string}, exec: ExecView | null, listenerChoice: boolean): string {
	const {state} = handle;
	if (exec?.status === 'running' && state.current === 'maintain' && !state.prompt) {
		return '--exec running… · q quit';
	}

	if (state.prompt) {
		return promptKeys(state.prompt);
	}

	if (listenerChoice) {
		return '↑↓ choose · Enter take it · Esc keep the current one';
	}

	if (handle.needsUrl && state.current === 'baseline' && !handle.running) {
		// Within 80 columns: the hint line is cut at the terminal's width.
		return handle.urlOptional
			? `type the URL · Enter use it (empty: live traffic) · Esc clear${handle.canGoBack ? ' (empty: grid)' : ''}`
			: `type the URL · Enter use it · Esc clear${handle.canGoBack ? ' (empty: back to the grid)' : ''}`;
	}

	const reapply = state.alarms.some((alarm) => alarm.reapply) ? 'r re-apply drain · ' : canBringRestoreForward(state) ? 'b bring it back now · ' : '';
	if (handle.running) {
		return `${reapply}working… · q quit`;
	}

	if (state.finished) {
		return `Enter ${afterEnd} · q quit`;
	}

	// At maintain, "the work is done" only while HAProxy shows the target drained: with the drain lost there is no work to finish.
	const shown = targetState(state.seen);
	const drainLost = state.current === 'maintain' && handle.seenSettled && shown !== 'drained';
	const enter = handle.paused
		? 'waiting for HAProxy to answer'
		: state.current === 'maintain'
			? drainLost
				? state.seen.some((one) => one.server?.adminFlags.includes('FMAINT'))
					? "in someone's maintenance: find out who first"
					: // Short: with "r re-apply drain" and the rest it fits 80 columns; the line above says it whole.
						`${notDrainedWords[shown]}: work waits`
				: 'Enter the work is done'
			: state.steps[state.current].status === 'failed'
				? 'Enter retry'
				: `Enter run ${state.current}`;
	return `${reapply}${enter}${canChooseListener(handle) ? ' · l listener' : ''} · ? help · q quit${handle.canGoBack ? ` · Esc back to ${backTo}` : ''}`;
}

/** What the title says of the maintenance now, beside the step's name; empty when nothing is under way. */
function statusWord(state: RunbookState, paused: boolean): string {
	const step = state.steps[state.current];
	if (state.takenOver) {
		return state.takenOver.other ? 'taken over' : 'ended elsewhere';
	}

	if (state.finished) {
		return state.restoreFrom ? 'back in rotation early (b)' : 'maintenance complete';
	}

	if (step.status === 'running') {
		return state.prompt ? 'waiting for your answer' : 'running…';
	}

	if (step.status === 'failed') {
		return 'blocked — see why below';
	}

	return paused ? 'paused: HAProxy does not answer' : '';
}
