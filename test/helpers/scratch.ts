import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The temp dirs made by scratchDir in this test file, removed after its last test (setup.ts). */
const made: string[] = [];

/** A temp dir of `prefix` that is removed when the test file ends, whatever its tests did. */
export function scratchDir(prefix: string): string {
	const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
	made.push(dir);
	return dir;
}

/** Removes every dir scratchDir made. */
export function removeScratchDirs(): void {
	for (const dir of made.splice(0)) {
		rmSync(dir, {recursive: true, force: true});
	}
}
