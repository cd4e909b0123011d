import {Text} from 'ink';
import {render} from 'ink-testing-library';
import React, {useState} from 'react';
import {afterEach, describe, expect, it} from 'vitest';
import {KeysProvider, useKeys} from '../../source/ui/keys.js';
import {waitFor} from '../helpers/wait-for.js';

let rendered: ReturnType<typeof render> | undefined;
afterEach(() => {
	rendered?.unmount();
	rendered = undefined;
});

/** A screen with a question open: Esc closes it; any other key is read only once it is closed (as the set screen's prompt). */
function Asking() {
	const [open, setOpen] = useState(true);
	const [read, setRead] = useState<string[]>([]);
	useKeys((input, key) => {
		if (open) {
			if (key.escape) {
				setOpen(false);
			}

			return;
		}

		setRead((previous) => [...previous, key.return ? '⏎' : input]);
	});
	return <Text>{open ? 'question open' : `closed; read: ${read.join(',')}.`}</Text>;
}

/** Numbers each key with what the screen showed when the key reached it: a key read before the frame of the one before it repeats a number. */
function Counting() {
	const [shown, setShown] = useState(0);
	const [read, setRead] = useState<string[]>([]);
	useKeys((input) => {
		setRead((previous) => [...previous, `${input}${shown}`]);
		setShown(shown + 1);
	});
	return <Text>{`read: ${read.join(',')}.`}</Text>;
}

describe('keys that arrive together', () => {
	it('hands the key glued after Esc to the screen as Esc left it (Esc closes the question, then q is read)', async () => {
		rendered = render(
			<KeysProvider onInterrupt={() => undefined}>
				<Asking />
			</KeysProvider>,
		);
		await waitFor('the first frame', () => (rendered?.lastFrame()?.includes('question open') ? true : undefined));
		// Esc and q in one packet, as a slow SSH link delivers them (Ink reads it as Alt+q).
		rendered.stdin.write('\u001Bq');
		await waitFor('q read after the question closed', () => (rendered?.lastFrame()?.includes('closed; read: q.') ? true : undefined));
		// Several keys in one chunk reach it one by one, Enter included.
		rendered.stdin.write('ab\r');
		await waitFor('a, b and Enter read', () => (rendered?.lastFrame()?.includes('closed; read: q,a,b,⏎.') ? true : undefined));
		expect(rendered.lastFrame()).toBe('closed; read: q,a,b,⏎.');
	});

	it('hands each key of a chunk to the screen its key before left, also when the app was idle when they came', async () => {
		rendered = render(
			<KeysProvider onInterrupt={() => undefined}>
				<Counting />
			</KeysProvider>,
		);
		rendered.stdin.write('a');
		await waitFor('a read', () => (rendered?.lastFrame()?.includes('read: a0.') ? true : undefined));
		// The app has nothing left to do: three keys in one packet each see the frame the one before made.
		rendered.stdin.write('bcd');
		await waitFor('b, c and d read', () => (/d\d\.$/.test(rendered?.lastFrame() ?? '') ? true : undefined));
		expect(rendered.lastFrame()).toBe('read: a0,b1,c2,d3.');
	});
});
