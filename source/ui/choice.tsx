import {Box, useInput, useStdin} from 'ink';
import SelectInput, {type IndicatorProps, type ItemProps} from 'ink-select-input';
import React, {useRef, useState} from 'react';
import {splitKeys} from './key-chunks.js';
import {tint} from './theme.js';
import {Text} from './text/shown-text.js';

/** One option of a {@link Choice}. */
type ChoiceItem<V> = {label: string; value: V};

/**
 * The app's choices (resume or start again, the roll's next server, …): ink-select-input's list,
 * drawn with the app's own text and colours, moved with ↑↓ (or j/k) and taken with Enter or an
 * option's number. Only for choices that send nothing to HAProxy: a state change is confirmed
 * with y, never with Enter.
 *
 * The keys are read here, not by ink-select-input: Ink hands every key of one chunk (keys typed
 * ahead over SSH, or pasted) to the handlers before React renders again, and the list's own
 * handler then reads the cursor as it was before the first of them, so `↓ ↓ Enter` took the
 * first option. Here the cursor lives in a ref that each key moves at once; the list only draws it.
 */
export function Choice<V>({items, onChoose, active = true}: {items: Array<ChoiceItem<V>>; onChoose: (value: V) => void; active?: boolean}) {
	const {isRawModeSupported} = useStdin();
	const cursor = useRef(0);
	const [shown, setShown] = useState(0);
	const move = (to: number) => {
		cursor.current = (to + items.length) % items.length;
		setShown(cursor.current);
	};

	useInput(
		(chunk, flags) => {
			// One option per chunk: keys typed after the Enter that took it wait for the next screen.
			const take = (index: number): boolean => {
				const item = items[index];
				if (item) {
					onChoose(item.value);
				}

				return item !== undefined;
			};

			for (const {input, key} of splitKeys(chunk, flags)) {
				if (key.upArrow || input === 'k') {
					move(cursor.current - 1);
				} else if (key.downArrow || input === 'j') {
					move(cursor.current + 1);
				} else if (key.return) {
					if (take(cursor.current)) {
						return;
					}
				} else if (/^[1-9]$/.test(input) && Number(input) <= items.length) {
					move(Number(input) - 1);
					if (take(Number(input) - 1)) {
						return;
					}
				}
			}
		},
		{isActive: active && isRawModeSupported && items.length > 0},
	);
	return (
		<SelectInput
			// Drawn afresh at each move: the list is told where the cursor is, it does not keep it.
			key={shown}
			initialIndex={shown}
			items={items.map((item, index) => ({key: String(index), label: item.label, value: item.value}))}
			isFocused={false}
			indicatorComponent={Indicator}
			itemComponent={Item}
		/>
	);
}

function Item({isSelected = false, label}: ItemProps) {
	return (
		<Text color={isSelected ? tint('cyan') : undefined} bold={isSelected} wrap="truncate-end">
			{label}
		</Text>
	);
}

function Indicator({isSelected = false}: IndicatorProps) {
	// A box of its own: a label cut at the right edge does not take the space after the cursor.
	return (
		<Box width={2} flexShrink={0}>
			<Text color={tint('cyan')}>{isSelected ? '❯' : ' '}</Text>
		</Box>
	);
}
