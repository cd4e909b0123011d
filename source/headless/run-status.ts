import process from 'node:process';
import {loadConfig, defaultConfigPath} from '../config/load-config.js';
import {resolveSockets} from '../config/resolve-sockets.js';
import type {ExitCode} from '../errors.js';
import type {Options} from '../options.js';
import {createRuntimeClient} from '../runtime/client.js';
import {parseName} from '../runtime/names.js';
import {runStatus} from './status.js';

/** `drainboard status [--backend B] [--json]`. */
export async function statusCommand(options: Options): Promise<ExitCode> {
	const backend = options.backend === undefined ? undefined : parseName(options.backend, 'backend');
	const config = await loadConfig(options.config ?? defaultConfigPath);
	const {endpoints} = resolveSockets(options.socket, config);
	if (options.config !== undefined && config.sections === null) {
		process.stderr.write(`Note: ${config.problem}; using ${endpoints.map((endpoint) => endpoint.label).join(', ')}.\n`);
	}

	const clients = endpoints.map((endpoint) => createRuntimeClient(endpoint, {timeoutMs: options.timeout * 1000}));
	const width = process.stdout.isTTY ? process.stdout.columns : Number(process.env['COLUMNS']) || 80;
	process.stdout.write(await runStatus(clients, {backend, json: options.json, width}));
	return 0;
}
