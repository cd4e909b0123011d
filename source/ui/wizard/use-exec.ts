import {useEffect, useRef, useState} from 'react';
import type {PollView} from '../../poll/pool-poller.js';
import type {RunbookContext} from '../../runbook/context.js';
import {execOutcomeText, runExec} from '../../runbook/run-exec.js';
import {visible} from '../../visible-text.js';
import type {RunbookHandle} from './use-runbook.js';

/** Lines of the command's output kept for the screen (the journal has its start and its end). */
const keptLines = 200;

/** The roll's command at maintain, as the wizard shows it. */
export type ExecView = {
	command: string;
	status: 'waiting' | 'running' | 'passed' | 'failed';
	/** Its output, stdout and stderr as they came, control characters made visible; the last {@link keptLines}. */
	lines: string[];
	/** `exited with 0`, `was killed by SIGTERM`, … once it ended. */
	outcome: string | null;
};

/**
 * `drainboard roll <backend> --exec CMD` in the wizard: once the target is drained and confirmed
 * (maintain is the step, nothing runs, no question is open, HAProxy answers), runs CMD once for
 * this server with its output streamed to the screen. Exit 0 is "the work is done": maintain's
 * check starts (the health wait), as Enter would. Anything else leaves the server drained at
 * maintain with why; the operator may do the work by hand, then Enter. Journaled as the headless
 * roll journals it. Stopped when the wizard goes (quit, a signal).
 */
export function useExec(command: string | undefined, handle: RunbookHandle, context: RunbookContext, view: PollView): ExecView | null {
	const [exec, setExec] = useState<ExecView | null>(command === undefined ? null : {command, status: 'waiting', lines: [], outcome: null});
	const stop = useRef<(() => Promise<void>) | undefined>(undefined);
	const started = useRef(false);
	const {state, running, paused} = handle;
	const ready = command !== undefined && state.current === 'maintain' && state.steps.maintain.status === 'pending' && state.drained && !running && !state.prompt && !paused;
	// The group is sent SIGTERM at once; the app waits for it to end (run-interactive.tsx, stopRunningExecs) before drainboard does.
	useEffect(
		() => () => {
			void stop.current?.();
		},
		[],
	);
	useEffect(() => {
		if (!ready || started.current || command === undefined) {
			return;
		}

		started.current = true;
		const {backend, server} = context.target;
		const row = view.pool?.instances[0]?.backends.find((candidate) => candidate.name === backend)?.servers.find((candidate) => candidate.server === server);
		let partial = '';
		const add = (text: string) => {
			const pieces = (partial + text).split('\n');
			partial = pieces.pop() ?? '';
			if (pieces.length > 0) {
				setExec((now) => (now ? {...now, lines: [...now.lines, ...pieces.map((line) => visible(line.replace(/\r$/, '')))].slice(-keptLines)} : now));
			}
		};

		const child = runExec(command, {backend, server, address: row?.address ?? '', port: row?.port ?? null}, add);
		context.journal.appendGuarded({step: 'maintain', event: 'check', check: 'exec', detail: `--exec started: ${command}`, ...(child.group ? {evidence: {group: child.group}} : {})});
		stop.current = child.stop;
		setExec((now) => (now ? {...now, status: 'running'} : now));
		void child.done.then((outcome) => {
			stop.current = undefined;
			const ended = `--exec ${execOutcomeText(outcome)}`;
			const passed = outcome.exitCode === 0;
			context.journal.appendGuarded({step: 'maintain', event: 'check', check: 'exec', verdict: passed ? 'pass' : 'fail', observed: ended, detail: command});
			setExec((now) => (now ? {...now, status: passed ? 'passed' : 'failed', outcome: ended, lines: partial ? [...now.lines, visible(partial)].slice(-keptLines) : now.lines} : now));
			if (passed) {
				// The work is done: maintain's own check (the health wait) starts, as Enter would.
				handle.runCurrent();
			}
		});
		// Started once per server: the effect runs again only to find it no longer waiting.
	}, [ready, command, context, view, handle]);
	return exec;
}
