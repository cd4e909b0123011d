import path from 'node:path';
import {backendFacts} from '../config/backend-facts.js';
import {checkConfig} from '../config/check-config.js';
import {clientsFor} from '../poll/clients.js';
import {resolveConfig, type InstanceFacts} from '../config/config-source.js';
import {planProbe} from '../config/probe-plan.js';
import {mapNamesOf} from '../config/map-files.js';
import {heldMaps} from '../poll/held-maps.js';
import type {Options} from '../options.js';
import type {Probe} from '../probe/probe.js';
import {localAddressOf} from '../probe/connection.js';
import {describeProbe} from '../probe/probe.js';
import {serverAt} from './checks/baseline.js';
import {probeFor} from '../probe/create-probe.js';
import type {RuntimeClient} from '../poll/client.js';
import {UsageError} from '../errors.js';
import {visible} from '../visible-text.js';
import {findTarget} from '../poll/find-target.js';
import {isUnreachable, RuntimeApiError} from '../runtime/runtime-error.js';
import {formatTarget, type Target} from '../runtime/names.js';
import {comeBackCommand, setComeBackCommand} from './come-back.js';
import {BackendBusyError, BackendLock, lockDirectory} from './backend-lock.js';
import {underWay} from './live-process.js';
import {DrainMarks, heldText, isOwnMark, isUnreadable, markText, type DrainMark} from './drain-mark.js';
import {runbookContext, runbookMode, systemClock, type RunbookContext} from './context.js';
import {emptyFacts, initialRunbookState} from './state.js';
import {createRunbookStore} from './store.js';
import {defaultJournalPath, Journal, readJournal, type JournalInstance} from './journal.js';
import {readTarget, type TargetView} from './read-target.js';
import {drainReplacedCheck, drainReplacedEvidence, foundDrainCheck, lastMaintenance, leftOfSets, resumePoint, staleMaintenanceNotice, type MaintenanceRecord, type ResumePoint} from './resume.js';
import type {SourcedTarget} from '../config/probe-plan.js';
import {drainSet, inMaintenance} from '../model/server-condition.js';
import {journalTime} from '../time-format.js';

/** A maintenance ready to run: its context, and where it resumes (if an earlier one is open). */
export type PreparedMaintenance = {
	context: RunbookContext;
	resume: ResumePoint | undefined;
	/** Something the operator should read before starting (an open maintenance HAProxy no longer shows). */
	notice: string | null;
	/** How the sockets were found: the default socket chosen, the workers a master CLI named (for the operator). */
	notes: string[];
	/**
	 * The command that opens this maintenance again, with the flags given that chose HAProxy and the
	 * listener (come-back.ts) and the journal used, ready to paste; null where none would work (the
	 * lab, whose HAProxy and files go with it).
	 */
	comeBack: string | null;
	/**
	 * The maintenance of several servers (a machine, `'*\/S'`) whose drain of this target the
	 * journal holds open, with its other servers still drained and the command that resumes them
	 * all: taking up this target alone puts back this one only.
	 */
	partOf?: {set: string; left: string[]; resumeAll: string};
};

/**
 * Builds the context of a maintenance from the options: sockets, the configuration the running
 * HAProxy loaded (or --config) and its facts, listener URL, `haproxy -c`, the journal (which
 * must be writable before anything else happens), and what the journal and the runtime say
 * about an earlier maintenance of this target.
 */
export async function prepareMaintenance(options: Options, target: Target, mode: {interactive: boolean; clients?: readonly RuntimeClient[]}): Promise<PreparedMaintenance> {
	const loaded = mode.clients ? {clients: mode.clients, notes: []} : await clientsFor(options);
	const {clients} = loaded;
	// Absolute: the commands it is printed in are pasted from other directories.
	const journal = new Journal(path.resolve(options.journal ?? defaultJournalPath()), {dryRun: options.dryRun});
	journal.probe();
	// What prepare learns; the store, made once the target's name is known, starts with it.
	const facts = emptyFacts();
	let probe: Probe | null = null;
	let probeSource: string;
	let listeners: SourcedTarget[] = [];
	const context: RunbookContext = runbookContext({
		target,
		clients,
		store: createRunbookStore(initialRunbookState(formatTarget(target), systemClock.now())),
		clock: systemClock,
		journal,
		config: {files: [], source: '', warnings: [], parsed: null},
		lock: new BackendLock({dir: lockDirectory(), backend: target.backend, clients}),
		marks: new DrainMarks({dir: lockDirectory(), clients}),
		backendFacts: null,
		configProblem: 'the configuration was not read yet',
		checkConfig: {missing: 'The configuration was not read yet.'},
		// Every flag the run was given: the commands it prints keep those of come-back.ts's ChosenFlags.
		commandFlags: options,
		options: {
			requests: options.requests,
			proof: options.proof,
			proofWindowMs: options.proofWindow * 1000,
			autoSampleMs: options.watchTimes.autoSampleMs,
			quietTimeoutMs: options.quietTimeout * 1000,
			readyTimeoutMs: options.readyTimeout * 1000,
			settleMs: options.watchTimes.settleMs,
			holdMs: options.watchTimes.holdMs,
			force: options.force,
			skipValidate: options.skipValidate,
			interactive: mode.interactive,
			dryRun: options.dryRun,
			allowDown: options.allowDown,
			takeOver: options.takeOver,
			urlSettings: {
				...(options.host === undefined ? {} : {host: options.host}),
				...(options.path === undefined ? {} : {path: options.path}),
				verifyTls: options.verifyTls,
			},
		},
	});

	// A name the running HAProxy does not have stops here (exit 2); a HAProxy that does not answer
	// (or not as HAProxy) is validate's first check to report, journaled.
	context.target = await findTarget(clients, target).catch((error: unknown) => {
		if (error instanceof UsageError) {
			throw error;
		}

		return target;
	});
	const read = await readTarget(context).catch((error: unknown) => error);
	const views = Array.isArray(read) ? (read as TargetView[]) : undefined;
	context.lock = new BackendLock({dir: lockDirectory(), backend: context.target.backend, clients});

	const resolved = await resolveConfig({config: options.config, haproxy: options.haproxy}, await instancesOf(clients, views, read));
	const {config, binary} = resolved;
	context.config = {files: config.files, source: resolved.source, warnings: resolved.warnings, parsed: config.sections ? config.parsed : null};
	context.configProblem = config.sections === null ? config.problem : null;
	context.checkConfig = typeof binary === 'string' ? async () => checkConfig(binary, config.files, {cwd: resolved.cwd, environment: resolved.environment}) : binary;
	context.backendFacts = config.sections ? (backendFacts(config.sections, context.target.backend) ?? null) : null;
	// The maps the routes read, as the first instance holds them (run-time changes included), else their files.
	const held = config.sections && clients[0] ? await heldMaps(clients[0], mapNamesOf(config.sections)) : undefined;
	const plan = planProbe(config.sections, context.target.backend, options, {configProblem: config.sections ? undefined : config.problem, cwd: resolved.cwd, held});
	if (plan.target) {
		if (options.url !== undefined) {
			const checked = await localAddressOf(plan.target);
			if ('refused' in checked) {
				throw new UsageError(checked.refused);
			}

			// Bad input as much as an address off this host: refused before anything, exit 2 (the wizard's typed URL is baseline's to refuse).
			const direct = views ? serverAt(views, plan.target) : undefined;
			if (direct) {
				throw new UsageError(
					`--url ${describeProbe(plan.target)} is the address of server ${context.target.backend}/${direct.server} itself, where requests go around HAProxy and prove nothing; give --url the address of the frontend that routes to ${context.target.backend} (drainboard routes shows it).`,
				);
			}
		}

		probe = probeFor(plan.target);
		probeSource = plan.source;
		listeners = plan.alternatives && plan.alternatives.length > 0 ? [{target: plan.target, source: plan.source}, ...plan.alternatives] : [];
	} else {
		probeSource = plan.why;
	}

	const view = views?.[0];
	if (view?.backend && view.server) {
		facts.instances = (views ?? []).map((candidate) => candidate.snapshot.instance);
		facts.serverNames = view.backend.servers.map((server) => server.server);
		facts.mode = runbookMode(view.backend, context);
		facts.algorithm = view.backend.algorithm;
	}

	const label = formatTarget(context.target);
	journal.setContext(label, context.clients.map((client) => ({socket: client.socket, pid: null, version: null, startTime: null})));
	const {entries} = readJournal(journal.file, {about: {sockets: context.clients.map((client) => client.socket), processes: facts.instances}});
	const record = lastMaintenance(entries, label);
	// Two runs of one maintenance at once (a second roll, a restore while the first one's --exec works): refused.
	const elsewhere = record && !record.finished ? underWay(record, entries)?.clause : undefined;
	if (elsewhere) {
		throw new BackendBusyError(`${label} is in a maintenance of journal ${journal.file} that is under way elsewhere: ${elsewhere}. Nothing was sent; run again once it has ended.`);
	}

	const unreached = views && record && !record.finished && record.drainSent && !record.readySent ? notReached(record, context.clients, facts.instances) : [];
	if (unreached.length > 0) {
		// From the journal: shown without control characters.
		const through = (record?.drainInstances ?? []).map((instance) => visible(instance.socket));
		throw new UsageError(
			`The open maintenance of ${label} in journal ${journal.file} drained it through ${through.join(' and ')}, and this run does not reach ${unreached.map((socket) => visible(socket)).join(' or ')}: run it again with every one of them (${through.map((socket) => `--socket ${socket}`).join(' ')}), or it would end that maintenance with the server left drained there. Nothing was sent.`,
		);
	}

	const drainedOn = (views ?? []).filter((candidate) => drainSet(candidate.server)).map((candidate) => candidate.socket);
	const drained = drainedOn.length > 0 && drainedOn.length === views?.length;
	// This journal's drain replaced by someone's maintenance (state maint clears the drain): journaled
	// once, so that a drain made later is not taken for this maintenance's (resume.ts).
	const inMaintenanceOn = (views ?? []).filter((candidate) => candidate.server !== undefined && inMaintenance(candidate.server));
	if (record && !record.finished && record.drainSent && !record.readySent && record.drainReplaced !== 'maintenance' && drainedOn.length === 0 && inMaintenanceOn.length > 0 && inMaintenanceOn.length === views?.length && !options.dryRun) {
		const written = journal.appendGuarded({step: null, event: 'check', check: drainReplacedCheck, verdict: 'fail', evidence: drainReplacedEvidence, observed: `HAProxy shows ${label} in maintenance (MAINT), not drained: the drain of the maintenance ${record.startedBy} started at ${journalTime(record.startedAt)} was replaced by someone's state maint.`});
		if (written.written) {
			record.drainReplaced = 'maintenance';
		}
	}

	// A drain replaced since is not the one HAProxy may show now: no time of it is known.
	facts.drainSentAt = record && !record.finished && !record.drainReplaced ? record.drainSentAt : null;
	context.store = createRunbookStore(initialRunbookState(label, context.clock.now(), {probe, probeSource, listeners, facts}));
	if (drainedOn.length > 0 && !drained) {
		const inRotation = (views ?? []).map((candidate) => candidate.socket).filter((socket) => !drainedOn.includes(socket));
		const notice = `${label} is drained on ${drainedOn.join(', ')} but not on ${inRotation.join(', ')}: half a maintenance. A new one starts at validate and drains it on every instance.`;
		return {context, resume: undefined, notice, notes: loaded.notes, comeBack: comeBackCommand(options, context.target, journal.file)};
	}

	// Only when HAProxy answered: an unreachable one would be asked (and waited for) once more here.
	const mark = views ? await context.marks.read(context.target).catch(() => null) : null;
	if (mark && drainedOn.length === 0 && !options.dryRun) {
		// Seen in rotation: whatever drain the mark named has ended (set ready by hand, a reload).
		await context.marks.end(context.target, journal.file, 'seen').catch(() => undefined);
	}

	const drainedBy = drained && mark && !isOwnMark(mark, journal.file) ? markText(mark) : undefined;
	const drainerRunning = drainedBy && mark && !isUnreadable(mark) ? runningElsewhere(mark.journal, label) : undefined;
	const resume = resumePoint(record, {targetDrained: drained, ...(drainedBy ? {drainedBy} : {}), ...(drainerRunning ? {drainerRunning} : {})});
	const set = resume?.drained && record?.set !== undefined ? leftOfSets(entries, [label]).find((one) => one.set === record.set) : undefined;
	return {
		context,
		resume,
		notice: staleMaintenanceNotice(record, {targetDrained: drained, inMaintenance: inMaintenanceOn.length > 0}) ?? heldSinceNotice(label, record, drained ? mark : null, journal.file),
		notes: loaded.notes,
		comeBack: comeBackCommand(options, context.target, journal.file),
		...(set ? {partOf: {set: set.set, left: set.left, resumeAll: setComeBackCommand(options, set.set, journal.file)}} : {}),
	};
}

/**
 * Each instance's pid and version for reading its /proc: from the target's read when it
 * worked; asked with `show info` when HAProxy answered with an error (a backend it does not
 * have); not asked again when it did not answer.
 */
async function instancesOf(clients: readonly RuntimeClient[], views: TargetView[] | undefined, error: unknown): Promise<InstanceFacts[]> {
	return Promise.all(
		clients.map(async (client, index): Promise<InstanceFacts> => {
			const seen = views?.[index]?.snapshot.instance;
			const info = seen ?? (error instanceof RuntimeApiError && !isUnreachable(error) ? await client.info().catch(() => null) : null);
			return {socket: client.socket, endpoint: client.endpoint, pid: info?.pid ?? null, version: info?.version ?? null};
		}),
	);
}

/** Journals the start (or the resumption) of a maintenance, with the instances as now seen. */
export function beginMaintenance(context: RunbookContext, resume: ResumePoint | undefined): void {
	context.journal.setContext(
		formatTarget(context.target),
		context.clients.map((client) => {
			const instance = context.facts.instances.find((candidate) => candidate.socket === client.socket);
			return {socket: client.socket, pid: instance?.pid ?? null, version: instance?.version ?? null, startTime: instance?.startTime ?? null};
		}),
	);
	// A drain found made (no maintenance of it in this journal) is taken up by a maintenance opened here, so a later run resumes it.
	if (!resume || resume.found) {
		context.journal.append({step: resume?.step ?? 'validate', event: 'started'});
	}

	if (resume) {
		context.journal.append({step: resume.step, event: 'resumed', detail: resume.reason});
	}

	// The drain found is this maintenance's from now on, dated and placed (HAProxy's processes) as a
	// drain it sent would be: a later run tells a reload or someone's ready that undoes it (resume.ts).
	if (resume?.found) {
		context.journal.append({step: resume.step, event: 'check', check: foundDrainCheck, verdict: 'pass', observed: `${formatTarget(context.target)} was found drained (${resume.heldBy ? `by ${resume.heldBy}` : 'by someone or something else'}); this maintenance took its drain up.`});
	}
}

/**
 * The sockets an open maintenance drained its server through that this run reaches neither by
 * that socket nor by another one of the same process (pid and start): a restore through the others
 * alone would end the maintenance with the server left drained there, unsaid.
 */
function notReached(record: MaintenanceRecord, clients: RunbookContext['clients'], reached: ReadonlyArray<Pick<JournalInstance, 'pid' | 'startTime'>>): string[] {
	return (record.drainInstances ?? [])
		.filter((instance) => !clients.some((client) => client.socket === instance.socket) && !reached.some((one) => one.pid === instance.pid && one.startTime === instance.startTime))
		.map((instance) => instance.socket);
}

/**
 * An open maintenance of this journal whose drain another maintenance's mark claims since (a
 * take-over, or a mark that cannot be read, written after its drain): its restore is refused
 * without --take-over, said when it is opened, not first at that restore.
 */
function heldSinceNotice(label: string, record: MaintenanceRecord | undefined, mark: DrainMark | null, journal: string): string | null {
	if (!record || record.finished || record.drainReplaced !== undefined || record.drainSentAt === null || !mark || isOwnMark(mark, journal) || Date.parse(mark.since) <= record.drainSentAt) {
		return null;
	}

	return `${label} is held by ${heldText(mark)}, claimed after this maintenance's drain: its restore is refused without --take-over.`;
}

/**
 * Who runs the maintenance of `label` in another journal right now (a drainboard still writing it,
 * or a roll's --exec), as a clause; undefined when nobody does or that journal cannot be read here
 * (another user's home): then the drain mark alone says whose it is.
 */
function runningElsewhere(file: string, label: string): string | undefined {
	try {
		const {entries} = readJournal(file);
		const record = lastMaintenance(entries, label);
		return record && !record.finished ? underWay(record, entries)?.clause : undefined;
	} catch {
		return undefined;
	}
}
