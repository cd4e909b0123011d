import {readFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {Text} from 'ink';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {textAliases} from '../../build.mjs';
import * as ansiTokenize from '../../source/ui/text/ansi-tokenize.js';
import {narrowText} from '../../source/ui/text/narrow.js';
import {textImporters} from '../../vitest.config.js';
import {renderAt} from '../helpers/render-ink.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

type Metafile = {inputs: Record<string, {imports: Array<{path: string; original?: string}>}>};

afterEach(() => {
	vi.restoreAllMocks();
});

describe('the UI tests render with the text code that ships', () => {
	it('Ink measures lines with source/ui/text/string-width.ts and cuts them with its ansi-tokenize.ts', async () => {
		const measured = vi.spyOn(narrowText, 'test');
		const cut = vi.spyOn(ansiTokenize, 'tokenize');
		const rendered = renderAt(<Text>● app01 · UP</Text>, {columns: 40, rows: 5});
		try {
			await rendered.waitForFrame('● app01 · UP');
			expect(measured).toHaveBeenCalledWith('● app01 · UP');
			expect(cut.mock.calls.map(([line]) => line)).toContain('● app01 · UP');
		} finally {
			rendered.unmount();
		}
	});

	it('every bundled package that imports an aliased package, or Ink, goes through the aliases in vitest', () => {
		// dist/cli.meta.json: what esbuild bundled for dist/cli.js (npm test builds first).
		const metafile = JSON.parse(readFileSync(path.join(root, 'dist', 'cli.meta.json'), 'utf8')) as Metafile;
		const watched = new Set([...Object.keys(textAliases), 'ink']);
		const importers = new Set<string>();
		for (const [input, {imports}] of Object.entries(metafile.inputs)) {
			const name = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1];
			if (name && imports.some((item) => item.original !== undefined && watched.has(item.original))) {
				importers.add(name);
			}
		}

		expect(importers).toContain('ink');
		expect(importers).toContain('wrap-ansi');
		expect(textImporters).toEqual(expect.arrayContaining([...importers]));
	});
});
