import {EventEmitter} from 'node:events';
import {describe, expect, it} from 'vitest';
import {systemClock} from '../../source/runbook/context.js';

describe('systemClock', () => {
	it('leaves no abort listener behind on a long-lived signal', async () => {
		const controller = new AbortController();
		for (let index = 0; index < 15; index++) {
			await systemClock.sleep(1, controller.signal);
		}

		expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(0);
		const pending = systemClock.sleep(60_000, controller.signal);
		controller.abort();
		await pending;
	});
});
