import {execFile} from 'node:child_process';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {promisify} from 'node:util';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {poolConfig, poolDemos} from '../fixtures/pool.cfg.js';
import {startTestBed} from '../helpers/test-bed.js';

const run = promisify(execFile);
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'drainboard-pack-'));

afterAll(() => {
	rmSync(tmp, {recursive: true, force: true});
});

describe('npm pack', () => {
	it('makes a package that installs and runs: --version, --help, status; with its notices and source maps', async () => {
		// --ignore-scripts: the tests ran after a build; the package's prepack would rebuild.
		await run('npm', ['pack', '--ignore-scripts', '--pack-destination', tmp], {cwd: root});
		const tarball = readdirSync(tmp).find((name) => name.endsWith('.tgz'))!;
		const app = path.join(tmp, 'app');
		mkdirSync(app);
		writeFileSync(path.join(app, 'package.json'), '{"name":"app","private":true}\n');
		await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(tmp, tarball)], {cwd: app, timeout: 120_000});
		const bin = path.join(app, 'node_modules', '.bin', 'drainboard');
		const installed = path.join(app, 'node_modules', 'drainboard');
		expect(readFileSync(path.join(installed, 'dist', 'THIRD_PARTY_NOTICES'), 'utf8')).toMatch(/\nreact \d+\.\d+\.\d+ \(MIT\)\n/);
		expect(existsSync(path.join(installed, 'dist', 'cli.js.map'))).toBe(true);
		expect(readdirSync(path.join(installed, 'dist', 'chunks')).filter((name) => name.endsWith('.js.map')).length).toBe(readdirSync(path.join(installed, 'dist', 'chunks')).filter((name) => name.endsWith('.js')).length);
		const version = await run(bin, ['--version']);
		expect(version.stdout.trim()).toBe('0.1.0');
		const help = await run(bin, ['--help']);
		expect(help.stdout).toContain('drainboard lab');
		expect(help.stdout).toContain('Exit codes');
		// Read in 80-column SSH terminals: no line wraps.
		expect(Math.max(...help.stdout.split('\n').map((line) => line.length))).toBeLessThanOrEqual(79);
		const bed = await startTestBed({demos: poolDemos, config: poolConfig});
		try {
			const status = await run(bin, ['status', '--socket', bed.adminSocket, '--json']);
			expect((JSON.parse(status.stdout) as {servers: unknown[]}).servers).toHaveLength(9);
		} finally {
			await bed.stop();
		}
	});
});
