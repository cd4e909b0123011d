/**
 * Holds a backend's lock in a process of its own, as another drainboard would:
 * `node --import tsx test/helpers/hold-lock.ts <lock dir> <socket> <backend> <what> <user>`.
 * Prints `held` once it has the lock (or the refusal), and keeps it until stdin closes or it is killed.
 */
import process from 'node:process';
import {createRuntimeClient} from '../../source/poll/client.js';
import {parseEndpoint} from '../../source/runtime/endpoint.js';
import {BackendLock} from '../../source/runbook/backend-lock.js';

const [dir, socket, backend, what, user] = process.argv.slice(2);
const lock = new BackendLock({dir: dir!, backend: backend!, clients: [createRuntimeClient(parseEndpoint(socket!))], user});
try {
	await lock.take(what!);
	process.stdout.write('held\n');
} catch (error) {
	process.stdout.write(`refused: ${(error as Error).message}\n`);
	process.exit(1);
}

process.stdin.resume();
process.stdin.on('end', () => {
	lock.release();
	process.exit(0);
});
