import {spawn} from 'node:child_process';

/** What `haproxy -c -V -f <config>` said: its exit status decides, warnings are shown. */
export type ConfigCheck = {ok: boolean; exitCode: number | null; warnings: string[]; alerts: string[]; output: string};

/** Runs `haproxy -c -V -f <config>` with a timeout; never throws for a failing config. */
export async function checkConfig(binary: string, configPath: string, timeoutMs = 30_000): Promise<ConfigCheck> {
	return new Promise((resolve) => {
		let output = '';
		const child = spawn(binary, ['-c', '-V', '-f', configPath], {stdio: ['ignore', 'pipe', 'pipe']});
		const collect = (chunk: Buffer) => {
			output = (output + chunk.toString('utf8')).slice(-65_536);
		};

		child.stdout.on('data', collect);
		child.stderr.on('data', collect);
		const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
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
