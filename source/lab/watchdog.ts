import {spawn, type ChildProcess} from 'node:child_process';
import type {Socket} from 'node:net';

/**
 * What the watchdog runs: it waits on a pipe only the lab's drainboard holds open. The pipe ends
 * when that process is gone, however it went (SIGKILL, the OOM killer included, which no exit
 * handler sees); then it kills the lab's HAProxy (the pid in `haproxy.pid`, if that process still
 * runs the lab's config: never the host's own HAProxy should it have got that pid since) and
 * removes the lab's temp dir. A lab stopped as usual removed the pid file first: the watchdog then
 * finds nothing to do.
 */
const script = `read _ || :
pid=$(cat "$1/haproxy.pid" 2>/dev/null) || exit 0
case "$(tr '\\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) " in *" $1/haproxy.cfg "*) kill -KILL "$pid" ;; esac
rm -rf -- "$1"`;

/**
 * Starts the watchdog of the lab in `dir`, in a session of its own (a terminal's hangup does not
 * end it before it has acted), holding no reference on this process's event loop. The caller kills
 * it when it stops the lab itself.
 */
export function startWatchdog(dir: string): ChildProcess {
	const child = spawn('/bin/sh', ['-c', script, 'drainboard-lab-watchdog', dir], {stdio: ['pipe', 'ignore', 'ignore'], detached: true});
	child.on('error', () => undefined);
	child.unref();
	// A child's stdin pipe is a net.Socket: unreferenced, it does not keep the lab's process alive.
	(child.stdin as Socket | null)?.unref();
	return child;
}
