import {execFile} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {cliPath} from '../helpers/run-cli.js';

/** The most the fake socket sends on one connection: past every cap, far below what would hurt. */
const boundBytes = 320 * 1024 * 1024;
/** What the CLI may use while refusing an endless reply (its own start is about 60 MB). */
const rssLimitKb = 160 * 1024;

type EndlessSocket = {path: string; received: string[]; close(): Promise<void>};

let dir: string;
let local: EndlessSocket | undefined;

beforeAll(() => {
	dir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-endless-'));
	// Loaded before the CLI: writes the process's peak memory when it exits, whatever exits it.
	writeFileSync(
		path.join(dir, 'max-rss.mjs'),
		`import {writeFileSync} from 'node:fs';\nprocess.on('exit', () => writeFileSync(process.env.MAX_RSS_FILE, String(process.resourceUsage().maxRSS)));\n`,
	);
});

afterAll(() => {
	rmSync(dir, {recursive: true, force: true});
});

afterEach(async () => {
	await local?.close();
	local = undefined;
});

/**
 * A UNIX socket that answers every command with `head` and then one line that does not end, as
 * fast as the client reads, until the client hangs up or {@link boundBytes}. It keeps writing
 * after the client closed its side, as a master CLI does.
 */
async function endlessSocket(head: string): Promise<EndlessSocket> {
	const socketPath = path.join(dir, `endless-${Date.now()}.sock`);
	const filler = Buffer.alloc(64 * 1024, 'A');
	const received: string[] = [];
	const sockets = new Set<net.Socket>();
	const server = net.createServer({allowHalfOpen: true}, (socket) => {
		sockets.add(socket);
		socket.on('error', () => undefined);
		socket.once('close', () => sockets.delete(socket));
		socket.once('data', (line) => {
			received.push(line.toString());
			let total = 0;
			const more = () => {
				while (!socket.destroyed && total < boundBytes) {
					total += filler.length;
					if (!socket.write(filler)) {
						socket.once('drain', more);
						return;
					}
				}

				socket.end();
			};

			socket.write(head);
			more();
		});
	});
	await new Promise<void>((resolve) => {
		server.listen(socketPath, resolve);
	});
	return {
		path: socketPath,
		received,
		async close() {
			for (const socket of sockets) {
				socket.destroy();
			}

			await new Promise<void>((resolve) => {
				server.close(() => {
					resolve();
				});
			});
		},
	};
}

type Run = {code: number | null; stderr: string; maxRssKb: number};

/** Runs the built CLI with the peak-memory hook; never longer than 60 s. */
async function runMeasured(args: string[]): Promise<Run> {
	const rssFile = path.join(dir, `rss-${Date.now()}`);
	return new Promise((resolve) => {
		execFile(
			process.execPath,
			['--import', path.join(dir, 'max-rss.mjs'), cliPath, ...args],
			{env: {...process.env, NO_COLOR: '1', MAX_RSS_FILE: rssFile}, timeout: 60_000, maxBuffer: 16 * 1024 * 1024},
			(error, _stdout, stderr) => {
				resolve({code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr, maxRssKb: Number(readFileSync(rssFile, 'utf8'))});
			},
		);
	});
}

describe('a socket answering one endless line', () => {
	const unreadable = (socket: string) =>
		`HAProxy at ${socket} sent an unreadable reply to "show info;show servers state;show stat -1 6 -1": the reply is longer than any "show info" (more than 64 KB without its closing empty line).\n`;

	it.each([
		['status', []],
		['status --json', ['--json']],
	])('to the show info of %s: one sentence, exit 3, and the memory of a normal start', async (_case, flags) => {
		local = await endlessSocket('Name: HAProxy\nVersion: 2.6.12\nPid: ');
		const result = await runMeasured(['status', '--socket', local.path, '--timeout', '30', ...flags]);
		expect(result.stderr).toBe(unreadable(local.path));
		expect(result.code).toBe(3);
		expect(result.maxRssKb, `peak RSS ${result.maxRssKb} KB`).toBeLessThan(rssLimitKb);
	});

	it('to status --backend (read whole, then decoded): one sentence, exit 3, bounded memory', async () => {
		local = await endlessSocket('Name: HAProxy\nVersion: 2.6.12\nPid: ');
		const result = await runMeasured(['status', '--socket', local.path, '--timeout', '30', '--backend', 'webapps']);
		expect(result.stderr).toBe(
			`HAProxy at ${local.path} sent a line of more than 1 MB in reply to "show info;show servers state webapps;show stat webapps 6 -1"; no HAProxy reply has lines that long, so it was not read further. Check that ${local.path} is HAProxy's stats socket.\n`,
		);
		expect(result.code).toBe(3);
		expect(result.maxRssKb, `peak RSS ${result.maxRssKb} KB`).toBeLessThan(rssLimitKb);
	});

	it('to a headless drain: the first check says it, nothing is sent, exit 3', async () => {
		local = await endlessSocket('');
		const result = await runMeasured(['drain', 'webapps/app01', '--socket', local.path, '--timeout', '30', '--yes', '--journal', path.join(dir, 'drain.jsonl')]);
		expect(result.stderr).toContain(
			`✗ validate · Target exists: HAProxy at ${local.path} sent a line of more than 1 MB in reply to "show info;show servers state webapps;show stat webapps 6 -1"; no HAProxy reply has lines that long, so it was not read further.`,
		);
		expect(result.code).toBe(3);
		expect(local.received.filter((line) => line.includes('set server'))).toEqual([]);
		expect(result.maxRssKb, `peak RSS ${result.maxRssKb} KB`).toBeLessThan(rssLimitKb);
	});

	it('to show proc on a master CLI: one sentence, exit 3, bounded memory', async () => {
		local = await endlessSocket('#<PID>          <type>          <reloads>       <uptime>        <version>\n1 master 0 ');
		const result = await runMeasured(['status', '--master', local.path, '--timeout', '30']);
		expect(result.stderr).toBe(
			`HAProxy at ${local.path} sent more than 1 MB in reply to "show proc", far more than that command's answer; it was not read further. Check that ${local.path} is HAProxy's stats socket.\n`,
		);
		expect(result.code).toBe(3);
		expect(result.maxRssKb, `peak RSS ${result.maxRssKb} KB`).toBeLessThan(rssLimitKb);
	});
});
