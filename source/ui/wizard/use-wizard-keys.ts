import type {Key} from 'ink';
import {useRef} from 'react';
import {splitKeys} from '../key-chunks.js';
import {useKeys} from '../keys.js';
import type {RunbookHandle} from './use-runbook.js';

type Handlers = {
	onQuit: () => void;
	/** Back to the grid; `done`: the maintenance finished (the grid moves on to the next server). */
	onBack: (done: boolean) => void;
	onHelp: () => void;
	onExtraKey?: (char: string) => void;
	urlText: string;
	setUrlText: (text: string) => void;
	/** The listener choice is open: it reads its own keys; Esc closes it. */
	choosing?: boolean;
	/** The help is shown: Esc closes it (as ? does). */
	helpShown?: boolean;
	/** A key pressed while the help is shown: true when it scrolled the help (then it does nothing else). */
	scrollHelp?: (input: string, key: Partial<Key>) => boolean;
	onCloseChoice?: () => void;
};

/**
 * Keys of the wizard. With a prompt open only y, n, Esc and q (quit, as Ctrl-C) act: Enter never
 * confirms a state change. Without a prompt, y and n do nothing. Esc goes back to the grid while nothing this
 * maintenance drained is out of rotation; once it finished, Enter goes back too.
 */
export function useWizardKeys(handle: RunbookHandle, handlers: Handlers): void {
	// Keys can arrive faster than frames: keep the text typed so far between handler calls.
	const typed = useRef(handlers.urlText);
	useKeys((input, key) => {
		let url = typed.current;
		// The prompt as these keys find it: answered by one of them, it is closed for the ones after
		// (`y` then `q` in one chunk: the q quits, as it would a frame later).
		let promptOpen = handle.state.prompt !== null;
		for (const press of splitKeys(input, key)) {
			const char = press.input;
			if (handlers.choosing) {
				if (press.key.escape) {
					handlers.onCloseChoice?.();
				}

				return;
			}

			if (handlers.helpShown && press.key.escape) {
				handlers.onHelp();
				continue;
			}

			if (handlers.helpShown && handlers.scrollHelp?.(char, press.key)) {
				continue;
			}

			if (promptOpen) {
				if (char === 'y' || char === 'Y') {
					handle.answer(true);
					promptOpen = false;
				} else if (char === 'n' || char === 'N' || press.key.escape) {
					handle.answer(false);
					promptOpen = false;
				} else if (char === 'q' && handle.state.prompt?.id !== 'quit') {
					// As Ctrl-C: quitting asks first while drained (the question open is answered no if it goes on).
					handlers.onQuit();
					return;
				}

				continue;
			}

			if (handle.needsUrl && handle.state.current === 'baseline') {
				if (press.key.return && url.trim() === '' && handle.urlOptional) {
					// --proof auto without a URL: baseline runs on live traffic if the backend carries enough.
					handle.runCurrent();
				} else if (press.key.return) {
					handle.setUrl(url);
				} else if (press.key.escape && url === '' && handle.canGoBack) {
					// Nothing typed, nothing drained: Esc leaves, as at any other step (q is part of what is typed).
					handle.leave();
					handlers.onBack(false);
					return;
				} else if (press.key.escape) {
					url = '';
				} else if (press.key.backspace || press.key.delete) {
					url = url.slice(0, -1);
				} else if (char && !press.key.ctrl && !press.key.meta && !press.key.tab && !press.key.upArrow && !press.key.downArrow) {
					url += char;
				}

				continue;
			}

			if ((press.key.return && handle.state.finished) || (press.key.escape && handle.canGoBack)) {
				handle.leave();
				handlers.onBack(handle.state.finished);
				return;
			}

			if (press.key.escape) {
				handle.explainNoBack();
			} else if (press.key.return) {
				handle.runCurrent();
			} else if (char === 'q') {
				handlers.onQuit();
				return;
			} else if (char === 'r') {
				handle.reapplyDrain();
			} else if (char === 'b') {
				handle.restoreNow();
			} else if (char === '?') {
				handlers.onHelp();
			} else if (char.length === 1) {
				handlers.onExtraKey?.(char);
			}
		}

		if (url !== typed.current) {
			typed.current = url;
			handlers.setUrlText(url);
		}
	});
}
