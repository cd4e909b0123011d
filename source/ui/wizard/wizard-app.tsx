import React, {useEffect, useMemo, useState} from 'react';
import type {PollView} from '../../poll/pool-poller.js';
import type {PreparedMaintenance} from '../../runbook/prepare.js';
import type {TerminalSize} from '../use-terminal-size.js';
import {useExitOwner} from '../exit-owner.js';
import {exitNoteOf} from './exit-note.js';
import {useRunbook, type PollAccess} from './use-runbook.js';
import {probeFor} from '../../probe/create-probe.js';
import {canChooseListener, noListenerChoice} from './listener-choice.js';
import {useExec} from './use-exec.js';
import {useWizardKeys} from './use-wizard-keys.js';
import {WizardScreen} from './wizard-screen.js';
import {useHelpScroll, type KeyHelp} from '../help-overlay.js';

type Props = {
	prepared: PreparedMaintenance;
	view: PollView;
	size: TerminalSize;
	now: number;
	freshAt?: number | null;
	/** The poller behind `view`: when HAProxy last answered, and a poll now (after a step). */
	poll?: PollAccess;
	onQuit: () => void;
	/** Back to the grid; `done`: the maintenance finished. */
	onBack: (done: boolean) => void;
	onExtraKey?: (char: string) => void;
	/** What those keys do, for the help. */
	extraKeys?: readonly KeyHelp[];
	/** Resume the open maintenance without asking (chosen from the grid's banner). */
	resumeNow?: boolean;
	/** What Enter does once the maintenance is done (default: back to the grid, on the next server). */
	afterEnd?: string;
	/** Where Esc goes (default: the grid). */
	backTo?: string;
	/** A roll's --exec: run at maintain, its exit 0 taken as "the work is done". */
	exec?: string;
};

/** The wizard over one maintenance: state, keys, screen. */
export function WizardApp({prepared, view, size, now, freshAt, poll, onQuit, onBack, onExtraKey, extraKeys, resumeNow = false, afterEnd, backTo, exec: command}: Props) {
	const handle = useRunbook(prepared, view, {poll, resumeNow, onLeave: () => onBack(false)});
	const exec = useExec(command, handle, prepared.context, view);
	const [help, setHelp] = useState(false);
	const helpScroll = useHelpScroll(help);
	const [urlText, setUrlText] = useState('');
	// `l`: the listener choice is open (its own keys; the wizard's wait).
	const [choosing, setChoosing] = useState(false);
	const owner = useExitOwner();
	const {confirmQuit, insistQuit, state} = handle;
	// What the app prints after it ends follows what HAProxy last showed (the owner prints it).
	useEffect(() => {
		owner.note = exitNoteOf(prepared.context.target, prepared.comeBack, state, state.seen);
	}, [owner, prepared, state]);
	// While this wizard is on screen, q, Ctrl-C ask it first.
	useEffect(() => owner.guardWith({confirm: confirmQuit, insist: insistQuit}), [owner, confirmQuit, insistQuit]);
	// While the roll's command runs, Enter does not say the work is done: its exit does.
	const keysHandle = useMemo(() => (exec?.status === 'running' ? {...handle, runCurrent: () => undefined} : handle), [exec?.status, handle]);
	useWizardKeys(keysHandle, {
		urlText,
		setUrlText,
		onBack,
		onExtraKey(char) {
			if (char === 'l' && canChooseListener(handle)) {
				setChoosing(true);
			} else if (char === 'l' && !handle.state.finished) {
				// Said, rather than nothing at all.
				handle.say(noListenerChoice(handle));
			} else {
				onExtraKey?.(char);
			}
		},
		choosing,
		helpShown: help,
		scrollHelp: helpScroll.scroll,
		onCloseChoice() {
			setChoosing(false);
		},
		onHelp() {
			setHelp((shown) => !shown);
		},
		onQuit,
	});
	return (
		<WizardScreen
			handle={handle} view={view} size={size} now={now} freshAt={freshAt} help={help} helpScroll={helpScroll} urlText={urlText} afterEnd={afterEnd} backTo={backTo}
			extraKeys={extraKeys}
			exec={exec}
			listenerChoice={
				choosing && canChooseListener(handle)
					? (index) => {
							const chosen = handle.state.listeners[index];
							setChoosing(false);
							if (chosen) {
								const {context} = prepared;
								const was = context.probe?.url;
								const probe = probeFor(chosen.target);
								context.store.dispatch({type: 'probe-set', probe, source: `${chosen.source}, chosen by the operator`});
								// In the journal as what the traffic checks after it went through.
								context.journal.appendGuarded({
									step: handle.state.current,
									event: 'check',
									check: 'listener-chosen',
									verdict: 'pass',
									observed: `The operator chose ${probe.url} (${chosen.source}) for the traffic checks${was === undefined ? '' : `, instead of ${was}`}.`,
								});
							}
						}
					: undefined
			}
		/>
	);
}
