import React, {useState} from 'react';
import type {PollView} from '../../model/pool-poller.js';
import type {PreparedMaintenance} from '../../runbook/prepare.js';
import type {TerminalSize} from '../use-terminal-size.js';
import {useRunbook} from './use-runbook.js';
import {useWizardKeys} from './use-wizard-keys.js';
import {WizardScreen} from './wizard-screen.js';

/** What the app must say after it exits (a target left drained, and how to come back). */
export type ExitNote = {drained: boolean; target: string; journal: string};

type Props = {
	prepared: PreparedMaintenance;
	view: PollView;
	size: TerminalSize;
	now: number;
	freshAt?: number | null;
	onQuit: () => void;
	onBack: () => void;
	onExtraKey?: (char: string) => void;
	exitNote: {current: ExitNote | null};
};

/** The wizard over one maintenance: state, keys, screen. */
export function WizardApp({prepared, view, size, now, freshAt, onQuit, onBack, onExtraKey, exitNote}: Props) {
	const handle = useRunbook(prepared, view);
	const [help, setHelp] = useState(false);
	const [urlText, setUrlText] = useState('');
	exitNote.current = {drained: handle.state.drained, target: handle.label, journal: prepared.context.journal.file};
	useWizardKeys(handle, {
		urlText,
		setUrlText,
		onBack,
		onExtraKey,
		onHelp() {
			setHelp((shown) => !shown);
		},
		onQuit() {
			void handle.confirmQuit().then((yes) => {
				if (yes) {
					onQuit();
				}
			});
		},
	});
	return <WizardScreen handle={handle} view={view} size={size} now={now} freshAt={freshAt} help={help} urlText={urlText} />;
}
