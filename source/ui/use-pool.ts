import {useCallback, useEffect, useRef, useState} from 'react';
import {PoolPoller, type PollView} from '../poll/pool-poller.js';
import type {RuntimeClient} from '../poll/client.js';
import type {ProxyName} from '../runtime/names.js';
import type {InstanceSnapshot} from '../model/types.js';

type PoolHandle = {
	view: PollView;
	refresh: (full?: boolean) => void;
	/** When HAProxy last answered, even with nothing new (the view changes only when data does). */
	lastSuccessAt: () => number | null;
};

/** Polls the instances while mounted; `focus` is the backend polled every cycle (`only`: nothing else). */
export function usePool(
	clients: readonly RuntimeClient[],
	focus: ProxyName | undefined,
	intervalMs = 1000,
	only = false,
	prefetched?: ReadonlyMap<string, Promise<InstanceSnapshot>>,
): PoolHandle {
	const poller = useRef<PoolPoller | undefined>(undefined);
	const [view, setView] = useState<PollView>(() => ({
		pool: null,
		health: clients.map((client) => ({socket: client.socket, ok: true, failingSince: null, error: null, lastSuccess: null})),
		cycles: 0,
	}));
	useEffect(() => {
		const current = new PoolPoller({clients, intervalMs, onChange: setView, prefetched, onlyChanges: true});
		poller.current = current;
		current.start();
		return () => {
			current.stop();
		};
		// The prefetched snapshots serve the first poll only.
	}, [clients, intervalMs]);
	useEffect(() => {
		poller.current?.focus(focus, only);
	}, [focus, only]);
	const refresh = useCallback((full = false) => {
		poller.current?.refresh(full);
	}, []);
	const lastSuccessAt = useCallback(() => poller.current?.lastSuccessAt() ?? null, []);
	return {view, refresh, lastSuccessAt};
}
