#!/usr/bin/env node
import process from 'node:process';
import {readCommandLine, refuseForeignFlags, wordsOf} from './source/cli-args.js';
import {CrashedError, crashed, debugDetails, installCrashHandlers, setCrashVersion} from './source/crash.js';
import {DrainboardError, exitCodeOf, sentenceOf, stopSignals, UsageError, type ExitCode} from './source/errors.js';
import {holdEarlySignals, releaseEarlySignals} from './source/early-signals.js';
import {parseOptions, type Options} from './source/options.js';
import {terminalLine, terminalSafeJson} from './source/visible-text.js';
import packageJson from './package.json' with {type: 'json'};
import type {RuntimeClient} from './source/poll/client.js';
import type {Target} from './source/runtime/names.js';
import type {TargetPattern} from './source/poll/target-set.js';

setCrashVersion(packageJson.version);
installCrashHandlers();

// A reader that stopped reading (`drainboard status | head`) ends the output, quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
	if (error.code === 'EPIPE') {
		process.exit(process.exitCode ?? 0);
	}
});

const help = `
  Takes HAProxy backend servers (one, or a machine in several backends) out of
  rotation for maintenance and brings them back safely, each step proven
  against the running HAProxy.

  Usage
    $ drainboard [<target>]                  live grid and maintenance wizard
    $ drainboard status [--backend B] [--json] [--journal F]
                                             one snapshot, then exit
    $ drainboard drain <target>              validate, baseline, drain and
                                             confirm: leaves it drained
    $ drainboard restore <target>            wait for health, set ready, prove
                                             traffic returns
    $ drainboard roll <backend> [--exec CMD] [--servers a,b,c]
                                             each server in turn: drain, run
                                             CMD (without: the wizard waits
                                             for you), restore; again to
                                             resume
    $ drainboard routes [--backend B] [--json]
                                             the probe for each backend, from
                                             the configuration alone
    $ drainboard lab                         the app on a disposable HAProxy
                                             with demo servers (try it here)

  Targets
    <backend>/<server>                       one server
    '*/<server>'                             that server in every backend
    @<address> or @<address>:<port>          every server at that address
  The wizard, drain and restore take several servers as one maintenance:
  capacity with all of them leaving together, one confirmation, each proven.

  Options
    --socket <path|host:port>  HAProxy stats socket, repeatable (default: the
                               admin "stats socket" of the config the running
                               HAProxy loaded, else of --config, else
                               /run/haproxy/admin.sock)
    --master <path>            master CLI socket (haproxy -W -S): every current
                               worker, found with "show proc"
    --config <file>            haproxy.cfg (default: the files in the running
                               HAProxy's command line, else
                               /etc/haproxy/haproxy.cfg)
    --url <url>                listener for traffic checks: http://, https://,
                               tcp:// or tls://, an address of this host
                               (default: derived from the frontends that route
                               to the backend; see drainboard routes)
    --host <name>              Host header and TLS SNI of the probe (default:
                               from the frontend's rules); it still connects to
                               the listener's address
    --path <path>              the probe's path (default: from the rules, or /)
    --verify-tls               verify the listener's certificate (default: not
                               verified: the probe checks routing on this host)
    --haproxy <bin>            haproxy binary for "haproxy -c" (default: the
                               running HAProxy's, else PATH)
    --journal <file>           journal (default: $XDG_STATE_HOME or
                               ~/.local/state, then drainboard/journal.jsonl)
    --proof <how>              evidence of where traffic goes: live (real
                               clients' requests, read from HAProxy's counters;
                               nothing sent), probe (requests to the listener),
                               auto (live when the backend is busy; default)
    --proof-window <s>         longest wait for live evidence (default 30)
    --requests <n>             requests per traffic check (default 10)
    --quiet-timeout <s>        wait for sessions to end (default 60)
    --ready-timeout <s>        wait for health after the work (default 300)
    --force                    pass the capacity gate (journaled)
    --skip-validate            skip "haproxy -c" (journaled)
    --dry-run                  drain/restore/roll: run every check that
                               changes nothing, list the commands that would be
                               sent (JSON "wouldSend"), send none; exit 0 when
                               the run would proceed, 1 when a gate would block
    --allow-down               drain a server that is DOWN or in MAINT on
                               purpose (journaled; its baseline is skipped)
    --take-over                take over a drain another operator's
                               maintenance made: restore it, or make it part
                               of this drain of several servers (journaled)
    --backend <name>           status, routes: only this backend
    --timeout <s>              Runtime API timeout in seconds (default 5)
    --json                     print one JSON object on stdout, errors too
                               (see the README's JSON contract)
    --yes                      drain/restore/roll: confirm every change in
                               advance
    --servers <a,b,c>          roll: these servers, in this order (default:
                               all, in configuration order)
    --exec <cmd>               roll: run with /bin/sh -c while each server is
                               drained; DRAINBOARD_BACKEND, _SERVER, _ADDRESS,
                               _PORT name it; non-zero stops the roll
    --help, --version

  Environment
    DRAINBOARD_LOCK_DIR        where the backend locks live, shared by every
                               user (default /run/lock)
    DRAINBOARD_HOLD_SECONDS    how long confirm watches the drain hold, and
                               restore the ready with an agent (default 3)
    DRAINBOARD_SETTLE_SECONDS  how long the server must stay healthy before
                               restore (default 3)
    DRAINBOARD_AUTO_SAMPLE_SECONDS
                               how long --proof auto counts traffic (default 3)
    DRAINBOARD_DEBUG=1         after an internal error's one sentence, print
                               its stack too

  Exit codes
    0 done; 1 a check did not pass; 2 bad usage or invalid input, or a name
    HAProxy does not have (nothing sent); 3 HAProxy unreachable or refused;
    129, 130, 143 stopped by SIGHUP, SIGINT, SIGTERM

  Examples
    $ drainboard status --socket /run/haproxy/admin.sock --json
    $ drainboard webapps/app01
    $ drainboard webapps/app01 --socket /run/lb1.sock --socket 10.0.0.2:9999
    $ drainboard drain webapps/app01 --yes --json && patch-and-restart \\
        && drainboard restore webapps/app01 --yes
    $ drainboard roll webapps --yes --exec \\
        'ssh "$DRAINBOARD_ADDRESS" sudo systemctl restart app'
    $ drainboard routes --config haproxy.cfg --backend shop
    $ drainboard drain shop/web1 --url https://127.0.0.1:443/ \\
        --host shop.example.com
`;

async function main(): Promise<ExitCode> {
	const cli = readCommandLine(process.argv.slice(2));
	if (cli.help) {
		process.stdout.write(`${help}\n`);
		return 0;
	}

	if (cli.version) {
		// With --json, stdout is one JSON object whatever is asked, the version too.
		process.stdout.write(cli.flags['json'] === true ? `${JSON.stringify({ok: true, version: packageJson.version})}\n` : `${packageJson.version}\n`);
		return 0;
	}

	const [command, ...rest] = cli.input;
	const named = (['status', 'routes', 'lab', 'drain', 'restore', 'roll'] as const).find((one) => one === command);
	// A flag the command does not read is refused before anything is read or sent (an unknown command is said below).
	if (named ?? (command === undefined || command.includes('/') || command.startsWith('@'))) {
		refuseForeignFlags(named ?? 'wizard', cli.flags);
	}

	const options = parseOptions(cli.flags);
	if (command === 'status') {
		if (rest.length > 0) {
			throw new UsageError(`"status" takes no target (got "${rest[0]}"); use --backend to narrow it.`);
		}

		const {statusCommand} = await import('./source/headless/run-status.js');
		return statusCommand(options);
	}

	if (command === 'routes') {
		if (rest.length > 0) {
			throw new UsageError(`"routes" takes no argument (got "${rest.join(' ')}"); use --backend to narrow it.`);
		}

		const {routesCommand} = await import('./source/headless/run-routes.js');
		return routesCommand(options);
	}

	if (command === 'lab') {
		if (rest.length > 0) {
			throw new UsageError(`"lab" takes no argument (got "${rest.join(' ')}").`);
		}

		const {runLab} = await import('./source/lab/run-lab.js');
		return runLab(options);
	}

	if (command === 'drain' || command === 'restore') {
		if (rest.length > 1) {
			throw new UsageError(`"${command}" takes one target (got "${rest.join(' ')}"): backend/server, '*/server' for that server in every backend, or @address[:port] for every server there; see drainboard --help.`);
		}

		const {headlessMaintenance} = await import('./source/headless/run-maintenance.js');
		return headlessMaintenance(command, options, rest[0]);
	}

	if (command === 'roll') {
		// In a terminal, without --yes, --json or --dry-run, the wizard rolls: at maintain it runs
		// --exec with its output on screen, or without --exec waits for the operator's work.
		if (!options.json && !options.yes && !options.dryRun && process.stdin.isTTY && process.stdout.isTTY) {
			return interactiveRoll(options, rest);
		}

		const {rollCommand} = await import('./source/headless/run-roll.js');
		return rollCommand(options, rest);
	}

	if (command === undefined || command.includes('/') || command.startsWith('@')) {
		if (options.dryRun) {
			throw new UsageError('--dry-run is for the headless commands: run "drainboard drain <backend>/<server> --dry-run" (or restore) to see what would be sent.');
		}

		if (rest.length > 0) {
			throw new UsageError(`Give one backend/server at most (got "${rest.join(' ')}" too).`);
		}

		const {parseTargetPattern} = await import('./source/poll/target-set.js');
		const pattern = command === undefined ? undefined : parseTargetPattern(command);
		const {interactive, clients, prefetched} = await startInteractive(options);
		// A pattern names its servers now: one is that server's wizard, several are one maintenance of them all.
		const set = pattern === undefined || pattern.kind === 'one' ? undefined : await serversOf(clients, pattern);
		const target = pattern === undefined ? undefined : pattern.kind === 'one' ? pattern.target : set?.targets.length === 1 ? set.targets[0] : undefined;
		// A name the running HAProxy does not have ends here (exit 2); a HAProxy that does not answer opens the app, which says so.
		const found = target === undefined ? undefined : await findTargetIfAnswering(clients, target);
		const {runInteractive} = await interactive;
		if (set && set.targets.length > 1) {
			return runInteractive(options, undefined, {clients, prefetched, set});
		}

		return runInteractive(options, found, {clients, prefetched});
	}

	throw new UsageError(`Unknown command "${command}"; run drainboard --help.`);
}

/**
 * What both ways into the app start with: a terminal, the app's modules loading, the instances
 * found (their notes said) and their first full snapshots asked for. The modules load while the
 * configuration is read and HAProxy writes that snapshot: started first, their compiling fills
 * the wait for the dump's first bytes.
 */
async function startInteractive(options: Options) {
	const {assertTerminal} = await import('./source/ui/terminal.js');
	assertTerminal();
	const {importInteractive} = await import('./source/ui/import-ui.js');
	const interactive = importInteractive();
	interactive.catch(() => undefined);
	const {clientsFor} = await import('./source/poll/clients.js');
	const {clients, notes} = await clientsFor(options);
	for (const note of notes) {
		process.stderr.write(terminalLine(note));
	}

	const prefetched = new Map(clients.map((client) => [client.socket, client.snapshot()] as const));
	for (const early of prefetched.values()) {
		early.catch(() => undefined);
	}

	return {interactive, clients, prefetched};
}

/** `drainboard roll <backend> [--exec CMD]` in a terminal: the app opens on the roll, its backend and servers read from HAProxy first. */
async function interactiveRoll(options: Options, words: readonly string[]): Promise<ExitCode> {
	const {parseRollWords, resolveRoll} = await import('./source/poll/roll-target.js');
	const parsed = parseRollWords(words, options.servers);
	const {interactive, clients, prefetched} = await startInteractive(options);
	const {backend, rows} = await resolveRoll(clients, parsed);
	const {runInteractive} = await interactive;
	const servers = rows[0]!.map((row) => row.server);
	return runInteractive(options, undefined, {clients, prefetched, roll: {backend, servers, asked: parsed.asked, ...(options.exec === undefined ? {} : {exec: options.exec})}});
}

/** The servers a `*\/S` or `@ADDRESS` pattern names (none: exit 2, naming what there is), and the pattern as the operator would type it. */
async function serversOf(clients: readonly RuntimeClient[], pattern: Exclude<TargetPattern, {kind: 'one'}>): Promise<{label: string; targets: Target[]}> {
	const {expandPattern, formatPattern} = await import('./source/poll/target-set.js');
	return {label: formatPattern(pattern), targets: await expandPattern(clients, pattern)};
}

/** {@link findTarget}, or the target as given while HAProxy does not answer (the app shows why). */
async function findTargetIfAnswering(clients: readonly RuntimeClient[], target: Target): Promise<Target> {
	const {findTarget} = await import('./source/poll/find-target.js');
	return findTarget(clients, target).catch((error: unknown) => {
		if (error instanceof UsageError) {
			throw error;
		}

		return target;
	});
}

/** Whether --json was asked for, read from the words themselves: an error may come before the flags are read. */
function jsonAsked(argv: readonly string[]): boolean {
	const flags = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : undefined);
	// `--json=1` is refused (exit 2) as a usage error, but it asked for JSON: the error comes as JSON too.
	return flags.some((flag) => flag === '--json' || (flag.startsWith('--json=') && flag !== '--json=false'));
}

/** With --json, stdout's one object for an error of the command `argv` names, in that command's own schema. */
async function printJsonError(known: DrainboardError, argv: readonly string[]): Promise<void> {
	const words = wordsOf(argv);
	if (words[0] === 'status') {
		const {statusErrorJson} = await import('./source/headless/status-json.js');
		process.stdout.write(statusErrorJson(known));
	} else if (words[0] === 'routes') {
		const {routesErrorJson} = await import('./source/headless/routes-json.js');
		process.stdout.write(routesErrorJson(known));
	} else {
		const {errorResult} = await import('./source/headless/report.js');
		const target = words[0] === 'drain' || words[0] === 'restore' || words[0] === 'roll' ? (words[1] ?? '') : words[0]?.includes('/') || words[0]?.startsWith('@') ? words[0] : '';
		// A roll's object has its servers, state changes and results, empty: the same keys as every roll's.
		const result = words[0] === 'roll' ? {...errorResult(target, known), servers: [], stateChanges: 0, results: []} : errorResult(target, known);
		process.stdout.write(`${terminalSafeJson(JSON.stringify(result))}\n`);
	}
}

const argv = process.argv.slice(2);
if (jsonAsked(argv)) {
	// A signal while drainboard starts (before a maintenance answers signals itself, and before it
	// sends anything): said, and stdout still carries its one object.
	holdEarlySignals((signal) => {
		releaseEarlySignals();
		const stopped = new DrainboardError(`Stopped by ${signal} before anything was sent to HAProxy.`, stopSignals[signal], {code: 'interrupted'});
		process.stderr.write(terminalLine(sentenceOf(stopped)));
		void printJsonError(stopped, argv).finally(() => {
			process.exit(stopSignals[signal]);
		});
	});
}

try {
	process.exitCode = await main();
} catch (error) {
	// An error drainboard did not foresee is one sentence too, with its details in a crash file.
	const known = error instanceof DrainboardError ? error : crashed(error, {where: 'command'});
	// DRAINBOARD_DEBUG=1: the stack follows the sentence.
	process.stderr.write(terminalLine(sentenceOf(known)) + (known instanceof CrashedError ? debugDetails(known.cause) : ''));
	process.exitCode = exitCodeOf(known);
	if (jsonAsked(argv)) {
		// With --json, stdout carries one object for every exit code, errors too, in the command's own schema.
		await printJsonError(known, argv);
	}
}
