import type {PollView} from '../poll/pool-poller.js';
import type {OpenDrain} from '../runbook/resume.js';
import {journalTime} from '../time-format.js';
import {drainSet} from '../model/server-condition.js';

/** The grid's ⚠ line for the open drains HAProxy shows; the key first, as a narrow terminal cuts the end. */
export function resumeBanner(resumable: readonly OpenDrain[]): string | null {
	const [first] = resumable;
	if (!first) {
		return null;
	}

	// A server of a maintenance of several: r takes up the whole maintenance, by its pattern.
	const together = first.set === undefined ? [first] : resumable.filter((drain) => drain.set === first.set);
	const rest = resumable.length - together.length;
	const more = rest > 0 ? ` (and ${rest} more)` : '';
	return first.set === undefined
		? `⚠ r resumes ${first.target}: drained by a maintenance ${first.startedBy} started at ${journalTime(first.startedAt)} that did not finish${more}`
		: `⚠ r resumes ${first.set}: ${together.map((drain) => drain.target).join(', ')} drained by a maintenance ${first.startedBy} started at ${journalTime(first.startedAt)} that did not finish${more}`;
}

/** The target (`backend/server`) in HAProxy's last poll, first instance; undefined when it does not show it. */
export function serverInView(view: PollView, label: string) {
	const slash = label.indexOf('/');
	return view.pool?.instances[0]?.backends.find((backend) => backend.name === label.slice(0, slash))?.servers.find((candidate) => candidate.server === label.slice(slash + 1));
}

/** HAProxy's last poll shows the target (`backend/server`) drained on the first instance. */
export function drainedInView(view: PollView, label: string): boolean {
	return drainSet(serverInView(view, label));
}

/** HAProxy's last poll shows the target (`backend/server`) at all. */
export function inView(view: PollView, label: string): boolean {
	return serverInView(view, label) !== undefined;
}
