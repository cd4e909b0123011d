import {spawn} from 'node:child_process';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {waitFor} from './wait-for.js';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'hold-lock.ts');

/** Another process holding a backend's lock (see hold-lock.ts): release() ends it, kill() SIGKILLs it. */
export type LockHolder = {pid: number; release(): Promise<void>; kill(): Promise<void>};

export async function holdLock(options: {dir: string; socket: string; backend: string; what: string; user: string}): Promise<LockHolder> {
	const child = spawn(process.execPath, ['--import', 'tsx', script, options.dir, options.socket, options.backend, options.what, options.user], {stdio: ['pipe', 'pipe', 'inherit']});
	let output = '';
	child.stdout.on('data', (chunk: Buffer) => {
		output += chunk.toString('utf8');
	});
	const exited = new Promise<void>((resolve) => {
		child.once('exit', () => {
			resolve();
		});
	});
	await waitFor('the lock holder to take the lock', () => (output.includes('held') ? true : output.includes('refused') ? Promise.reject(new Error(output)) : undefined), 15_000);
	return {
		pid: child.pid!,
		async release() {
			child.stdin.end();
			await exited;
		},
		async kill() {
			child.kill('SIGKILL');
			await exited;
		},
	};
}
