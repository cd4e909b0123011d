// Loaded only by tests (NODE_OPTIONS=--import=<this file>), never shipped: it forces the kind of
// error drainboard has no handler for, so that the crash path itself can be tested on the real CLI.
// SIGUSR2 throws from a timer (an uncaught exception) or, with DRAINBOARD_TEST_CRASH=rejection,
// rejects a promise nobody awaits (an unhandled rejection). With DRAINBOARD_TEST_CRASH=stdout,
// every write to stdout throws: an error inside a command that drainboard does not catch.
import process from 'node:process';
import {setTimeout} from 'node:timers';

process.on('SIGUSR2', () => {
	setTimeout(() => {
		if (process.env.DRAINBOARD_TEST_CRASH === 'rejection') {
			void Promise.reject(new Error('rejection forced by the test hook'));
			return;
		}

		throw new Error('exception forced by the test hook');
	}, 0);
});

if (process.env.DRAINBOARD_TEST_CRASH === 'stdout') {
	process.stdout.write = () => {
		throw new Error('stdout write forced to fail by the test hook');
	};
}
