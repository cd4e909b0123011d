import type {MapEntry} from '../config/map-file.js';
import type {HeldMaps} from '../config/map-files.js';
import {mapNameSchema} from '../runtime/names.js';
import type {RuntimeClient} from './client.js';

/** The most maps asked for: one `show map` each, before the first step. */
const maxMaps = 32;
/** The most entries kept in all (a hostile or huge reply is not held many times over); maps past it are read from their files. */
const maxEntries = 400_000;

/**
 * The maps of `names` (as the configuration writes them) as the HAProxy behind `client` holds them
 * now: the file it loaded and what `add map`, `set map` or `del map` changed since, and the virtual
 * (`virt@`) maps only the Runtime API fills. A name HAProxy does not know, one that cannot be sent
 * on the CLI, or a read that fails is left out: its file is read instead, and the evidence says which.
 */
export async function heldMaps(client: RuntimeClient, names: readonly string[], signal?: AbortSignal): Promise<HeldMaps> {
	const held = new Map<string, MapEntry[]>();
	let kept = 0;
	for (const name of names.slice(0, maxMaps)) {
		const sendable = mapNameSchema.safeParse(name);
		if (!sendable.success) {
			continue;
		}

		let entries: Awaited<ReturnType<RuntimeClient['heldMap']>>;
		try {
			entries = await client.heldMap(sendable.data, signal);
		} catch {
			// A HAProxy that does not answer (or not as HAProxy) is not asked again: the files are read, and validate reports it.
			break;
		}

		if (entries && kept + entries.length <= maxEntries) {
			kept += entries.length;
			held.set(name, entries.map((entry, index) => ({...entry, line: index + 1})));
		}
	}

	return held;
}
