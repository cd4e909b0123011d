import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import React from 'react';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {CrashedError} from '../../source/crash.js';
import {App} from '../../source/ui/app.js';
import {FakeHaproxy} from '../helpers/fake-runtime.js';
import {renderAt, type Rendered} from '../helpers/render-ink.js';

let rendered: Rendered | undefined;
let stateHome: string;
const savedStateHome = process.env['XDG_STATE_HOME'];

beforeEach(() => {
	stateHome = mkdtempSync(path.join(os.tmpdir(), 'drainboard-crash-'));
	process.env['XDG_STATE_HOME'] = stateHome;
});

afterEach(() => {
	rendered?.unmount();
	rendered = undefined;
	if (savedStateHome === undefined) {
		delete process.env['XDG_STATE_HOME'];
	} else {
		process.env['XDG_STATE_HOME'] = savedStateHome;
	}

	rmSync(stateHome, {recursive: true, force: true});
});

describe('an error thrown while the app renders', () => {
	// Test-only: the fake runtime hands the grid a server without a status text, which the real
	// decoders never let through; rendering it throws inside React, as a bug of ours would.
	it('ends the app with one sentence and a crash file (mode 0600, stack and component stack), never a stack trace on screen', async () => {
		const haproxy = new FakeHaproxy(['app01', 'app02']);
		rendered = renderAt(<App clients={[haproxy.client()]} pollIntervalMs={30} />, {columns: 100, rows: 30});
		const exited = rendered.instance.waitUntilExit().then(
			() => undefined,
			(error: unknown) => error,
		);
		await rendered.waitForFrame('app02');
		haproxy.set('app02', {status: undefined as unknown as string});
		const error = await exited;
		expect(error).toBeInstanceOf(CrashedError);
		const crash = error as CrashedError;
		expect(crash.exitCode).toBe(1);
		const directory = path.join(stateHome, 'drainboard');
		const [file] = readdirSync(directory);
		expect(file).toMatch(/^crash-\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d\.\d{3}Z-\d+\.txt$/);
		expect(crash.message).toBe(`drainboard stopped on an internal error (Cannot read properties of undefined (reading 'startsWith')); the details are in ${path.join(directory, file!)}: please report it with that file.`);
		expect(statSync(path.join(directory, file!)).mode & 0o777).toBe(0o600);
		const details = readFileSync(path.join(directory, file!), 'utf8');
		expect(details).toMatch(/^drainboard \S+ stopped on an internal error at \d{4}-/);
		expect(details).toContain('where: interactive app (render or effect)');
		expect(details).toMatch(/argv: \[.*\]/);
		expect(details).toMatch(/TypeError: Cannot read properties of undefined \(reading 'startsWith'\)\n\s+at stateText/);
		expect(details).toMatch(/component stack:\n\s+at ServerLine/);
		for (const frame of rendered.stdout.frames) {
			expect(frame).not.toMatch(/TypeError|\n\s+at /);
		}
	});
});
