import {hasFeature} from './conditions.js';
import type {HaproxyArgs} from './haproxy-args.js';

/** Global keywords that change what `.if enabled(...)` answers, with the option each one concerns. */
export const optionKeywords: Record<string, string> = {
	nopoll: 'POLL',
	noepoll: 'EPOLL',
	nokqueue: 'KQUEUE',
	noevports: 'EVPORTS',
	nosplice: 'SPLICE',
	nogetaddrinfo: 'GETADDRINFO',
	noreuseport: 'REUSEPORT',
	'tune.disable-fast-forward': 'FAST-FORWARD',
	'ssl-server-verify': 'SERVER-SSL-VERIFY-NONE',
};

const builtWith: Record<string, string> = {POLL: 'POLL', EPOLL: 'EPOLL', KQUEUE: 'KQUEUE', EVPORTS: 'EVPORTS', SPLICE: 'LINUX_SPLICE', GETADDRINFO: 'GETADDRINFO'};

/** What the configuration said before a `.if`, and anywhere, about those keywords. */
export type KeywordsSeen = {before: ReadonlyMap<string, string>; anywhere: ReadonlySet<string>};

/**
 * `enabled(<name>)` as HAProxy's cfgcond.c answers it at a given line: the build's features, the
 * command line's `-d` flags and the global keywords read before. A keyword that appears only
 * later makes it unknown (whether HAProxy has applied it by then depends on its version and
 * mode); so does REUSEPORT, which HAProxy probes on the kernel.
 */
export function enabledOption(name: string, args: HaproxyArgs | null, features: string | null, seen: KeywordsSeen): boolean | {unknown: string} {
	const keyword = Object.keys(optionKeywords).find((candidate) => optionKeywords[candidate] === name);
	if (keyword === undefined) {
		return false;
	}

	if (name === 'SERVER-SSL-VERIFY-NONE') {
		const said = seen.before.get(keyword);
		if (said !== undefined) {
			return said === 'none';
		}
	} else if (seen.before.has(keyword)) {
		return false;
	}

	if (seen.anywhere.has(keyword)) {
		return {unknown: `"${keyword}" further on may or may not apply at that point, depending on HAProxy's version and mode`};
	}

	if (name === 'SERVER-SSL-VERIFY-NONE') {
		return args?.serverSslVerifyNone ?? false;
	}

	if (args?.disabled.includes(name as HaproxyArgs['disabled'][number])) {
		return false;
	}

	if (name === 'FAST-FORWARD') {
		return true;
	}

	if (name === 'REUSEPORT') {
		return {unknown: 'HAProxy probes SO_REUSEPORT support on the kernel at start'};
	}

	const feature = builtWith[name]!;
	return features === null ? {unknown: `it depends on whether HAProxy was built with ${feature}, which is not known here`} : hasFeature(features, feature);
}
