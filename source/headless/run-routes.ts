import path from 'node:path';
import process from 'node:process';
import {conditionFacts, configEnvironment, readBuildInfo, type BuildInfo} from '../config/condition-facts.js';
import {findHaproxy} from '../config/find-haproxy.js';
import {checkConfigFlag, defaultConfigPath, filesLabel, noProxySection, parsedConfig, readConfigTexts} from '../config/load-config.js';
import type {Section, Uncertainty} from '../config/parse-config.js';
import type {FileReader} from '../config/proc-reader.js';
import {mapFiles} from '../config/map-files.js';
import {deriveRoute, deriveRoutes} from '../config/routes.js';
import {loadRunningConfigs} from '../config/running-configs.js';
import {sentenceOf, UsageError, type ExitCode} from '../errors.js';
import {clientsFor} from '../poll/clients.js';
import type {HostInterfaces} from '../local-address.js';
import type {Options} from '../options.js';
import {parseName} from '../runtime/names.js';
import {wrap} from '../wrap.js';
import {terminalLine, visible} from '../visible-text.js';
import {routesJson} from './routes-json.js';
import {routesTable} from './routes-table.js';

type RoutesDependencies = {
	reader?: FileReader;
	proc?: string;
	buildInfo?: (binary: string) => Promise<BuildInfo | null>;
	interfaces?: HostInterfaces;
	environment?: NodeJS.ProcessEnv;
	write?: (text: string) => void;
	note?: (text: string) => void;
	width?: number;
};

/** The configuration `routes` reads: its files, sections, where it comes from, and what could not be evaluated. */
/** `cwd`: the working directory of the HAProxy that loaded the files (where it read relative map files), null when not known. */
type RoutesConfig = {files: string[]; sections: Section[]; source: string; uncertain: Uncertainty[]; cwd: string | null};

/**
 * Which configuration `routes` reads, with no HAProxy needed: --config; else the files the
 * running HAProxy loaded (found in /proc); else /etc/haproxy/haproxy.cfg, saying so. A running
 * HAProxy that loaded the files (the one --socket/--master reach, when given) lends its
 * environment, build and working directory, as it read them. Several running HAProxy processes
 * with different files are bad usage (pass --config or --socket).
 */
async function routesConfig(options: Options, dependencies: RoutesDependencies): Promise<RoutesConfig> {
	const note = dependencies.note ?? ((text: string) => process.stderr.write(terminalLine(text)));
	const flag = options.config === undefined ? undefined : path.resolve(options.config);
	const given = options.socket.length > 0 || options.master !== undefined;
	const running = await loadRunningConfigs({reader: dependencies.reader, proc: dependencies.proc, buildInfo: dependencies.buildInfo});
	// The running HAProxy that loaded the files read (--socket/--master name it among several;
	// --config names its file): its environment, build and working directory evaluate the .if
	// blocks and place relative map files. None: the file is read with drainboard's own.
	const pids = given ? await socketPids(options, note) : null;
	const usable = running.filter((one) => one.loaded?.sections && (pids === null || pids.includes(one.pid)) && (flag === undefined || (one.files.length === 1 && one.files[0] === flag)));
	const labels = [...new Set(usable.map((one) => filesLabel(one.files)))];
	if (labels.length > 1) {
		const shown = usable.slice(0, 4).map((one) => `pid ${one.pid}: ${visible(filesLabel(one.files))}`);
		throw new UsageError(`Several HAProxy processes run here with different configurations (${shown.join('; ')}); pass --config or --socket to choose one.`);
	}

	const chosen = usable[0];
	if (chosen?.loaded?.sections) {
		const loadedBy = usable.map((one) => one.pid).join(', ');
		return {files: chosen.files, sections: chosen.loaded.sections, source: `${visible(filesLabel(chosen.files))}, which HAProxy pid ${loadedBy} loaded`, uncertain: chosen.loaded.parsed.uncertainties, cwd: chosen.loaded.cwd};
	}

	if (flag === undefined) {
		const why = running.find((one) => one.problem !== null)?.problem ?? 'no running HAProxy was found in /proc';
		note(`${capitalize(why)}, so drainboard reads ${defaultConfigPath} (the default); pass --config to read another file.`);
	}

	const file = path.resolve(options.config ?? defaultConfigPath);
	const texts = await readConfigTexts([file], dependencies.reader);
	if ('problem' in texts) {
		throw new UsageError(`${capitalize(visible(texts.problem))}; pass --config with the file HAProxy runs.`);
	}

	const allText = texts.map((text) => text.text).join('\n');
	let build: BuildInfo | null = null;
	let buildMissing: string | undefined;
	if (/^[ \t]*\.(?:el)?if\b.*\b(?:feature|enabled|version_)/m.test(allText)) {
		const binary = await findHaproxy(options.haproxy).catch((error: unknown) => error as Error);
		if (binary instanceof Error) {
			buildMissing = binary.message.replace(/\.$/, '');
		} else {
			build = await (dependencies.buildInfo ?? readBuildInfo)(binary);
		}
	}

	// A running HAProxy that did not load --config as it is still lends what its .if blocks read
	// (a copy of its file, or one of several it loaded): the one --socket/--master reach, else the
	// one that loaded --config among other files.
	const lender = running.find((one) => one.facts?.environmentRead && (pids === null ? flag !== undefined && one.files.includes(flag) : pids.includes(one.pid)));
	const environment = lender?.facts?.environment ?? configEnvironment(dependencies.environment ?? process.env);
	build = lender?.facts?.build ?? build;
	const loaded = parsedConfig(texts, conditionFacts({environment, version: build?.version ?? null, build, buildMissing, args: null}), null);
	if (!loaded.sections) {
		throw new UsageError(`${capitalize(visible(loaded.problem))}; pass --config with the file HAProxy runs.`);
	}

	const notConfig = noProxySection(loaded.files, loaded.parsed);
	if (notConfig !== null) {
		throw new UsageError(notConfig);
	}

	const read = options.config === undefined ? `${defaultConfigPath} (the default)` : visible(file);
	return {files: loaded.files, sections: loaded.sections, source: lender ? `${read}, read with the environment of HAProxy pid ${lender.pid}` : read, uncertain: loaded.parsed.uncertainties, cwd: null};
}

/** The pids of the HAProxy processes --socket/--master reach (`show info`); none that answer: a note, and the configuration is read without them. */
async function socketPids(options: Options, note: (text: string) => void): Promise<number[]> {
	// A --config that is no HAProxy configuration is refused before HAProxy is asked anything.
	if (options.config !== undefined) {
		await checkConfigFlag(options.config);
	}

	try {
		const {clients} = await clientsFor({...options, config: undefined});
		return await Promise.all(clients.map(async (client) => (await client.info()).pid));
	} catch (error) {
		note(`${sentenceOf(error).replace(/\.$/, '')}; drainboard reads the configuration without it.`);
		return [];
	}
}

/**
 * `drainboard routes [--config F] [--backend B] [--json]`: for every backend and listen section
 * with servers, the probe drainboard would send through the load balancer to prove traffic
 * reaches it, from the configuration alone (no HAProxy needed: a copy on a laptop works too).
 */
export async function routesCommand(options: Options, dependencies: RoutesDependencies = {}): Promise<ExitCode> {
	const write = dependencies.write ?? ((text: string) => process.stdout.write(text));
	const note = dependencies.note ?? ((text: string) => process.stderr.write(terminalLine(text)));
	const backend = options.backend === undefined ? undefined : parseName(options.backend, 'backend');
	const config = await routesConfig(options, {...dependencies, note});
	const routeOptions = {interfaces: dependencies.interfaces, maps: mapFiles(config.sections, {cwd: config.cwd})};
	let routes;
	if (backend === undefined) {
		routes = deriveRoutes(config.sections, routeOptions);
	} else {
		const known = config.sections.filter((section) => (section.kind === 'backend' || section.kind === 'listen') && !section.uncertain).map((section) => section.name ?? '');
		if (!known.includes(backend)) {
			const some = known.slice(0, 8).join(', ');
			const choose = known.length > 0 ? `; it has ${some}${known.length > 8 ? ', …' : ''}: pass one of them with --backend` : '';
			throw new UsageError(`${visible(filesLabel(config.files))} has no backend or listen section ${visible(backend)}${choose}.`, 'not-found');
		}

		routes = [deriveRoute(config.sections, backend, routeOptions)];
	}

	for (const uncertainty of config.uncertain.slice(0, 2)) {
		note(`${uncertainty.text} (${uncertainty.file} line ${uncertainty.line}) cannot be evaluated here (${uncertainty.why}): the lines under it are left out.`);
	}

	if (options.json) {
		write(routesJson(filesLabel(config.files), routes));
		return 0;
	}

	const width = dependencies.width ?? (process.stdout.isTTY ? process.stdout.columns : Number(process.env['COLUMNS']) || 80);
	write(`${wrap(`Routes in ${config.source}, derived from the configuration alone:`, width).join('\n')}\n`);
	write('\n');
	write(`${routesTable(routes, width)}\n`);
	return 0;
}

function capitalize(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}
