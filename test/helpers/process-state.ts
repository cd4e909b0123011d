import {readFileSync} from 'node:fs';

/** Whether a process runs (a zombie waiting for its parent does not count). */
export function running(pid: number): boolean {
	try {
		return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
	} catch {
		return false;
	}
}
