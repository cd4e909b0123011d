import {DrainboardError, sentenceOf, type ErrorCode} from '../errors.js';
import type {JournalInstance} from './journal.js';
import {visible} from '../visible-text.js';
import type {Server} from '../model/types.js';
import {formatTarget} from '../runtime/names.js';
import {RuntimeApiError} from '../runtime/runtime-error.js';
import {commandLine, planChange, samePlan, sendCommand, undoOf, type Change, type InstanceCommand} from './change-plan.js';
import {ChangeRefusedError, emptiedBy, othersDrain, refuseNeedless, refuseUnsafe} from './change-guards.js';
import {markText} from './drain-mark.js';
import type {RunbookContext, RunbookIo} from './context.js';
import {statusCommand} from './come-back.js';
import {readBackAfterFailure, sendPutBack} from './read-back.js';
import {readTarget, type TargetView} from './read-target.js';
import type {DrainOutcome} from './state.js';
import type {StepId} from './steps.js';


/**
 * The operator declined a prompt, or a signal came before the command confirmed was sent: the
 * step goes back to pending, nothing was changed. `reason`: which of the two, for the journal.
 */
export class Cancelled extends Error {
	readonly reason: string;

	constructor(reason = 'the operator answered no') {
		super(`cancelled: ${reason}`);
		this.name = 'Cancelled';
		this.reason = reason;
	}
}

/** The wizard took a question back because what it asked about no longer holds: nothing was sent. */
export class PromptWithdrawn extends DrainboardError {
	constructor(sentence: string) {
		super(sentence, 1);
		this.name = 'PromptWithdrawn';
	}
}

/** A state change in a dry run: planned, shown in `wouldSend`, never sent. */
export class NotSentInDryRun extends Error {
	readonly lines: string[];
	/** What the change would also do, in a sentence (end another operator's maintenance). */
	readonly note: string | null;

	constructor(lines: string[], note: string | null = null) {
		super('dry run: nothing is sent');
		this.name = 'NotSentInDryRun';
		this.lines = lines;
		this.note = note;
	}
}

/** What was sent and what each instance answered. */
export type ChangeOutcome = {
	command: string;
	/** Every command line sent. */
	commands: string[];
	replies: Array<{socket: string; ok: boolean; reply: string}>;
	/** What the operator should know: a lost reply whose change was read back applied, an agent left alone (a warning). */
	notes: string[];
	/** Said after the accepted change, not a warning: whose maintenance a --take-over ended. */
	remarks: string[];
	/** A drain: the target's backend read right after, on every instance. */
	after?: TargetView[];
	/**
	 * When the state command was applied (`context.clock`): its accepted reply, journaled at that
	 * moment, or its sending when a lost reply was read back applied. Not when the change returns:
	 * the read-back and the drain's note come after, and take longer the busier the host.
	 */
	appliedAt: number;
};

type Client = RunbookContext['clients'][number];
type Done = {client: Client; command: InstanceCommand; before: Server};

/**
 * Reads the target on every instance and refuses what would be unsafe now (see refuseUnsafe);
 * takes the backend's lock (a drain keeps it until confirm ends); shows every command and waits for the operator's yes;
 * journals the intent (a journal that cannot be written stops here, before anything is sent);
 * reads again and refuses again if HAProxy changed meanwhile; then sends instance by instance and
 * journals each reply. A reply that fails or never comes is followed by a read-back on a fresh
 * connection: a change proven applied goes on (said in the notes); one not applied, or not known,
 * puts back what this call changed. A drain is read back right after on every instance: when the
 * backend has no other server serving any more, the target is put back at once. What became of a
 * drain is recorded as `facts.drainOutcome`. Throws {@link Cancelled} on no.
 */
export async function changeState(context: RunbookContext, io: RunbookIo, step: StepId, change: Change, why: string): Promise<ChangeOutcome> {
	const drain = change.kind === 'state' && change.state === 'drain';
	const ready = change.kind === 'state' && change.state === 'ready';
	const shown = await readTarget(context, io.signal, drain);
	refuseNeedless(context, change, shown);
	refuseUnsafe(context, change, shown);
	const taken = ready ? await othersDrain(context, shown, io.signal) : null;
	const plan = planChange(context, change, shown);
	if (context.options.dryRun) {
		throw new NotSentInDryRun(plan.lines, taken ? `It would end ${markText(taken)}: taken over.` : null);
	}

	// Every state change holds the backend's lock while it is asked and sent: a restore, like a
	// drain, is refused while another drainboard is between its capacity check and its confirm.
	const took = !context.lock.isHeld;
	if (took) {
		await context.lock.take(`${drain ? 'drain' : change.kind === 'state' ? 'restore' : 'change'} of ${formatTarget(context.target)}`, io.signal);
	}

	try {
		const yes = await io.ask({
			kind: 'command',
			id: `${step}:${plan.main}`,
			command: plan.main,
			...(plan.lines.length > 1 ? {commands: plan.lines} : {}),
			why: taken ? `${why} It ends ${markText(taken)}: taken over.` : why,
			sockets: context.clients.map((client) => client.socket),
		});
		if (!yes) {
			throw new Cancelled();
		}

		// From the operator's yes to the outcome nothing waits on the operator: a quit or a signal waits for it.
		return await inFlight(
			(async () => {
				if (taken) {
					context.journal.append({step, event: 'override', detail: `--take-over: restoring ${formatTarget(context.target)}, drained by ${markText(taken)}`});
				}

				const views = await readTarget(context, io.signal, drain);
				refuseNeedless(context, change, views);
				refuseUnsafe(context, change, views);
				if (!samePlan(plan, planChange(context, change, views))) {
					throw new ChangeRefusedError(`HAProxy changed ${formatTarget(context.target)}'s agent-check while the question was open, so nothing was sent; run the step again to see the commands it needs now.`);
				}

				// After a signal nothing new is sent: the run ends with what HAProxy shows now.
				if (changesStopped) {
					throw new Cancelled(`a signal stopped the run before "${plan.main}" was sent; nothing was sent`);
				}

				// Journaled before it is sent (a crash then leaves it on record), once the last read let it go: a command refused on that read was never sent, and is not journaled as one.
				for (const line of plan.lines) {
					context.journal.append({step, event: 'command', command: line, detail: why, instances: instancesSeen(views)});
				}

				return sendAndCheck(context, io, step, {plan, views, drain, ready, taken});
			})(),
		);
	} finally {
		if (took) {
			context.lock.release();
		}
	}
}

type Sending = {plan: ReturnType<typeof planChange>; views: TargetView[]; drain: boolean; ready: boolean; taken: Awaited<ReturnType<typeof othersDrain>>};

/** Sends the change, reads a drain back, and records whose drain it is (or removes that record once ready). */
async function sendAndCheck(context: RunbookContext, io: RunbookIo, step: StepId, {plan, views, drain, ready, taken}: Sending): Promise<ChangeOutcome> {
	const sent = await send(context, io, step, plan.bySocket, views, drain);
	const outcome: ChangeOutcome = {command: plan.main, commands: plan.lines, replies: sent.replies, notes: [...sent.notes, ...plan.notes], remarks: [], appliedAt: sent.appliedAt ?? context.clock.now()};
	if (drain) {
		drainLearned(io, 'applied');
		outcome.after = await checkAfterDrain(context, io, step, outcome, sent.done);
		// Every operator's drainboard can now say whose maintenance this drain is.
		const unmarked = await context.marks.write(context.target, context.journal.file, io.signal).catch((error: unknown) => `The note of whose maintenance drained ${formatTarget(context.target)} could not be written (${sentenceOf(error)}).`);
		if (unmarked) {
			outcome.notes.push(unmarked);
		}
	}

	if (ready) {
		await context.marks.end(context.target, context.journal.file, 'ready', io.signal).catch(() => undefined);
		if (taken) {
			outcome.remarks.push(`It had been drained by ${markText(taken)}: that maintenance is over now (taken over).`);
		}
	}

	return outcome;
}

let changesStopped = false;

/** Longest wait, on q or a signal in the wizard, for the answer to a state change on its way. */
export const changeWaitMs = 15_000;

/**
 * After a signal: no state change starts any more (one already on its way is waited for with
 * {@link changesSettled}). A change counts as on its way from the operator's yes; this is checked
 * right before its command is sent, so it is either never sent or waited for.
 */
export function stopChanges(): void {
	changesStopped = true;
}

/** The sends under way (and their read-backs and put-backs): a signal waits for them before it says where the target stands. */
const sending = new Set<Promise<unknown>>();

function inFlight<T>(promise: Promise<T>): Promise<T> {
	sending.add(promise);
	void promise.then(
		() => sending.delete(promise),
		() => sending.delete(promise),
	);
	return promise;
}

/**
 * Waits until no state change is being sent (at most `timeoutMs`): a command written to HAProxy
 * is applied whether or not its reply is read, so what the target's state is can only be said
 * once it has been answered. True when none is left, false when one still waits.
 */
export async function changesSettled(timeoutMs: number): Promise<boolean> {
	if (sending.size === 0) {
		return true;
	}

	let timer: NodeJS.Timeout | undefined;
	const timedOut = new Promise<boolean>((resolve) => {
		timer = setTimeout(() => resolve(false), timeoutMs);
	});
	try {
		const settled = await Promise.race([Promise.allSettled([...sending]).then(() => true), timedOut]);
		// What the caller of the change does with its outcome (the step's drain-changed) runs without
		// I/O: one turn of the event loop lets it finish before the state is read.
		await new Promise((resolve) => {
			setImmediate(resolve);
		});
		return settled;
	} finally {
		clearTimeout(timer);
	}
}

/** Whether a state change is being sent now. */
export const changeInFlight = (): boolean => sending.size > 0;

/**
 * The instances as the read before a change showed them, for its journal entries: after a reload
 * the pid and start time are the new process's, not those seen when the maintenance began.
 */
const instancesSeen = (views: readonly TargetView[]): JournalInstance[] =>
	views.map(({socket, snapshot: {instance}}) => ({socket, pid: instance.pid, version: instance.version, startTime: instance.startTime}));

type Sent = {replies: ChangeOutcome['replies']; notes: string[]; done: Done[]; appliedAt: number | undefined};

async function send(context: RunbookContext, io: RunbookIo, step: StepId, bySocket: Map<string, InstanceCommand[]>, views: readonly TargetView[], drain: boolean): Promise<Sent> {
	const replies: ChangeOutcome['replies'] = [];
	const notes: string[] = [];
	const done: Done[] = [];
	// The first instance's: the change is said to be sent when HAProxy first applied it.
	let appliedAt: number | undefined;
	for (const client of context.clients) {
		const before = views.find((view) => view.socket === client.socket)!.server!;
		for (const command of bySocket.get(client.socket) ?? []) {
			const line = commandLine(context.target, command);
			const started = Date.now();
			const sentAt = context.clock.now();
			let outcome: Awaited<ReturnType<typeof sendCommand>>;
			try {
				outcome = await sendCommand(client, context.target, command);
			} catch (error) {
				const reply = error instanceof RuntimeApiError ? (error.reply ?? error.message) : String(error);
				context.journal.appendGuarded({step, event: 'reply', command: line, socket: client.socket, ok: false, reply, instances: instancesSeen(views)});
				const read = await readBackAfterFailure(context, client, command, error, Date.now() - started, io.signal);
				if (read.readBack) {
					context.journal.appendGuarded({step, event: 'check', check: 'read-back', command: line, socket: client.socket, ...(read.applied === undefined ? {} : {ok: read.applied}), observed: read.sentence, instances: instancesSeen(views)});
				}

				if (read.applied === true) {
					if (command.kind === 'state') {
						appliedAt ??= sentAt;
					}

					notes.push(read.sentence);
					replies.push({socket: client.socket, ok: true, reply: '(lost; read back applied)'});
					done.push({client, command, before});
					continue;
				}

				// A reply that never came (read back or not) is reply-lost; a refusal or a command never sent keeps its own code.
				const lost = read.readBack && !(error instanceof RuntimeApiError && (error.kind === 'haproxy-error' || error.kind === 'not-admin' || error.kind === 'unknown-command'));
				const failure = new ChangeFailed(read.sentence, error, undefined, lost ? 'reply-lost' : undefined);
				const partial = done.length === 0 ? undefined : await putBack(context, step, done, {failed: client.socket, line, failure});
				const maybeDrained = isDrain(command) && (read.applied === undefined || (partial?.stuck ?? 0) > 0);
				if (drain) {
					drainLearned(io, maybeDrained ? 'unknown' : 'not-applied');
				}

				if (maybeDrained) {
					// Maybe drained, or drained where it could not be put back: whoever runs this must hear it.
					io.dispatch({type: 'drain-changed', drained: true});
				}

				throw partial ?? failure;
			}

			// Applied: a journal that cannot take the reply any more is said at the end of the run,
			// never taken for a failure of the change itself.
			replies.push({socket: client.socket, ok: true, reply: outcome.reply});
			if (command.kind === 'state') {
				appliedAt ??= context.clock.now();
			}

			context.journal.appendGuarded({step, event: 'reply', command: line, socket: client.socket, ok: true, reply: outcome.reply, instances: instancesSeen(views)});
			done.push({client, command, before});
		}
	}

	return {replies, notes, done, appliedAt};
}

const isDrain = (command: InstanceCommand) => command.kind === 'state' && command.state === 'drain';

const drainLearned = (io: RunbookIo, drainOutcome: DrainOutcome) => {
	io.dispatch({type: 'facts-learned', facts: {drainOutcome}});
};

/**
 * The drain, read back right after on every instance. When some instance has no other active
 * server serving any more (someone drained or stopped them since the check), the target is put
 * back to its previous state at once, and the error says so.
 */
async function checkAfterDrain(context: RunbookContext, io: RunbookIo, step: StepId, outcome: ChangeOutcome, done: readonly Done[]): Promise<TargetView[]> {
	let after: TargetView[];
	try {
		after = await readTarget(context, io.signal, true);
	} catch (error) {
		io.dispatch({type: 'drain-changed', drained: true});
		throw new ChangeFailed(`The drain was accepted, but reading ${formatTarget(context.target)} back right after failed (${sentenceOf(error).replace(/\.$/, '')}); look at the backend now with "${statusCommand(context)}".`, error);
	}

	const empty = emptiedBy(context, after);
	if (!empty) {
		return after;
	}

	const where = context.clients.length > 1 ? ` at ${empty.view.socket}` : '';
	const failure = new ChangeFailed(afterDrainSentence(context, empty, where), undefined, 1, 'capacity');
	const what = empty.capacity.trackers.length + empty.capacity.failing.length > 0;
	const partial = await putBack(context, step, done, {failed: empty.view.socket, line: outcome.command, failure, reason: `no other server serving ${what ? `in ${empty.capacity.backend} ` : ''}right after the drain`});
	drainLearned(io, partial.stuck > 0 ? 'unknown' : 'not-applied');
	if (partial.stuck > 0) {
		io.dispatch({type: 'drain-changed', drained: true});
	}

	throw partial;
}

/**
 * What the read-back right after a drain saw, and why: servers that track the target left
 * rotation with this very drain (nobody else to blame), servers failing their checks, and only
 * for the rest someone who changed the backend meanwhile.
 */
function afterDrainSentence(context: RunbookContext, empty: NonNullable<ReturnType<typeof emptiedBy>>, where: string): string {
	const {capacity} = empty;
	const own = capacity.backend === context.target.backend;
	const servers = empty.view.snapshot.backends.find((backend) => backend.name === capacity.backend)?.servers ?? [];
	const rest = servers.filter((server) => !(own && server.server === context.target.server) && !server.backup);
	const tracking = new Set(capacity.trackers.map((server) => server.server));
	const shown = rest.map((server) => `${server.server} ${visible(server.status)}`).join(', ') || 'no other active server';
	const causes = [
		...capacity.trackers.map((server) => `${server.backend}/${server.server} tracks ${visible(server.tracked ?? '')} and left rotation with this drain`),
		...capacity.failing.map((server) => `${server.backend}/${server.server} is failing its health checks`),
	];
	if (causes.length === 0 || rest.some((server) => !tracking.has(server.server) && !capacity.failing.includes(server))) {
		causes.push('someone changed the backend meanwhile');
	}

	return `Right after the drain, HAProxy${where} showed no ${own ? 'other ' : ''}active server of ${capacity.backend} serving (${shown}): ${causes.join('; ')}`;
}

/** A change that did not take, with the read-back's sentence. */
class ChangeFailed extends DrainboardError {
	constructor(sentence: string, cause: unknown, exitCode?: DrainboardError['exitCode'], code?: ErrorCode) {
		super(sentence, exitCode ?? (cause instanceof DrainboardError ? cause.exitCode : 1), {cause, code: code ?? (cause instanceof DrainboardError ? cause.code : undefined)});
		this.name = 'ChangeFailed';
	}
}

/** A change taken back after it failed somewhere or left the backend empty; says, per instance, where things stand. */
export class PartialChangeError extends DrainboardError {
	/** The instance where it failed. */
	readonly socket: string;
	/** How many instances could not be put back (they keep the change). */
	readonly stuck: number;

	constructor(socket: string, sentence: string, cause: DrainboardError, stuck: number) {
		super(sentence, cause.exitCode, {cause, code: cause.code});
		this.name = 'PartialChangeError';
		this.socket = socket;
		this.stuck = stuck;
	}
}

type Failure = {failed: string; line: string; failure: ChangeFailed; reason?: string};

/** Undoes what was done (latest first), journals each, and builds the error to report. */
async function putBack(context: RunbookContext, step: StepId, done: readonly Done[], what: Failure): Promise<PartialChangeError> {
	const back: string[] = [];
	const backStates: string[] = [];
	const stuck: string[] = [];
	// The put-backs whose reply was lost, and the read-back that showed them applied.
	const notes: string[] = [];
	const detail = what.reason ?? `undoing "${what.line}" after ${what.failed} failed`;
	// A rollback happens whether or not the journal can take its record.
	for (const {client, command, before} of [...done].reverse()) {
		const undo = undoOf(command, before);
		if (!undo) {
			continue;
		}

		const line = commandLine(context.target, undo);
		const word = undo.kind === 'state' ? undo.state : `its agent-check ${undo.kind === 'agent' ? undo.action : ''}d`;
		const sent = await sendPutBack(context, client, undo);
		if (sent.applied) {
			back.push(`${client.socket} put back to ${word}`);
			if (sent.note !== undefined) {
				notes.push(sent.note);
			}

			backStates.push(word);
			context.journal.appendGuarded({step, event: 'rollback', command: line, socket: client.socket, ok: true, reply: sent.reply, detail: sent.note === undefined ? detail : `${detail}; ${sent.note}`});
		} else {
			stuck.push(`${formatTarget(context.target)} could NOT be put back to ${word} on ${client.socket} (${sent.sentence.replace(/\.$/, '')})`);
			context.journal.appendGuarded({step, event: 'rollback', command: line, socket: client.socket, ok: false, reply: sent.sentence, detail});
		}
	}

	const label = formatTarget(context.target);
	const cause = what.failure.message.replace(/\.$/, '');
	if (what.reason) {
		const outcome =
			stuck.length > 0
				? `and ${[...back, ...stuck].join('; ')}; set ${label} right by hand now.`
				: context.clients.length === 1
					? `so ${label} was put back to ${backStates.join(', ')} at once.`
					: `so ${label} was put back at once (${back.join(', ')}).`;
		return new PartialChangeError(what.failed, [`${cause}, ${outcome}`, ...notes].join(' '), what.failure, stuck.length);
	}

	const outcome = stuck.length === 0 ? `${back.join(', ')}: no instance is changed.` : `${[...back, ...stuck].join('; ')}. Check ${label} with "${statusCommand(context)}" and set it right by hand.`;
	return new PartialChangeError(what.failed, [`"${what.line}" failed on ${what.failed}: ${cause}. ${outcome}`, ...notes].join(' '), what.failure, stuck.length);
}
