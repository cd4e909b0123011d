import SelectInput, {type IndicatorProps, type ItemProps} from 'ink-select-input';
import React from 'react';
import {tint} from './theme.js';
import {Text} from './text/shown-text.js';

/** One option of a {@link Choice}. */
type ChoiceItem<V> = {label: string; value: V};

/**
 * The app's choices (resume or start again, …): ink-select-input's list, moved with ↑↓ (or j/k,
 * or a digit) and taken with Enter, drawn with the app's own text and colours. Only for choices
 * that send nothing to HAProxy: a state change is confirmed with y, never with Enter.
 */
export function Choice<V>({items, onChoose, active = true}: {items: Array<ChoiceItem<V>>; onChoose: (value: V) => void; active?: boolean}) {
	return (
		<SelectInput
			items={items.map((item, index) => ({key: String(index), label: item.label, value: item.value}))}
			isFocused={active}
			indicatorComponent={Indicator}
			itemComponent={Item}
			onSelect={(item) => {
				onChoose(item.value);
			}}
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
	return <Text color={tint('cyan')}>{isSelected ? '❯ ' : '  '}</Text>;
}
