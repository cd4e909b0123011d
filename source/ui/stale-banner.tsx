import React from 'react';
import type {InstanceHealth} from '../poll/pool-poller.js';
import {cell, clockTime} from './format.js';
import {tint} from './theme.js';
import {Text} from './text/shown-text.js';

/** How many banner lines a list of instances needs (at most 2, the second may say "+N more"). */
export function bannerHeight(health: readonly InstanceHealth[]): number {
	return Math.min(2, health.filter((entry) => !entry.ok).length);
}

/** A red line per unreachable instance, over the last known data; it goes away on recovery. */
export function StaleBanner({health, width}: {health: readonly InstanceHealth[]; width: number}) {
	const failing = health.filter((entry) => !entry.ok);
	const shown = failing.length > 2 ? failing.slice(0, 1) : failing;
	return (
		<>
			{shown.map((entry) => (
				<Text key={entry.socket} color={tint('red')} inverse bold wrap="truncate-end">
					{cell(`✗ ${entry.socket} unreachable since ${clockTime(entry.failingSince ?? Date.now())} — retrying. ${entry.error ?? ''}`, width - 1)}
				</Text>
			))}
			{failing.length > 2 ? (
				<Text color={tint('red')} inverse bold>
					{cell(`✗ and ${failing.length - 1} more instances unreachable — retrying`, width - 1)}
				</Text>
			) : null}
		</>
	);
}
