import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {afterAll, afterEach} from 'vitest';
import {removeScratchDirs} from './scratch.js';
import {killAllTmux} from './tmux.js';

// The runbook's watch times (source/watch-times.ts) shortened from 3 s to 1 s for every drainboard
// the suite starts: the hold is still watched over at least two reads, the health over its checks;
// a test that measures against the shipped times gives them to its drainboard itself.
const watchTimesForTests = {DRAINBOARD_HOLD_SECONDS: '1', DRAINBOARD_SETTLE_SECONDS: '1', DRAINBOARD_AUTO_SAMPLE_SECONDS: '1'};
for (const [name, value] of Object.entries(watchTimesForTests)) {
	process.env[name] ??= value;
}

// Every terminal a test opened is closed after it, whatever the test did.
afterEach(async () => {
	await killAllTmux();
});

// The backend locks of the drainboards a test file starts live in a temp dir of its own, not in
// the host's /run/lock (a test that kills drainboard would leave its lock file there).
const lockDir = mkdtempSync(path.join(os.tmpdir(), 'drainboard-locks-'));
process.env['DRAINBOARD_LOCK_DIR'] ??= lockDir;
// Nor do their journals default to the host's (~/.local/state/drainboard): a drainboard a test starts
// without --journal writes and reads one of this test file's own, never an operator's nor another test's.
const stateHome = mkdtempSync(path.join(os.tmpdir(), 'drainboard-state-'));
process.env['XDG_STATE_HOME'] = stateHome;
afterAll(() => {
	rmSync(lockDir, {recursive: true, force: true});
	rmSync(stateHome, {recursive: true, force: true});
	removeScratchDirs();
});
