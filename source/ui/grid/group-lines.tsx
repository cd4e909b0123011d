import React from 'react';
import type {BackendSummary} from '../../model/server-condition.js';
import type {Backend, InstanceSnapshot} from '../../model/types.js';
import {cell, nameCell} from '../format.js';
import {tint} from '../theme.js';
import {Text} from '../text/shown-text.js';

type BackendProps = {backend: Backend; summary: BackendSummary; width: number; cursor: boolean};

/** A backend's group row: name, servers up, servers serving, sessions; a mark when none serves. */
export const BackendLine = React.memo(function BackendLine({backend, summary, width, cursor}: BackendProps) {
	const counts = `${summary.up}/${summary.total} up · ${summary.serving} serving · ${summary.currentSessions} sess`;
	const alarm = summary.noneServing ? '  ✗ NO SERVER SERVING' : '';
	const kind = [backend.mode, backend.algorithm].filter(Boolean).join(' ');
	const nameWidth = Math.min(Math.max(backend.name.length, 12), Math.max(8, width - counts.length - alarm.length - 6));
	const left = `▸ ${nameCell(backend.name, nameWidth)}  ${counts}`;
	const right = width - left.length - alarm.length > kind.length + 2 ? kind : '';
	const padding = Math.max(0, width - 1 - left.length - alarm.length - right.length);
	return (
		<Text inverse={cursor} bold wrap="truncate-end">
			{left}
			<Text color={tint('red')}>{alarm}</Text>
			{' '.repeat(padding)}
			<Text dimColor>{right}</Text>
		</Text>
	);
});

type InstanceProps = {snapshot: InstanceSnapshot; width: number; cursor: boolean};

/** Heads the backends of one instance when drainboard watches several. */
export const InstanceLine = React.memo(function InstanceLine({snapshot, width, cursor}: InstanceProps) {
	const {instance} = snapshot;
	const text = `═ ${instance.socket}  HAProxy ${instance.version}  pid ${instance.pid}`;
	return (
		<Text inverse={cursor} color={tint('cyan')} wrap="truncate-end">
			{cell(text, width - 1)}
		</Text>
	);
});
