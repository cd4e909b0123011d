import {execFile} from 'node:child_process';
import {readdirSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {promisify} from 'node:util';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {describe, expect, it} from 'vitest';

const run = promisify(execFile);
const chunks = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'chunks');

/**
 * Counts, in the process it is loaded into, the grapheme segmenters and the regular expressions
 * with the `v` flag (Unicode sets, such as `\p{RGI_Emoji}`) made, and prints them at exit.
 */
const counter = `
const made = {segmenters: 0, unicodeSets: 0};
const Segmenter = Intl.Segmenter;
Intl.Segmenter = class extends Segmenter { constructor(...a) { super(...a); made.segmenters++; } };
globalThis.RegExp = new Proxy(RegExp, {construct(target, a, newTarget) { if (String(a[1] ?? '').includes('v')) made.unicodeSets++; return Reflect.construct(target, a, newTarget); }});
process.on('exit', () => process.stdout.write(JSON.stringify(made)));
`;

describe('the interactive app as bundled', () => {
	it('loads without making a grapheme segmenter or a Unicode-set expression (35 to 70 ms of every start)', async () => {
		const app = readdirSync(chunks).find((name) => name.startsWith('run-interactive-'));
		expect(app).toBeDefined();
		const url = pathToFileURL(path.join(chunks, app!)).href;
		const load = `const app = await import(${JSON.stringify(url)}); if (typeof app.runInteractive !== 'function') throw new Error('no runInteractive');`;
		const {stdout} = await run(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(counter)}`, '--input-type=module', '-e', load]);
		expect(JSON.parse(stdout)).toEqual({segmenters: 0, unicodeSets: 0});
		// The counter sees them when they are made: the same process measuring one emoji makes both.
		const measure = `${load} const {default: width} = await import(${JSON.stringify(pathToFileURL(path.join(chunks, '..', 'source', 'ui', 'text', 'string-width.js')).href)}); if (width('👍') !== 2) throw new Error('width');`;
		const measured = await run(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(counter)}`, '--input-type=module', '-e', measure]);
		expect(JSON.parse(measured.stdout)).toMatchObject({segmenters: 1, unicodeSets: 3});
	});
});
