import {useEffect} from 'react';
import {isHealthy} from '../../model/server-condition.js';
import {notReadyClause} from '../../runbook/change-guards.js';
import type {RunbookContext} from '../../runbook/context.js';
import {readTarget} from '../../runbook/read-target.js';
import type {Prompt} from '../../runbook/state.js';
import {PromptWithdrawn} from '../../runbook/state-change.js';
import {formatTarget} from '../../runtime/names.js';

/**
 * While `ready` waits for y, the target's health is read from HAProxy every half second (a poll
 * of the grid can miss a server that came back and failed again): unhealthy, the question is
 * taken back (`withdraw`), so "state ready" is never sent to a server that is down.
 */
export function useReadyWatch(prompt: Prompt | null, context: RunbookContext, open: {isOpen: (prompt: Prompt) => boolean; withdraw: (error: Error) => void}): void {
	const {isOpen, withdraw} = open;
	useEffect(() => {
		if (prompt?.kind !== 'command' || !prompt.command.endsWith(' state ready') || !isOpen(prompt)) {
			return undefined;
		}

		const label = formatTarget(context.target);
		const watching = new AbortController();
		let timer: ReturnType<typeof setTimeout> | undefined;
		const look = async () => {
			const views = await readTarget(context, watching.signal).catch(() => undefined);
			const sick = views?.find((one) => one.server && !isHealthy(one.server));
			if (watching.signal.aborted || !isOpen(prompt)) {
				return;
			}

			if (sick?.server) {
				withdraw(new PromptWithdrawn(`The question was withdrawn: ${label} ${notReadyClause(sick.server, {where: context.clients.length > 1 ? ` on ${sick.socket}` : '', withdrawn: true, at: context.clock.now()})}`));
				return;
			}

			timer = setTimeout(() => void look(), 500);
		};

		timer = setTimeout(() => void look(), 500);
		return () => {
			watching.abort();
			clearTimeout(timer);
		};
		// The watch follows the prompt; isOpen and withdraw read the live resolver, whatever render made them.
	}, [prompt, context]);
}
