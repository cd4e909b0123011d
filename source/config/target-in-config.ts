import type {Target} from '../runtime/names.js';
import type {Decision, ParsedConfig, Section, Uncertainty} from './parse-config.js';
import {visible} from '../visible-text.js';

/** Whether the configuration defines the target's backend and server, and if not, why in one sentence. */
type TargetInConfig = {found: true; where: string} | {found: false; why: string};

/**
 * Looks for `backend`/`listen` <backend> and its `server <server>` (or a `server-template` that
 * makes that name) among the lines HAProxy loads. One under a `.if` that is false, or that
 * drainboard cannot evaluate, is not found: the sentence names that condition.
 */
export function findTargetInConfig(config: ParsedConfig, target: Target, files: readonly string[]): TargetInConfig {
	const {backend, server} = target;
	const isBackend = (kind: string, name: string | null | undefined) => (kind === 'backend' || kind === 'listen') && name === backend;
	const section = config.sections.find((candidate) => isBackend(candidate.kind, candidate.name) && !candidate.uncertain);
	if (!section) {
		const uncertain = config.sections.find((candidate) => isBackend(candidate.kind, candidate.name))?.uncertain;
		if (uncertain) {
			return {found: false, why: `backend ${backend} is only under ${unknownCondition(uncertain)}`};
		}

		const dropped = config.dropped.find((line) => isBackend(line.keyword, line.args[0]));
		if (dropped) {
			return {found: false, why: `backend ${backend} is only inside ${decided(dropped.because)}`};
		}

		return {found: false, why: `${visible(files.join(', ')) || 'the configuration'} ${files.length > 1 ? 'have' : 'has'} no backend ${backend}`};
	}

	const makes = (keyword: string, args: readonly string[]) => (keyword === 'server' && args[0] === server) || (keyword === 'server-template' && templateMakes(args, server));
	const statement = section.statements.find((candidate) => makes(candidate.keyword, candidate.args) && !candidate.uncertain);
	if (statement) {
		return {found: true, where: `${visible(statement.file)} line ${statement.line}`};
	}

	const uncertain = section.statements.find((candidate) => makes(candidate.keyword, candidate.args))?.uncertain;
	if (uncertain) {
		return {found: false, why: `server ${server} of backend ${backend} is only under ${unknownCondition(uncertain)}`};
	}

	const dropped = config.dropped.find((line) => makes(line.keyword, line.args) && line.section !== null && isBackend(line.section.kind, line.section.name));
	if (dropped) {
		return {found: false, why: `server ${server} of backend ${backend} is only inside ${decided(dropped.because)}`};
	}

	return {found: false, why: `backend ${backend} (${where(section)}) has no server ${server}`};
}

/** `server-template <prefix> <num | first-last> …` makes `<prefix><n>` for each n. */
function templateMakes(args: readonly string[], server: string): boolean {
	const [prefix, range] = args;
	if (prefix === undefined || range === undefined || !server.startsWith(prefix)) {
		return false;
	}

	const number = /^[0-9]+$/.exec(server.slice(prefix.length))?.[0];
	const bounds = /^([0-9]+)(?:-([0-9]+))?$/.exec(range);
	if (number === undefined || !bounds) {
		return false;
	}

	const [low, high] = bounds[2] === undefined ? [1, Number(bounds[1])] : [Number(bounds[1]), Number(bounds[2])];
	return Number(number) >= low && Number(number) <= high && String(Number(number)) === number;
}

function where(section: Section): string {
	return `${visible(section.file)} line ${section.line}`;
}

/** "`.if defined(X)` (haproxy.cfg line 12), which is false". */
function decided(decision: Decision): string {
	const at = `\`${visible(decision.text)}\` (${visible(decision.file)} line ${decision.line})`;
	return decision.outcome === 'false' ? `${at}, which is false` : `${at}, which is not taken because an earlier branch is`;
}

/** "`.if feature(QUIC)` (haproxy.cfg line 12), which drainboard cannot evaluate: why". */
function unknownCondition(uncertainty: Uncertainty): string {
	return `\`${visible(uncertainty.text)}\` (${visible(uncertainty.file)} line ${uncertainty.line}), which drainboard cannot evaluate: ${visible(uncertainty.why)}`;
}

/** "`.if feature(QUIC)` (haproxy.cfg line 12) cannot be evaluated here (why)". */
export function cannotEvaluate(uncertainty: Uncertainty): string {
	return `\`${visible(uncertainty.text)}\` (${visible(uncertainty.file)} line ${uncertainty.line}) cannot be evaluated here (${visible(uncertainty.why)})`;
}
