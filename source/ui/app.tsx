import {useApp} from 'ink';
import React, {useCallback, useEffect, useState} from 'react';
import type {ExitCode} from '../errors.js';
import type {RuntimeClient} from '../runtime/client.js';
import {proxyNameSchema, type ProxyName, type Target} from '../runtime/names.js';
import {serverKey} from './grid/grid-rows.js';
import {GridScreen} from './grid/grid-screen.js';
import {useNow} from './use-now.js';
import {usePool} from './use-pool.js';
import {useTerminalSize} from './use-terminal-size.js';

export type AppProps = {
	clients: readonly RuntimeClient[];
	/** `drainboard webapps/app01` opens with this server selected. */
	initialTarget?: Target;
	pollIntervalMs?: number;
};

/** The interactive app's root, and the one place that ends it (with an exit code). */
export function App({clients, initialTarget, pollIntervalMs}: AppProps) {
	const {exit} = useApp();
	const size = useTerminalSize();
	const now = useNow();
	const [focus, setFocus] = useState<ProxyName | undefined>(initialTarget?.backend);
	const [exiting, setExiting] = useState<ExitCode | null>(null);
	const {view} = usePool(clients, focus, pollIntervalMs);
	const quit = useCallback((code: ExitCode) => {
		setExiting(code);
	}, []);
	useEffect(() => {
		if (exiting !== null) {
			exit(exiting);
		}
	}, [exiting, exit]);
	const onFocus = useCallback((backend: string | undefined) => {
		const parsed = proxyNameSchema.safeParse(backend);
		setFocus(parsed.success ? parsed.data : undefined);
	}, []);

	if (exiting !== null) {
		return null;
	}

	const initialKey = initialTarget && clients[0] ? serverKey(clients[0].socket, initialTarget.backend, initialTarget.server) : undefined;
	return (
		<GridScreen
			view={view}
			size={size}
			now={now}
			initialKey={initialKey}
			onFocus={onFocus}
			onQuit={() => {
				quit(0);
			}}
		/>
	);
}
