import type {Section} from './parse-config.js';

/** A listener URL derived from the config, or why none could be. */
export type DerivedUrl = {url: string; from: string} | {url: null; why: string};

/**
 * The URL of a frontend that routes to `backend`, for traffic checks through the real listener:
 * a `listen` section with that name, a `default_backend`, a plain `use_backend`, or one whose
 * condition is a path prefix. Only loopback or wildcard binds qualify (probes stay on this host).
 * Lines under a `.if` drainboard could not evaluate are not used.
 */
export function deriveListenerUrl(sections: readonly Section[], backend: string): DerivedUrl {
	const reasons: string[] = [];
	for (const section of sections) {
		if ((section.kind !== 'frontend' && section.kind !== 'listen') || section.uncertain) {
			continue;
		}

		const routes = section.kind === 'listen' && section.name === backend ? '/' : routePath(section, backend);
		if (routes === undefined) {
			continue;
		}

		const tcp = section.statements.some((statement) => statement.keyword === 'mode' && statement.args[0] === 'tcp') || inheritedTcp(sections, section);
		for (const bind of section.statements.filter((statement) => statement.keyword === 'bind' && !statement.uncertain)) {
			const address = localAddress(bind.args[0] ?? '');
			if (!address) {
				reasons.push(`${section.kind} ${section.name ?? ''} binds ${bind.args[0] ?? '?'}, not a loopback or wildcard address`);
				continue;
			}

			const ssl = bind.args.includes('ssl');
			const scheme = tcp ? 'tcp' : ssl ? 'https' : 'http';
			return {url: `${scheme}://${address}${tcp ? '' : routes}`, from: `${section.kind} ${section.name ?? ''} at ${bind.file} line ${bind.line}`};
		}
	}

	return {url: null, why: reasons[0] ?? `no frontend routes to backend ${backend} by default_backend, a plain use_backend or a path condition`};
}

function routePath(section: Section, backend: string): string | undefined {
	for (const statement of section.statements.filter((candidate) => !candidate.uncertain)) {
		if (statement.keyword === 'default_backend' && statement.args[0] === backend) {
			return '/';
		}

		if (statement.keyword === 'use_backend' && statement.args[0] === backend) {
			const condition = statement.args.slice(1);
			if (condition.length === 0) {
				return '/';
			}

			const path = /(?:^|\s)(?:path_beg|path)\s+(?:-i\s+)?(\/\S*)/.exec(condition.join(' '))?.[1];
			if (path && condition[0] === 'if') {
				return path;
			}
		}
	}

	return undefined;
}

function inheritedTcp(sections: readonly Section[], section: Section): boolean {
	const defaults = sections.slice(0, sections.indexOf(section)).filter((candidate) => candidate.kind === 'defaults').at(-1);
	return defaults?.statements.some((statement) => statement.keyword === 'mode' && statement.args[0] === 'tcp') ?? false;
}

/** `127.0.0.1:8080`, `*:80`, `:80`, `0.0.0.0:80`, `[::]:80`, `[::1]:80` → an address on this host; else undefined. */
function localAddress(bind: string): string | undefined {
	const spec = bind.replace(/^(?:ipv4|ipv6|tcp|tcp4|tcp6)@/, '');
	const match = /^(\[[0-9a-fA-F:.]*\]|[^:]*):([0-9]+)(?:-[0-9]+)?$/.exec(spec);
	if (!match) {
		return undefined;
	}

	const host = match[1]!;
	const port = match[2]!;
	if (host === '' || host === '*' || host === '0.0.0.0' || host === '[::]' || /^127\./.test(host)) {
		return `${/^127\./.test(host) ? host : '127.0.0.1'}:${port}`;
	}

	if (host === '[::1]') {
		return `[::1]:${port}`;
	}

	return undefined;
}
