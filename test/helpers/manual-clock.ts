import type {PollClock} from '../../source/poll/pool-poller.js';

type Timer = {at: number; run: () => void};

/**
 * A clock that moves only when the test says: time stands still while a poll runs (unless the
 * test's fake HAProxy advances it, as a dump's cost), and a timer fires only on `fireNext`.
 */
export class ManualClock implements PollClock {
	time = 1_764_000_000_000;
	private timers: Timer[] = [];
	private waiting: Array<() => void> = [];

	now = () => this.time;

	setTimer = (run: () => void, ms: number) => {
		const timer = {at: this.time + ms, run};
		this.timers.push(timer);
		for (const wake of this.waiting.splice(0)) {
			wake();
		}

		return () => {
			this.timers = this.timers.filter((other) => other !== timer);
		};
	};

	/** Timers set and not yet fired or cancelled. */
	pending(): number {
		return this.timers.length;
	}

	/** Waits until a timer is set (the poller set its next poll: the cycle before it ended). */
	async timerSet(): Promise<void> {
		if (this.timers.length > 0) {
			return;
		}

		await new Promise<void>((resolve) => {
			this.waiting.push(resolve);
		});
	}

	/** Waits for a timer, moves time on to it and runs it. */
	async fireNext(): Promise<void> {
		await this.timerSet();
		const next = this.timers.reduce((soonest, timer) => (timer.at < soonest.at ? timer : soonest));
		this.timers = this.timers.filter((timer) => timer !== next);
		this.time = Math.max(this.time, next.at);
		next.run();
	}
}
