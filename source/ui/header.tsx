import React from 'react';
import type {PollView} from '../poll/pool-poller.js';
import {cell, middleCut, shortDuration} from './format.js';
import {tint} from './theme.js';
import {liveForMs} from './use-now.js';
import {Text} from './text/shown-text.js';

type Props = {view: PollView; now: number; width: number; title?: string; freshAt?: number | null};

/** Top line: what is watched and how fresh the data is. */
export function Header({view, now, width, title, freshAt}: Props) {
	const instances = view.pool?.instances ?? [];
	const servers = instances.reduce((sum, snapshot) => sum + snapshot.backends.reduce((count, backend) => count + backend.servers.length, 0), 0);
	const backends = instances.reduce((sum, snapshot) => sum + snapshot.backends.length, 0);
	const failing = view.health.some((health) => !health.ok);
	const answered = view.pool ? Math.max(freshAt ?? 0, view.pool.takenAt) : null;
	const ageMs = answered === null ? null : Math.max(0, now - answered);
	const age = ageMs === null ? null : Math.round(ageMs / 1000);
	const fresh = age === null || ageMs === null ? 'connecting…' : failing ? `STALE ${shortDuration(age)}` : ageMs < liveForMs ? 'live' : `updated ${shortDuration(age)} ago`;
	const room = Math.max(0, width - 1 - fresh.length - 1);
	const only = instances.length === 1 ? instances[0]!.instance : undefined;
	const what = only ? `${title ?? 'drainboard'}  HAProxy ${only.version.split('-')[0]}  pid ${only.pid}` : `${title ?? 'drainboard'}  ${instances.length > 1 ? `${instances.length} HAProxy instances` : ''}`;
	const counts = view.pool && width >= 100 ? `  ${backends} backends · ${servers} servers` : '';
	const sockets = instances.length > 1 ? '' : view.health.map((health) => health.socket).join(', ');
	const socketRoom = room - what.length - counts.length - 2;
	const left = `${what}${sockets && socketRoom >= Math.min(sockets.length, 24) ? `  ${middleCut(sockets, socketRoom)}` : ''}${counts}`;
	return (
		<Text wrap="truncate-end">
			<Text bold>{cell(left, room)}</Text> <Text color={failing ? tint('red') : tint('gray')} bold={failing}>{fresh}</Text>
		</Text>
	);
}
