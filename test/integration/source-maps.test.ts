import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {poolConfig, poolDemos} from '../fixtures/pool.cfg.js';
import {runCli} from '../helpers/run-cli.js';
import {startTestBed, type TestBed} from '../helpers/test-bed.js';

let tmp: string;
let bed: TestBed;

beforeAll(async () => {
	tmp = await mkdtemp(path.join(os.tmpdir(), 'drainboard-maps-'));
	// Loaded before the bundle: every write to stdout also prints, on stderr, the stack that made it.
	await writeFile(
		path.join(tmp, 'stack-of-writes.mjs'),
		`const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (...args) => {
	process.stderr.write(new Error('a write').stack + '\\n');
	return write(...args);
};
`,
	);
	bed = await startTestBed({demos: poolDemos, config: poolConfig});
});

afterAll(async () => {
	await bed?.stop();
	await rm(tmp, {recursive: true, force: true});
});

const withStacks = () => ({NODE_OPTIONS: `--import ${path.join(tmp, 'stack-of-writes.mjs')}`});

describe('the bundle\'s source maps', () => {
	it('make a stack from cli.tsx name cli.tsx, not the chunk it is in', async () => {
		const result = await runCli(['--version'], {env: withStacks()});
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/ at main \(\S*\/cli\.tsx:\d+:\d+\)/);
		// dist/cli.js is only the entry that turns source maps on and imports cli.tsx's chunk.
		expect(result.stderr).not.toMatch(/dist\/chunks\//);
	});

	it('make a stack from the modules a command loads name source/', async () => {
		const result = await runCli(['status', '--socket', bed.adminSocket, '--json'], {env: withStacks()});
		expect(result.code).toBe(0);
		expect(result.stderr).toMatch(/\S*\/source\/headless\/[a-z-]+\.ts:\d+:\d+/);
		expect(result.stderr).not.toMatch(/dist\/chunks\//);
	});
});
