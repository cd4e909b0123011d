import {spawn, type ChildProcess} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import type {Socket} from 'node:net';
import path from 'node:path';
import process from 'node:process';
import {socketPart} from '../runbook/instance-keys.js';

/**
 * What the watchdog runs: it waits on a pipe only the lab's drainboard holds open. The pipe ends
 * when that process is gone, however it went (SIGKILL, the OOM killer included, which no exit
 * handler sees); then, if the pid in `haproxy.pid` still runs the lab's config (never the host's
 * own HAProxy should it have got that pid since), it kills that HAProxy and removes this user's
 * drain marks of it from the lock directory (drain-mark.ts: `…-pid<pid>-….<uid>.drained`, and
 * those under its socket, `…-sock<hash>.….<uid>.drained`, as forgetMarksOf does when the lab ends
 * as usual), and removes the lab's temp dir. A lab stopped as usual removed the pid file first: the
 * watchdog then finds nothing to do. $1 the lab's dir, $2 the lock directory, $3 the uid, $4 the
 * socket's part of a mark's name (`-sock<hash>`).
 */
const script = `read _ || :
pid=$(cat "$1/haproxy.pid" 2>/dev/null) || exit 0
case "$(tr '\\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) " in *" $1/haproxy.cfg "*)
  kill -KILL "$pid"
  rm -f -- "$2"/drainboard.*-pid"$pid"-*."$3".drained "$2"/drainboard.*"$4".*."$3".drained ;;
esac
rm -rf -- "$1"
`;

/**
 * Starts the watchdog of the lab in `dir`, in a session of its own (a terminal's hangup does not
 * end it before it has acted), holding no reference on this process's event loop. Its script is
 * `dir`/watchdog.sh, so `ps` shows `/bin/sh <lab dir>/watchdog.sh …`, not the script's text. The
 * caller kills it when it stops the lab itself.
 */
export function startWatchdog(dir: string, lockDir: string, socket: string): ChildProcess {
	const file = path.join(dir, 'watchdog.sh');
	writeFileSync(file, script, {mode: 0o600});
	const bySocket = socketPart(socket);
	const child = spawn('/bin/sh', [file, dir, lockDir, String(process.getuid?.() ?? 0), bySocket], {stdio: ['pipe', 'ignore', 'ignore'], detached: true});
	child.on('error', () => undefined);
	child.unref();
	// A child's stdin pipe is a net.Socket: unreferenced, it does not keep the lab's process alive.
	(child.stdin as Socket | null)?.unref();
	return child;
}
