import type {PollView} from '../poll/pool-poller.js';
import type {OpenDrain} from '../runbook/resume.js';
import {journalTime} from '../time-format.js';
import {drainSet} from '../model/server-condition.js';

/** The grid's ⚠ line for the open drains HAProxy shows; the key first, as a narrow terminal cuts the end. */
export function resumeBanner(resumable: readonly OpenDrain[]): string | null {
	const [first] = resumable;
	const more = resumable.length > 1 ? ` (and ${resumable.length - 1} more)` : '';
	return first ? `⚠ r resumes ${first.target}: drained by a maintenance ${first.startedBy} started at ${journalTime(first.startedAt)} that did not finish${more}` : null;
}

/** HAProxy's last poll shows the target (`backend/server`) drained on the first instance. */
export function drainedInView(view: PollView, label: string): boolean {
	const slash = label.indexOf('/');
	const server = view.pool?.instances[0]?.backends.find((backend) => backend.name === label.slice(0, slash))?.servers.find((candidate) => candidate.server === label.slice(slash + 1));
	return drainSet(server);
}
