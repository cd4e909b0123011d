import {createContext, useContext} from 'react';
import {stopSignals, type ExitCode, type StopSignal} from '../errors.js';
import type {ExitNote} from './wizard/exit-note.js';

/** The screen on top's say before the app ends (the wizard while its target is drained). */
type QuitGuard = {
	/** Asks the operator when it must; resolves true when the app may end. */
	confirm(): Promise<boolean>;
	/** Ctrl-C again while `confirm` asks: the operator insists, it is a yes. */
	insist(): void;
};

/** How the app ends: an exit code, or the error of a crash (Ink rejects `waitUntilExit` with it). */
export type Ending = ExitCode | Error;

/**
 * The one owner of the app's end, as Shopify cli-kit's InkLifecycleRoot: `q`, Ctrl-C (Ink's
 * `exitOnCtrlC` is off), SIGINT/SIGTERM/SIGHUP and a crash all come here, and it decides. The
 * keys ask the screen's guard first (the wizard asks while its target is drained) and end with 0
 * (`q`) or 130 (Ctrl-C); a signal ends at once with 128 + its number (whoever sent it is not at
 * the keyboard to answer); the note the wizard left is printed after the terminal is given back.
 * Only the root component, which {@link attach}es here, calls Ink's `exit`.
 */
export class ExitOwner {
	/** What to print once the app has ended (the wizard keeps it current); null: nothing. */
	note: ExitNote | null = null;
	/** What to print once the app has ended, already as text (the wizard of several servers keeps it current); null: nothing. */
	noteText: string | null = null;
	/** The signal that ended the app, if one did. */
	stoppedBy: StopSignal | null = null;
	private guard: QuitGuard | undefined;
	private asking = false;

	/** A quit was asked for and its guard has not decided yet (q pressed, the question not answered). */
	get deciding(): boolean {
		return this.asking;
	}
	private end: ((ending: Ending) => void) | undefined;
	private ending: Ending | undefined;

	/** The root's way to end the app; an ending decided before it attached is handed over at once. */
	attach(end: (ending: Ending) => void): () => void {
		this.end = end;
		if (this.ending !== undefined) {
			end(this.ending);
		}

		return () => {
			if (this.end === end) {
				this.end = undefined;
			}
		};
	}

	/** A screen that must be asked before the app ends; returns its removal. */
	guardWith(guard: QuitGuard): () => void {
		this.guard = guard;
		return () => {
			if (this.guard === guard) {
				this.guard = undefined;
			}
		};
	}

	/** `q`: asks the guard (if a screen set one), then ends with `code`. */
	quit(code: ExitCode = 0): void {
		const {guard} = this;
		if (this.asking || this.ending !== undefined) {
			return;
		}

		if (!guard) {
			this.finish(code);
			return;
		}

		this.asking = true;
		void guard.confirm().then(
			(yes) => {
				this.asking = false;
				if (yes) {
					this.finish(code);
				}
			},
			() => {
				this.asking = false;
			},
		);
	}

	/** Ctrl-C: as `q`, with 130; pressed again while the guard asks, it is the yes. */
	interrupt(): void {
		if (this.asking) {
			this.guard?.insist();
			return;
		}

		this.quit(stopSignals.SIGINT);
	}

	/** SIGINT, SIGTERM, SIGHUP: nobody to ask; ends with 128 + the signal's number. */
	signal(signal: StopSignal): void {
		this.stoppedBy ??= signal;
		this.finish(stopSignals[signal]);
	}

	/** An error nothing caught below the root. */
	crash(error: Error): void {
		this.finish(error);
	}

	private finish(ending: Ending): void {
		if (this.ending !== undefined) {
			return;
		}

		this.ending = ending;
		this.end?.(ending);
	}
}

export const ExitOwnerContext = createContext<ExitOwner | undefined>(undefined);

/** The app's exit owner (a screen rendered on its own gets a private one). */
export function useExitOwner(): ExitOwner {
	const owner = useContext(ExitOwnerContext);
	if (!owner) {
		throw new Error('useExitOwner outside the App');
	}

	return owner;
}
