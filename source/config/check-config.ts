import {spawn} from 'node:child_process';

/** What `haproxy -c -V -f <file>…` said: its exit status decides, warnings are shown. */
export type ConfigCheck = {ok: boolean; exitCode: number | null; warnings: string[]; alerts: string[]; output: string};

/** Where and with what environment `haproxy -c` runs: the running HAProxy's, when known. */
type CheckPlace = {cwd?: string | null; environment?: Record<string, string> | null; timeoutMs?: number};

/** The arguments of `haproxy -c -V`, one `-f` per file, in order. */
export function checkArguments(files: string | readonly string[]): string[] {
	return ['-c', '-V', ...(typeof files === 'string' ? [files] : files).flatMap((file) => ['-f', file])];
}

/** Runs `haproxy -c -V -f <file>…` with a timeout; never throws for a failing config. */
export async function checkConfig(binary: string, files: string | readonly string[], place: CheckPlace = {}): Promise<ConfigCheck> {
	return new Promise((resolve) => {
		let output = '';
		const child = spawn(binary, checkArguments(files), {
			stdio: ['ignore', 'pipe', 'pipe'],
			...(place.cwd ? {cwd: place.cwd} : {}),
			...(place.environment ? {env: place.environment} : {}),
		});
		const collect = (chunk: Buffer) => {
			output = (output + chunk.toString('utf8')).slice(-65_536);
		};

		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		const timer = setTimeout(() => child.kill('SIGKILL'), place.timeoutMs ?? 30_000);
		const finish = (exitCode: number | null, extra = '') => {
			clearTimeout(timer);
			const text = output + extra;
			const lines = text.split('\n').map((line) => line.trim());
			resolve({
				ok: exitCode === 0,
				exitCode,
				warnings: lines.filter((line) => line.startsWith('[WARNING]')),
				alerts: lines.filter((line) => line.startsWith('[ALERT]')),
				output: text.trim(),
			});
		};

		child.on('error', (error) => {
			finish(null, `could not run ${binary}: ${error.message}`);
		});
		child.on('close', (code) => {
			finish(code);
		});
	});
}
