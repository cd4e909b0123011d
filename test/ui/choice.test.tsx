import {render} from 'ink-testing-library';
import React from 'react';
import {afterEach, describe, expect, it} from 'vitest';
import {Choice} from '../../source/ui/choice.js';
import {pressAndWait} from '../helpers/press.js';
import {afterCommit, keys} from '../helpers/render-ink.js';
import {waitFor} from '../helpers/wait-for.js';

// ink-testing-library: the component at that library's own width (no terminal size matters here).
let rendered: ReturnType<typeof render> | undefined;
afterEach(() => {
	rendered?.unmount();
	rendered = undefined;
});

function show(onChoose: (value: string) => void) {
	rendered = render(
		<Choice
			items={[
				{label: 'y resume at confirm', value: 'resume'},
				{label: 'n start a new maintenance at validate', value: 'new'},
			]}
			onChoose={onChoose}
		/>,
	);
	const ui = rendered;
	const target = {send: (key: string) => void ui.stdin.write(key), frame: () => ui.lastFrame() ?? '', settle: afterCommit, everyMs: 5};
	return {ui, press: async (key: string, until?: string | ((frame: string) => boolean)) => pressAndWait(target, key, until)};
}

describe('a choice (ink-select-input)', () => {
	it('starts on the first option, moves with ↓ and takes the one under the cursor with Enter', async () => {
		const chosen: string[] = [];
		const {ui, press} = show((value) => chosen.push(value));
		await waitFor('the choice', () => (ui.lastFrame()?.includes('❯ y resume at confirm') ? true : undefined));
		expect(ui.lastFrame()).toBe('❯ y resume at confirm\n  n start a new maintenance at validate');
		await press(keys.down, '❯ n start a new maintenance at validate');
		ui.stdin.write(keys.enter);
		await waitFor('the choice taken', () => (chosen.length > 0 ? true : undefined));
		expect(chosen).toEqual(['new']);
	});

	it('keys typed ahead in one chunk (↓ ↓ Enter over a slow SSH link) take the option they moved to', async () => {
		const chosen: string[] = [];
		rendered = render(
			<Choice
				items={[
					{label: 'Start the maintenance of app02', value: 'start'},
					{label: 'Skip app02', value: 'skip'},
					{label: 'Stop the roll', value: 'stop'},
				]}
				onChoose={(value) => chosen.push(value)}
			/>,
		);
		const ui = rendered;
		await waitFor('the choice', () => (ui.lastFrame()?.includes('❯ Start') ? true : undefined));
		ui.stdin.write(`${keys.down}${keys.down}${keys.enter}${keys.enter}`);
		await waitFor('the choice taken', () => (chosen.length > 0 ? true : undefined));
		await waitFor('the cursor drawn where the keys left it', () => (ui.lastFrame()?.includes('❯ Stop the roll') ? true : undefined));
		// Taken once: the second Enter of the chunk took nothing more.
		expect(chosen).toEqual(['stop']);
	});

	it('takes an option by its number', async () => {
		const chosen: string[] = [];
		const {ui} = show((value) => chosen.push(value));
		await waitFor('the choice', () => (ui.lastFrame()?.includes('❯ y resume') ? true : undefined));
		ui.stdin.write('2');
		await waitFor('the choice taken', () => (chosen.length > 0 ? true : undefined));
		expect(chosen).toEqual(['new']);
	});
});
