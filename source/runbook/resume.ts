import type {JournalEntry, JournalInstance} from './journal.js';
import {journalTime} from '../time-format.js';
import {nextStep, stepIds, type StepId} from './steps.js';

/** The journal check of a maintenance that took up a drain it found made (journaled when it begins). */
export const foundDrainCheck = 'drain-found';

/** The journal check prepare.ts writes when it sees an open maintenance's drain replaced by a maintenance (MAINT). */
export const drainReplacedCheck = 'drain-replaced';

/**
 * The evidence of a failed journal check that saw a maintenance's drain replaced by someone's
 * `state maint` (which clears the drain): prepare's {@link drainReplacedCheck} and drain-holds'
 * failure both carry it. A drain HAProxy shows later was made by someone else, not by that maintenance.
 */
export const drainReplacedEvidence = {replaced: 'maintenance'} as const;

/**
 * The evidence of a failed {@link drainReplacedCheck} the grid journals when it sees an open
 * maintenance's server in rotation (its drain gone: set ready, a reload): a drain HAProxy shows
 * later is not that maintenance's either, and the server took traffic meanwhile, so confirm runs
 * again when it is taken up. Unlike a maintenance's, the open drain stays on the grid's banners.
 */
export const drainLostEvidence = {replaced: 'rotation'} as const;

/** The last maintenance of a target as the journal tells it. */
export type MaintenanceRecord = {
	target: string;
	startedAt: string;
	startedBy: string;
	passed: StepId[];
	drainSent: boolean;
	/** The drain was found made (by hand, another tool or operator) and taken up, not sent by this maintenance. */
	drainFound?: true;
	/** When HAProxy accepted the drain (ms since the epoch). */
	drainSentAt: number | null;
	/** The instances (pid, start time) as the journal knew them when the drain was accepted. */
	drainInstances: JournalInstance[] | null;
	readySent: boolean;
	/** This maintenance stopped the target's agent-check (`disable agent`) and has not started it again. */
	agentDisabled: boolean;
	finished: boolean;
	lastEntry: JournalEntry;
	/** The pattern (`@10.0.0.5`, `'*\/app01'`) of the maintenance of several servers this one is part of, if it is. */
	set?: string;
	/** The last --exec a roll ran on the target in this maintenance did not pass: it `failed`, or was `stopped` (started, never ended). */
	execUnfinished?: 'failed' | 'stopped';
	/**
	 * A run saw this maintenance's drain replaced after it was applied ({@link drainReplacedCheck}):
	 * by a maintenance (MAINT), or the grid saw the server in rotation (`rotation`).
	 */
	drainReplaced?: 'maintenance' | 'rotation';
};

/**
 * The maintenance of `target` that the journal opened last (`started`) and whether it ended
 * (`finished` or `abandoned`).
 */
export function lastMaintenance(entries: readonly JournalEntry[], target: string): MaintenanceRecord | undefined {
	let record: MaintenanceRecord | undefined;
	for (const entry of entries) {
		if (entry.target !== target) {
			continue;
		}

		if (entry.event === 'started') {
			record = {target, startedAt: entry.time, startedBy: entry.user, passed: [], drainSent: false, drainSentAt: null, drainInstances: null, readySent: false, agentDisabled: false, finished: false, lastEntry: entry};
			continue;
		}

		if (!record) {
			continue;
		}

		// The grid's note of a lost drain is no step of the maintenance: its session does not run it (live-process.ts).
		if (!(entry.check === drainReplacedCheck && entry.evidence?.['replaced'] === drainLostEvidence.replaced)) {
			record.lastEntry = entry;
		}

		if (entry.check === 'exec') {
			if (entry.verdict === 'pass') {
				delete record.execUnfinished;
			} else {
				record.execUnfinished = entry.verdict === undefined ? 'stopped' : 'failed';
			}
		}

		if (entry.check === 'maintenance-set' && entry.detail) {
			record.set = entry.detail;
		}

		if (entry.event === 'step-passed' && entry.step && !record.passed.includes(entry.step)) {
			record.passed.push(entry.step);
		}

		// Taken effect: HAProxy accepted it, or a read-back after a lost reply showed it applied.
		const applied = entry.ok === true && (entry.event === 'reply' || (entry.event === 'check' && entry.check === 'read-back'));
		const command = entry.command ?? '';
		// The last drain applied: after a lost drain is re-applied (a reload dropped it), the one that holds.
		if (applied && command.endsWith(' state drain')) {
			delete record.drainReplaced;
			record.drainSent = true;
			record.drainSentAt = Date.parse(entry.time);
			record.drainInstances = entry.instances;
		}

		if (applied && command.endsWith(' state ready')) {
			record.readySent = true;
		}

		if ((applied || (entry.event === 'rollback' && entry.ok)) && command.startsWith('disable agent ')) {
			record.agentDisabled = true;
		}

		if ((applied || (entry.event === 'rollback' && entry.ok)) && command.startsWith('enable agent ')) {
			record.agentDisabled = false;
		}

		const replaced = entry.evidence?.['replaced'];
		if (entry.event === 'check' && entry.verdict === 'fail' && record.drainSent && (replaced === drainReplacedEvidence.replaced || replaced === drainLostEvidence.replaced)) {
			record.drainReplaced = replaced;
		}

		// A drain found made and taken up (beginMaintenance): held from then on as if this maintenance had sent it.
		if (entry.event === 'check' && entry.check === foundDrainCheck && entry.verdict === 'pass') {
			record.drainSent = true;
			record.drainFound = true;
			record.drainSentAt = Date.parse(entry.time);
			record.drainInstances = entry.instances;
		}

		// A change taken back (another instance refused it, or the backend lost its other servers) did not happen.
		if (entry.event === 'rollback' && entry.ok && command.startsWith('set server ')) {
			if (command.endsWith(' state drain')) {
				record.readySent = false;
			} else {
				record.drainSent = false;
				record.drainSentAt = null;
				record.drainInstances = null;
			}
		}

		if (entry.event === 'finished' || entry.event === 'abandoned') {
			record.finished = true;
		}
	}

	return record;
}

/**
 * Where to pick up, and why, in a sentence for the operator. `drainedBy`: the open maintenance
 * that drained the target (who, when), when that is the reason (a restore after a drain).
 */
export type ResumePoint = {
	step: StepId;
	reason: string;
	drained: boolean;
	/** The words of a roll's --exec on the target that did not pass (`the --exec a roll ran on it failed, so the work may not be done`). */
	execUnfinished?: string;
	/** `tookUp`: the maintenance found the drain made (by hand, another tool) and took it up: it did not drain it. */
	drainedBy?: {user: string; at: string; tookUp?: true};
	/** Another maintenance's drain (a drain mark, drain-mark.ts), in words: its restore needs --take-over. */
	heldBy?: string;
	/** The steps before `step` that the journal shows passed; the others never ran (a drain found, not made). */
	ran: StepId[];
	/** A drain found made, with no maintenance of it in this journal: taking it up opens one here. */
	found?: true;
	/**
	 * The journal shows maintain passed, but HAProxy still shows the target drained (no ready took
	 * effect): the health an earlier run saw proves nothing now, so maintain's health wait runs again.
	 */
	healthAgain?: true;
};

/** What HAProxy shows of the target now; `drainedBy`: another operator's maintenance that a drain mark names (drain-mark.ts). */
type HaproxyShows = {targetDrained: boolean; drainedBy?: string; inMaintenance?: boolean; drainerRunning?: string};

/**
 * Where an interrupted maintenance continues, from the journal and what HAProxy shows now.
 * Undefined: nothing to resume, start at validate.
 */
export function resumePoint(record: MaintenanceRecord | undefined, {targetDrained, drainedBy, drainerRunning}: HaproxyShows): ResumePoint | undefined {
	const open = record && !record.finished ? record : undefined;
	if (targetDrained) {
		// Its drain replaced by someone's maintenance since: the drain HAProxy shows now is not the one it sent.
		if (!open || open.drainReplaced) {
			if (drainedBy) {
				// Its owner at work right now is said before anyone is asked to take it over.
				return {step: 'confirm', drained: true, ran: [], found: true, heldBy: drainedBy, reason: `HAProxy shows the target drained by ${drainedBy}, not by a maintenance of this journal${drainerRunning ? `, and ${drainerRunning}` : ''}`};
			}

			const how = open?.drainReplaced === 'rotation' ? 'gone, the server in rotation (it took traffic since),' : "replaced by someone's maintenance (state maint)";
			const reason = open
				? `HAProxy shows the target drained again, by someone or something else: a run saw the drain of ${open.startedBy}'s maintenance (started at ${journalTime(open.startedAt)}, still open in this journal) ${how} after it was made`
				: 'HAProxy shows the target drained, and this journal has no open maintenance of it (drained by someone or something else)';
			return {step: 'confirm', drained: true, ran: [], found: true, reason};
		}

		const last = [...stepIds].reverse().find((step) => open.passed.includes(step));
		const next = last === undefined || stepIds.indexOf(last) < stepIds.indexOf('drain') ? 'confirm' : (nextStep(last) ?? 'restore');
		// Still drained, so no ready took effect: ready waits for health seen now, never for health an earlier run saw.
		const step = stepIds.indexOf(next) > stepIds.indexOf('maintain') ? 'maintain' : next;
		const healthAgain = open.passed.includes('maintain');
		const unfinished = open.execUnfinished ? `the --exec a roll ran on it ${open.execUnfinished === 'failed' ? 'failed' : 'was stopped before it ended'}, so the work may not be done` : undefined;
		const exec = unfinished ? `; ${unfinished}` : '';
		const again = `${exec}${healthAgain ? `; its maintain passed, but HAProxy still shows the target drained, so maintain's health wait runs again before ready` : ''}`;
		return {
			step,
			drained: true,
			ran: open.passed.filter((id) => stepIds.indexOf(id) < stepIds.indexOf(step)),
			reason: `the maintenance that ${open.startedBy} started at ${journalTime(open.startedAt)} ${open.drainFound ? 'took up a drain it found already set' : 'drained it'} and did not finish${again}`,
			drainedBy: {user: open.startedBy, at: open.startedAt, ...(open.drainFound ? {tookUp: true as const} : {})},
			...(healthAgain ? {healthAgain: true as const} : {}),
			...(unfinished ? {execUnfinished: unfinished} : {}),
		};
	}

	if (open?.readySent) {
		return {step: 'restore', drained: false, ran: open.passed.filter((id) => id !== 'restore'), reason: `the maintenance started at ${journalTime(open.startedAt)} sent "state ready" but did not prove traffic returned`};
	}

	return undefined;
}

/** Tells the operator about an open maintenance whose drain HAProxy no longer shows. */
export function staleMaintenanceNotice(record: MaintenanceRecord | undefined, {targetDrained, inMaintenance}: HaproxyShows): string | null {
	if (!record || record.finished || !record.drainSent || record.readySent || targetDrained) {
		return null;
	}

	const now = inMaintenance ? 'in maintenance (MAINT), not drained, now (someone put it there with state maint)' : 'in rotation now (set ready by someone, or a reload dropped the drain)';
	return `The journal has a maintenance of ${record.target} that ${record.startedBy} started at ${journalTime(record.startedAt)} and did not finish, but HAProxy shows the server ${now}. A new maintenance starts at validate.`;
}

/** A maintenance the journal holds open after its drain: what the grid offers to resume. */
/** `underWay`: another drainboard still running has it, or its roll's --exec (see live-process.ts): not to be taken up here. */
/** `lostSeen`: a drainboard saw its server in rotation since its drain (journaled: {@link drainLostEvidence}). */
export type OpenDrain = {target: string; startedBy: string; startedAt: string; set?: string; underWay?: string; lostSeen?: true};

/** Every target whose last maintenance in the journal drained it and neither finished nor sent ready. */
export function openDrains(entries: readonly JournalEntry[]): OpenDrain[] {
	return openDrainRecords(entries).map((record) => openDrainOf(record));
}

/** An open drain as the grid and the notes name it. */
export function openDrainOf(record: MaintenanceRecord): OpenDrain {
	return {target: record.target, startedBy: record.startedBy, startedAt: record.startedAt, ...(record.set ? {set: record.set} : {}), ...(record.drainReplaced === 'rotation' ? {lostSeen: true as const} : {})};
}

/** The records of {@link openDrains}: each target's last maintenance, when it drained the target, neither finished nor sent ready, and its drain was not seen replaced by a maintenance (MAINT). */
export function openDrainRecords(entries: readonly JournalEntry[]): MaintenanceRecord[] {
	const targets = [...new Set(entries.map((entry) => entry.target))];
	return targets.flatMap((target) => {
		const record = lastMaintenance(entries, target);
		// A drain seen lost to rotation stays open: the grid's banner says so, and offers it again once drained.
		return record && !record.finished && record.drainSent && !record.readySent && record.drainReplaced !== 'maintenance' ? [record] : [];
	});
}

/**
 * What a restore of `targets` leaves of the maintenances of several servers they were drained with
 * (a machine, `'*\/S'`): each such maintenance's pattern and its servers the journal still holds
 * drained that are not among `targets`. None when `targets` is that maintenance itself.
 */
export function leftOfSets(entries: readonly JournalEntry[], targets: readonly string[]): Array<{set: string; restored: string[]; left: string[]}> {
	const open = openDrains(entries);
	const sets = [...new Set(open.flatMap((drain) => (drain.set !== undefined && targets.includes(drain.target) ? [drain.set] : [])))];
	return sets.flatMap((set) => {
		const members = open.filter((drain) => drain.set === set).map((drain) => drain.target);
		const left = members.filter((target) => !targets.includes(target));
		return left.length > 0 ? [{set, restored: members.filter((target) => targets.includes(target)), left}] : [];
	});
}
