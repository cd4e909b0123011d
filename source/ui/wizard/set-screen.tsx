import {Box} from 'ink';
import React, {useEffect, useState} from 'react';
import {addressOf, adminWords} from '../../model/describe.js';
import {summarizeBackend} from '../../model/server-condition.js';
import type {Server} from '../../model/types.js';
import type {PollView} from '../../poll/pool-poller.js';
import type {SetRunner} from '../../runbook/maintenance-set.js';
import {andList} from '../../counted.js';
import {formatTarget} from '../../runtime/names.js';
import {stepIds} from '../../runbook/steps.js';
import {clockTime} from '../../time-format.js';
import {wrap} from '../../wrap.js';
import {useExitOwner} from '../exit-owner.js';
import {serverInView} from '../open-drains.js';
import {cell, nameCell} from '../format.js';
import {Header} from '../header.js';
import {bannerHeight, StaleBanner} from '../stale-banner.js';
import {HelpOverlay, helpOpenKeys, useHelpScroll, withExtraKeys, type KeyHelp} from '../help-overlay.js';
import {useKeys} from '../keys.js';
import {tint} from '../theme.js';
import type {TerminalSize} from '../use-terminal-size.js';
import {Text} from '../text/shown-text.js';
import {setLineColor} from './set-log-line.js';
import {ChecklistLine} from './checklist-line.js';
import {PromptBox, promptKeys, promptLines} from './prompt-box.js';
import {useSetMaintenance, type SetMaintenance} from './use-set-maintenance.js';
import {EveryOne, everyOne, wordsFor} from './set-words.js';

const setKeys: KeyHelp[] = [
	{keys: 'Enter', does: 'drain all; once the work is done: restore all; after a failure: try again'},
	{keys: 'y', does: 'yes to the open prompt (sends the commands shown)'},
	{keys: 'n  Esc', does: 'no to the open prompt'},
	{keys: 'r', does: 'put back a drain HAProxy no longer shows (asks first)'},
	{keys: 'Esc', does: 'back to the grid while nothing of it is drained'},
	{keys: '?', does: 'show / hide this help'},
	{keys: 'q', does: 'quit (asks first while any of them is drained)'},
];

type Props = {
	runner: SetRunner;
	view: PollView;
	size: TerminalSize;
	now: number;
	freshAt: number | null;
	onQuit: () => void;
	/** Esc while nothing of the maintenance is drained, or Enter once it is restored: back to the grid. */
	onBack: (done: boolean) => void;
	/** A key the screen does not use, while no question is asked (the lab's `s`). */
	onExtraKey?: (char: string) => void;
	/** What those keys do, for the help. */
	extraKeys?: readonly KeyHelp[];
};

/**
 * `drainboard '@10.0.0.5'` (or `'*\/app01'`) when it names several servers: one maintenance of
 * them all, as headless drain and restore run it. Each server as HAProxy shows it now, the
 * checklist of the whole maintenance, the engine's lines, and the one question it asks (one y for
 * every drain, one for every ready). Enter starts the drain, then (after the work) the restore.
 */
export function SetScreen({runner, view, size, now, freshAt, onQuit, onBack, onExtraKey, extraKeys = []}: Props) {
	const owner = useExitOwner();
	const [help, setHelp] = useState(false);
	const helpScroll = useHelpScroll(help);
	// Why a key did nothing (Esc while drained), until the next key.
	const [note, setNote] = useState<string | null>(null);
	const set = useSetMaintenance(runner, view, () => {
		owner.noteText = null;
		onBack(false);
	});
	const width = size.columns - 1;
	useEffect(() => owner.guardWith({confirm: set.confirmQuit, insist: set.insistQuit}), [owner, set.confirmQuit, set.insistQuit]);
	// What the app prints after it ends: the servers HAProxy last showed drained, and how to come back.
	useEffect(() => {
		const shown = wordsFor(set.drainedNow.length);
		const unseen = wordsFor(set.mayBe.length);
		owner.noteText =
			runner.comeBack === null
				? set.drainedNow.length > 0
					? `${set.drainedNow.join(', ')} ${shown.is} drained. The lab's HAProxy stopped with the lab; drainboard lab starts a fresh one.`
					: set.mayBe.length > 0
						? `${set.mayBe.join(', ')} may still have been drained. The lab's HAProxy stopped with the lab; drainboard lab starts a fresh one.`
						: null
				: set.drainedNow.length > 0
				? `${set.drainedNow.join(', ')} ${shown.is} drained, as HAProxy showed at ${clockTime(freshAt ?? now)}${set.unshown.length > 0 ? `; HAProxy has not shown ${set.unshown.join(', ')} since this maintenance drained ${wordsFor(set.unshown.length).it}` : ''}. To resume: ${runner.comeBack}`
				: set.mayBe.length > 0
					? `${set.mayBe.join(', ')} may still be drained: this maintenance drained ${unseen.it}, and HAProxy has not shown ${unseen.it} since. To see where ${unseen.they} stand${unseen.s} and resume: ${runner.comeBack}`
					: null;
	}, [owner, set.drainedNow.join(','), set.mayBe.join(','), set.unshown.join(','), freshAt, runner.comeBack]);
	useKeys((input, key) => {
		if (set.prompt) {
			const answer = input.toLowerCase();
			if (answer === 'y' || answer === 'n') {
				set.answer(answer === 'y');
			} else if (key.escape) {
				set.answer(false);
			} else if (input === 'q' && set.prompt.id !== 'quit') {
				// As Ctrl-C: the quit is asked (while drained) with the open question set aside.
				onQuit();
			}

			return;
		}

		setNote(null);
		if (help && helpScroll.scroll(input, key)) {
			return;
		}

		if (help && (key.escape || input === '?')) {
			setHelp(false);
		} else if (input === 'q') {
			onQuit();
		} else if (input === '?') {
			setHelp(true);
		} else if (input === 'r') {
			set.reapply();
		} else if (key.return) {
			if (set.phase === 'restored') {
				owner.noteText = null;
				onBack(true);
			} else {
				set.next();
			}
		} else if (key.escape && set.canGoBack) {
			set.leave();
			owner.noteText = null;
			onBack(set.phase === 'restored');
		} else if (key.escape) {
			setNote(
				set.drainedNow.length > 0
					? `Esc goes back to the grid only while nothing of this maintenance is drained: ${set.phase === 'drained' && set.inRotation.length === 0 && !set.reapplying ? 'finish it with Enter, or ' : ''}q quits (asks first).`
					: 'Esc goes back to the grid once the step under way has ended.',
			);
		} else if (input.length === 1 && !key.ctrl && !key.meta) {
			onExtraKey?.(input);
		}
	});

	const servers = runner.targets.map((target) => {
		const label = formatTarget(target);
		return {label, server: serverInView(view, label)};
	});
	const labelWidth = Math.min(Math.max(...servers.map((row) => row.label.length)), Math.max(12, Math.floor(width / 3)));
	const outage = set.phase === 'drained' && set.inRotation.length === 0 ? outageText(view, runner) : null;
	const text = [...(note ? [note] : []), ...(outage ? [outage] : []), ...phaseText(set, runner)];
	// The readies asked while HAProxy shows some of them back in rotation already (set ready outside): said above the question.
	// Those this restore planned to restore get its traffic proof all the same; one it found not drained when it began gets none.
	const unchecked = new Set(set.members.filter((member) => !member.plan.steps.includes('restore')).map((member) => member.label));
	const aside = set.prompt?.id === 'restore:set' && set.inRotation.length > 0 ? wrap(alreadyBackText(set.inRotation, unchecked), width) : [];
	const prompt = set.prompt ? promptLines(set.prompt, width).length + aside.length : 0;
	// The help takes the room of what the phase says too (it is back when the help closes).
	const textLines = set.prompt || help ? [] : text.flatMap((line) => wrap(line, width));
	// Header, title, checklist, blank, servers, blank, …, blank, text or prompt, keys.
	const fixed = 4 + bannerHeight(view.health) + servers.length + 1 + 1 + (set.prompt ? prompt : textLines.length) + 1;
	const logRoom = Math.max(0, size.rows - fixed);
	const log = help ? [] : lastWhole(set.lines, width, logRoom);
	// The help leaves a blank line above what the phase says.
	const spare = help ? Math.min(1, logRoom) : Math.max(0, logRoom - log.length);
	return (
		<Box flexDirection="column" width={size.columns}>
			<Header view={view} now={now} freshAt={freshAt} width={size.columns} title={`drainboard · ${runner.label}`} />
			<StaleBanner health={view.health} width={size.columns} />
			<Text bold color={tint('cyan')}>
				{cell(`MAINTENANCE of ${runner.targets.length} servers as one (they leave together)`, width)}
			</Text>
			<ChecklistLine state={set.steps} asking={set.prompt !== null && set.prompt.id !== 'quit'} />
			<Text> </Text>
			{servers.map((row) => (
				<Text key={row.label} wrap="truncate-end">
					{'  '}
					<Text bold>{nameCell(row.label, labelWidth)}</Text>
					{`  ${row.server ? serverText(row.server) : 'not in HAProxy’s last read'}`}
				</Text>
			))}
			<Text> </Text>
			{log.map((line, index) => (
				<Text key={`log-${index}`} color={setLineColor(line)} wrap="truncate-end">
					{line}
				</Text>
			))}
			{help ? <HelpOverlay height={Math.max(0, logRoom - 1)} width={width} keys={withExtraKeys(setKeys, extraKeys)} scroll={helpScroll} /> : null}
			{spare > 0 ? <Box height={spare} /> : null}
			{aside.map((line, index) => (
				<Text key={`aside-${index}`} color={tint('yellow')}>
					{line}
				</Text>
			))}
			{set.prompt ? (
				<PromptBox prompt={set.prompt} width={size.columns} onAnswer={set.answer} />
			) : (
				textLines.map((line, index) => (
					<Text key={`text-${index}`} bold={index === 0} color={set.phase === 'failed' || line.startsWith('⚠') ? tint('red') : undefined}>
						{line}
					</Text>
				))
			)}
			<Text dimColor>{cell(help && !set.prompt ? helpOpenKeys() : keysText(set), width)}</Text>
		</Box>
	);
}

/** The last lines of the log that fit in `rows` whole (a line cut at the top reads as nonsense), wrapped at `width`. */
function lastWhole(lines: readonly string[], width: number, rows: number): string[] {
	const shown: string[][] = [];
	let used = 0;
	for (let index = lines.length - 1; index >= 0; index--) {
		const wrapped = wrap(lines[index]!, width);
		if (used + wrapped.length > rows) {
			break;
		}

		shown.unshift(wrapped);
		used += wrapped.length;
	}

	return shown.flat();
}

/** A server as HAProxy shows it: status, admin state, sessions, address. */
function serverText(server: Server): string {
	const admin = adminWords(server);
	return `${server.status}${admin.length > 0 ? ` (${admin.join(', ')})` : ''} · ${server.currentSessions} session${server.currentSessions === 1 ? '' : 's'} · ${addressOf(server)}`;
}

/**
 * Servers of the maintenance HAProxy shows in rotation while their readies are asked: y changes
 * nothing for them; their traffic is proven all the same, but for those this restore found not
 * drained when it began (`unchecked`), whose checks it does not run.
 */
function alreadyBackText(labels: readonly string[], unchecked: ReadonlySet<string>): string {
	const words = wordsFor(labels.length);
	const proven = labels.filter((label) => !unchecked.has(label));
	const then = proven.length === labels.length ? `, and proves traffic returns to ${labels.length === 1 ? 'it' : 'each'}` : proven.length === 0 ? `, and does not check ${words.it}: this restore found ${words.it} not drained` : `; it proves traffic returns to ${proven.join(', ')}, not to the others (found not drained)`;
	return `! ${labels.join(', ')} ${words.is} already back in rotation: HAProxy shows ${words.it} not drained (set ready outside this maintenance). y sends nothing to ${words.it}${then}.`;
}

/**
 * A backend of the maintenance that HAProxy (its last read) shows with no server serving while the
 * servers are drained (someone else took the rest out): an outage the restore can end now.
 */
function outageText(view: PollView, runner: SetRunner): string | null {
	const backends = [...new Set(runner.targets.map((target) => target.backend))];
	const down = backends.filter((name) => {
		const backend = view.pool?.instances[0]?.backends.find((candidate) => candidate.name === name);
		return backend !== undefined && summarizeBackend(backend).noneServing;
	});
	if (down.length === 0) {
		return null;
	}

	return `⚠ ${andList(down)} ${down.length === 1 ? 'has' : 'have'} no server serving: clients get errors now. Enter brings this maintenance's servers back now (each one's health, then one y for the readies).`;
}

/** The steps of the phase that some server of it runs, in runbook order. */
function stepsToRun(set: SetMaintenance): string[] {
	return stepIds.filter((id) => set.members.some((member) => member.plan.steps.includes(id)));
}

/** What the phase means and what Enter does now. */
function phaseText(set: SetMaintenance, runner: SetRunner): string[] {
	const count = runner.targets.length;
	switch (set.phase) {
		case 'preparing': {
			return [`Preparing the maintenance of ${count} servers: reading the journal, the configuration and the runtime…`];
		}

		case 'ready': {
			// What the journal (and a take-over) leaves to run: a drain found made runs confirm only.
			const steps = stepsToRun(set);
			return [`Enter runs ${andList(steps) || 'nothing'} for ${everyOne(count)} as one maintenance${steps.includes('drain') ? ': one list of drains, one y' : ''}.`];
		}

		case 'running': {
			return [
				set.kind === 'drain' && set.reapplied.length > 0
					? `Confirm again for ${set.reapplied.join(', ')}: in rotation meanwhile, so new traffic must go elsewhere again and the sessions taken meanwhile end…`
					: set.kind === 'drain'
					? `${stepsToRun(set).join(', ').replace(/^./, (first) => first.toUpperCase())}: each step for ${everyOne(count)} before the next…`
					: `Maintain: waiting until each of the ${count} is healthy (--ready-timeout at most); then one y for the readies, and traffic proven back to each…`,
			];
		}

		case 'drained': {
			// What HAProxy shows now, not what was confirmed then: a drain undone since is said at once.
			if (set.inRotation.length > 0) {
				const back = wordsFor(set.inRotation.length);
				return set.reapplying
					? [`Putting the drain back on ${set.inRotation.join(', ')}: the capacity is read again before each, and each drain is read back after it is sent…`]
					: [
							`⚠ ${set.inRotation.join(', ')} ${back.is} back in rotation: HAProxy no longer shows ${back.it} drained (a reload without a server-state file, or someone set ${back.it} ready). Do not work on ${back.it}.`,
							`r puts the drain back (asks first). Enter sends nothing while a drain is lost: it closes that server's maintenance and says how to put the others back.`,
						];
			}

			// A server HAProxy's last read does not show is not said to be drained now: it was.
			const are = set.unshown.length > 0 ? 'were' : 'are';
			const unshown = set.unshown.length > 0 ? ` HAProxy's last read does not show ${set.unshown.join(', ')} (removed from HAProxy, or its instance does not answer).` : '';
			return [
				set.reapplied.length === 0
					? `${EveryOne(count)} ${are} drained and confirmed.${unshown} Do the work now.`
					: `${EveryOne(count)} ${are} drained and confirmed (confirm ran again for ${set.reapplied.join(', ')} after r put ${wordsFor(set.reapplied.length).its} drain back).${unshown} Do the work now.`,
				'Enter when it is done: maintain waits until each is healthy, then one list of readies, one y, and traffic is proven to return to each.',
			];
		}

		case 'restored': {
			// A server this restore found not drained (its drain lost, or restored on its own before) is not claimed as restored by it.
			const outside = set.members.filter((member) => !member.plan.steps.includes('restore')).map((member) => member.label);
			const restored = set.members.filter((member) => member.plan.steps.includes('restore')).map((member) => member.label);
			if (outside.length === 0 || restored.length === 0) {
				return [`${EveryOne(count)} are back in rotation; the maintenance of ${runner.label} is finished.`];
			}

			const words = wordsFor(outside.length);
			return [
				`${restored.join(', ')} ${wordsFor(restored.length).is} back in rotation, with restore's checks. ${outside.join(', ')} ${words.is} in rotation already: this restore found ${words.it} not drained, so its checks did not run for ${words.it}. The maintenance of ${runner.label} is finished.`,
			];
		}

		case 'failed': {
			// The restore stopped, then HAProxy showed every server back (a restore outside this screen): what stopped it is history.
			if (set.kind === 'restore' && set.inRotation.length === count) {
				return [
					`HAProxy now shows none of ${runner.label} drained: ${everyOne(count)} are back in rotation, put back outside this screen after the restore here stopped (see above).`,
					'Esc goes back to the grid; Enter reads the journal again and says where each server stands.',
				];
			}

			return [`✗ ${set.failure?.message ?? 'The maintenance stopped.'}`, `Enter tries the ${set.kind} again from where the journal says each server stands.${set.drainedNow.length > 0 && !set.failure?.namesRestore && runner.restore !== null ? ` Or put them back headless: ${runner.restore}` : ''}`];
		}
	}
}

/** The keys that do something now. */
function keysText(set: SetMaintenance): string {
	if (set.prompt) {
		return promptKeys(set.prompt);
	}

	const lost = set.phase === 'drained' && set.inRotation.length > 0;
	if (set.reapplying) {
		return 'q quit · ? help';
	}

	const enter = set.phase === 'ready' ? 'Enter drain all' : set.phase === 'drained' ? (lost ? 'r re-apply the drain' : 'Enter when the work is done: restore all') : set.phase === 'failed' ? 'Enter try again' : set.phase === 'restored' ? 'Enter back to the grid' : '';
	return [enter, 'q quit', set.canGoBack && set.phase !== 'restored' ? 'Esc back to the grid' : '', '? help'].filter(Boolean).join(' · ');
}
