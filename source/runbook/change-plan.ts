import type {Server} from '../model/types.js';
import type {RuntimeClient} from '../poll/client.js';
import type {CommandOutcome} from '../runtime/connection.js';
import {commands, type AgentAction, type ServerAdminState} from '../runtime/commands.js';
import {formatTarget, type Target} from '../runtime/names.js';
import {journaledMaintenance, type RunbookContext} from './context.js';
import type {TargetView} from './read-target.js';
import {drainSet} from '../model/server-condition.js';

/** A change the runbook asks for: an admin state, or closing the target's sessions. */
export type Change = {kind: 'state'; state: ServerAdminState} | {kind: 'shutdown-sessions'};

/** One command sent to one instance. */
export type InstanceCommand = {kind: 'state'; state: ServerAdminState} | {kind: 'agent'; action: AgentAction} | {kind: 'shutdown-sessions'};

/** What is sent where, in order, and what the operator should know about it. */
type ChangePlan = {
	/** The command the change is about (`set server B/S state drain`). */
	main: string;
	/** Every distinct command line, in the order they are sent. */
	lines: string[];
	bySocket: Map<string, InstanceCommand[]>;
	notes: string[];
};

export function commandLine(target: Target, command: InstanceCommand): string {
	return command.kind === 'state'
		? commands.setServerState(target, command.state)
		: command.kind === 'agent'
			? commands.agentCheck(target, command.action)
			: commands.shutdownSessions(target);
}

export async function sendCommand(client: RuntimeClient, target: Target, command: InstanceCommand): Promise<CommandOutcome> {
	return command.kind === 'state'
		? client.setServerState(target, command.state)
		: command.kind === 'agent'
			? client.agentCheck(target, command.action)
			: client.shutdownSessions(target);
}

/** Whether a server as read shows the command applied; undefined when a read cannot tell. */
export function showsApplied(server: Server, command: InstanceCommand): boolean | undefined {
	if (command.kind === 'agent') {
		return server.agentCheck === (command.action === 'disable' ? 'disabled' : 'enabled');
	}

	if (command.kind === 'shutdown-sessions') {
		return undefined;
	}

	const drained = drainSet(server);
	const maint = server.adminFlags.includes('FMAINT');
	return command.state === 'drain' ? drained && !maint : command.state === 'maint' ? maint : !drained && !maint;
}

/** The command that takes one back, given the server as it was before; none for closed sessions. */
export function undoOf(command: InstanceCommand, before: Server): InstanceCommand | undefined {
	if (command.kind === 'agent') {
		return {kind: 'agent', action: command.action === 'disable' ? 'enable' : 'disable'};
	}

	return command.kind === 'state' ? {kind: 'state', state: adminStateOf(before)} : undefined;
}

/** The admin state to send to put a server back as it was: maint, drain, or ready. */
function adminStateOf(server: Pick<Server, 'adminFlags'>): ServerAdminState {
	return server.adminFlags.includes('FMAINT') ? 'maint' : drainSet(server) ? 'drain' : 'ready';
}

/**
 * What to send on each instance, from what HAProxy shows now. A drain stops an enabled
 * agent-check first (its agent answering `ready` would undo the drain); `ready` starts it again
 * afterwards where the journal shows this maintenance stopped it, and only there.
 */
export function planChange(context: RunbookContext, change: Change, views: readonly TargetView[]): ChangePlan {
	const {target} = context;
	const main: InstanceCommand = change.kind === 'state' ? {kind: 'state', state: change.state} : {kind: 'shutdown-sessions'};
	const bySocket = new Map<string, InstanceCommand[]>();
	const notes: string[] = [];
	const disabledByUs = change.kind === 'state' && change.state === 'ready' && views.some((view) => view.server?.agentCheck === 'disabled') ? agentDisabledByThisMaintenance(context) : false;
	for (const view of views) {
		const agent = view.server?.agentCheck ?? 'none';
		const list: InstanceCommand[] = [];
		if (main.kind === 'state' && main.state === 'drain' && agent === 'enabled') {
			list.push({kind: 'agent', action: 'disable'});
		}

		list.push(main);
		if (main.kind === 'state' && main.state === 'ready' && agent === 'disabled') {
			if (disabledByUs) {
				list.push({kind: 'agent', action: 'enable'});
			} else {
				notes.push(
					`The agent-check of ${formatTarget(target)}${context.clients.length > 1 ? ` on ${view.socket}` : ''} is disabled, and the journal does not show this maintenance disabling it, so it stays disabled; send "${commands.agentCheck(target, 'enable')}" if it should run again.`,
				);
			}
		}

		bySocket.set(view.socket, list);
	}

	const lines = [...new Set([...bySocket.values()].flat().map((command) => commandLine(target, command)))];
	return {main: commandLine(target, main), lines, bySocket, notes};
}

/** Two plans send the same commands to the same instances. */
export function samePlan(a: ChangePlan, b: ChangePlan): boolean {
	return a.bySocket.size === b.bySocket.size && [...a.bySocket].every(([socket, list]) => JSON.stringify(b.bySocket.get(socket)) === JSON.stringify(list));
}

/** Read from the journal at the moment of the decision, so a later process decides alike. */
function agentDisabledByThisMaintenance(context: RunbookContext): boolean {
	try {
		return journaledMaintenance(context)?.agentDisabled ?? false;
	} catch {
		return false;
	}
}
