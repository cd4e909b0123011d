import {useCallback, useEffect, useRef, useState} from 'react';
import {PoolPoller, type PollView} from '../poll/pool-poller.js';
import type {RuntimeClient} from '../poll/client.js';
import type {ProxyName} from '../runtime/names.js';
import type {InstanceSnapshot} from '../model/types.js';

type PoolHandle = {
	view: PollView;
	refresh: (options?: {full?: boolean}) => void;
	/** When HAProxy last answered, even with nothing new (the view changes only when data does). */
	lastSuccessAt: () => number | null;
};

type PoolOptions = {
	/** The backends polled every cycle with the filtered commands. */
	focus: ProxyName | readonly ProxyName[] | undefined;
	/** Poll the focused backends only, no full dumps (the wizard). */
	focusOnly?: boolean;
	intervalMs?: number;
	/** Snapshots already asked for, which serve the first poll. */
	prefetched?: ReadonlyMap<string, Promise<InstanceSnapshot>>;
};

/** Polls the instances while mounted. */
export function usePool(clients: readonly RuntimeClient[], {focus, focusOnly = false, intervalMs = 1000, prefetched}: PoolOptions): PoolHandle {
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
		poller.current?.focus(focus, {only: focusOnly});
	}, [focus, focusOnly]);
	const refresh = useCallback((options: {full?: boolean} = {}) => {
		poller.current?.refresh(options);
	}, []);
	const lastSuccessAt = useCallback(() => poller.current?.lastSuccessAt() ?? null, []);
	return {view, refresh, lastSuccessAt};
}
