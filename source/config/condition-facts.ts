import {execFile} from 'node:child_process';
import type {ConditionFacts} from './conditions.js';
import type {ConfigEnvironment} from './config-line.js';
import {enabledOption} from './enabled-options.js';
import type {HaproxyArgs} from './haproxy-args.js';

/**
 * Variables HAProxy sets for itself before or while it reads its configuration (src/haproxy.c,
 * src/mworker.c): their value at parse time is not what /proc shows, so drainboard does not
 * claim to know them.
 */
const setByHaproxy = new Set([
	'HAPROXY_LOCALPEER',
	'HAPROXY_CFGFILES',
	'HAPROXY_MWORKER',
	'HAPROXY_MWORKER_REEXEC',
	'HAPROXY_MASTER_CLI',
	'HAPROXY_PROCESSES',
	'HAPROXY_BRANCH',
	'HAPROXY_STARTUP_VERSION',
	'HAPROXY_HTTP_LOG_FMT',
	'HAPROXY_HTTP_CLF_LOG_FMT',
	'HAPROXY_HTTPS_LOG_FMT',
	'HAPROXY_TCP_LOG_FMT',
	'HAPROXY_TCP_CLF_LOG_FMT',
	'HAPROXY_KEYLOG_FC_LOG_FMT',
	'HAPROXY_KEYLOG_BC_LOG_FMT',
]);

/** An environment over `variables`, not claiming to know what HAProxy sets itself. */
export function configEnvironment(variables: ReadonlyMap<string, string> | NodeJS.ProcessEnv): ConfigEnvironment {
	const lookup = variables instanceof Map ? (name: string) => variables.get(name) : (name: string) => (variables as NodeJS.ProcessEnv)[name];
	return {
		get: lookup,
		known: (name) => !setByHaproxy.has(name),
	};
}

/** The variables to run `haproxy -c` with: the running HAProxy's, without the ones that steer its own processes. */
export function checkEnvironment(variables: ReadonlyMap<string, string>): Record<string, string> {
	return Object.fromEntries([...variables].filter(([name]) => !name.startsWith('HAPROXY_MWORKER') && name !== 'HAPROXY_PROCESSES' && name !== 'HAPROXY_MASTER_CLI'));
}

/** What `haproxy -vv` says about a binary: its version and its build features. */
export type BuildInfo = {version: string; features: string | null};

/** Runs `<binary> -vv` (bounded in time and output); null when it cannot run or says nothing usable. */
export async function readBuildInfo(binary: string, timeoutMs = 5000): Promise<BuildInfo | null> {
	return new Promise((resolve) => {
		execFile(binary, ['-vv'], {timeout: timeoutMs, maxBuffer: 1024 * 1024}, (_error, stdout) => {
			const text = String(stdout);
			const version = /^HAProxy version (\S+)/m.exec(text)?.[1];
			if (version === undefined) {
				resolve(null);
				return;
			}

			resolve({version, features: /^Feature list : (.*)$/m.exec(text)?.[1]?.trimEnd() ?? null});
		});
	});
}

/** The facts `.if` conditions are evaluated against. */
export function conditionFacts(options: {
	environment: ConfigEnvironment;
	version: string | null;
	build: BuildInfo | null;
	/** Why `build` is null or not used, when it is. */
	buildMissing?: string;
	args: HaproxyArgs | null;
}): ConditionFacts {
	const matches = options.build !== null && (options.version === null || options.build.version === options.version);
	const features = matches ? (options.build?.features ?? null) : null;
	const featuresMissing = options.build === null ? (options.buildMissing ?? 'no haproxy binary could say which features it was built with') : matches ? 'haproxy -vv printed no feature list' : `the haproxy binary here is ${options.build.version}, not the running ${options.version ?? ''}`;
	return {
		environment: options.environment,
		version: options.version ?? options.build?.version ?? null,
		features,
		featuresMissing,
		enabled: (name, seen) => enabledOption(name, options.args, features, seen),
	};
}
