import {afterEach} from 'vitest';
import {killAllTmux} from './tmux.js';

// Every terminal a test opened is closed after it, whatever the test did.
afterEach(async () => {
	await killAllTmux();
});
