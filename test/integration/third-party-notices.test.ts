import {readdirSync, readFileSync} from 'node:fs';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {thirdPartyNotices} from '../../build.mjs';
import {assertPackaged, packaged} from '../helpers/packaged.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

type Metafile = {inputs: Record<string, unknown>};

/** The packages (their folders under node_modules) whose files esbuild put in a bundle. */
function bundledPackageDirs(metafileFile: string): string[] {
	const metafile = JSON.parse(readFileSync(path.join(root, metafileFile), 'utf8')) as Metafile;
	const dirs = Object.keys(metafile.inputs).flatMap((input) => /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? []);
	return [...new Set(dirs)];
}

function expectNoticeFor(notices: string, dir: string): void {
	const manifest = JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as {name: string; version: string};
	expect(notices, `${manifest.name} ${manifest.version}`).toContain(`\n${manifest.name} ${manifest.version} (`);
	for (const file of readdirSync(path.join(root, dir)).filter((name) => /^(?:licen[cs]e|copying)/i.test(name))) {
		expect(notices, `${dir}/${file}`).toContain(readFileSync(path.join(root, dir, file), 'utf8').trim());
	}
}

describe('THIRD_PARTY_NOTICES (dist/, beside the executable, in the npm package and the .deb)', () => {
	const notices = () => readFileSync(assertPackaged(packaged.notices), 'utf8');

	it('names every package esbuild bundled, for npm and for the executable, with its licence text', () => {
		const npmBundle = bundledPackageDirs('dist/cli.meta.json');
		const executableBundle = bundledPackageDirs(path.relative(root, assertPackaged(path.join(root, 'dist/sea/drainboard.meta.json'))));
		expect(npmBundle).toEqual(expect.arrayContaining(['node_modules/react', 'node_modules/ink', 'node_modules/zod', 'node_modules/yoga-layout', 'node_modules/scheduler']));
		for (const dir of new Set([...npmBundle, ...executableBundle])) {
			expectNoticeFor(notices(), dir);
		}
	});

	it('has the licences of the code adapted in source/ui/text/, and of Node.js in the executable', () => {
		expectNoticeFor(notices(), 'node_modules/string-width');
		expectNoticeFor(notices(), 'node_modules/@alcalzone/ansi-tokenize');
		expect(notices()).toContain("Adapted in drainboard's source/ui/text/string-width.ts and source/ui/text/unicode-width.ts.");
		const node = path.join(root, 'node_modules/.cache/node-26/package');
		const {version} = JSON.parse(readFileSync(path.join(node, 'package.json'), 'utf8')) as {version: string};
		expect(notices()).toContain(`\nNode.js ${version} (in the executable only)\n`);
		expect(notices()).toContain(readFileSync(path.join(node, 'LICENSE'), 'utf8').trim());
	});

	it('fails the build when a bundled package has no licence text', async () => {
		const tmp = await mkdtemp(path.join(os.tmpdir(), 'drainboard-notices-'));
		try {
			const dir = path.join(tmp, 'node_modules', 'unlicensed');
			await mkdir(dir, {recursive: true});
			await writeFile(path.join(dir, 'package.json'), '{"name": "unlicensed", "version": "1.0.0", "license": "MIT"}');
			await writeFile(path.join(dir, 'index.js'), 'export default 1;\n');
			const metafile = {inputs: {[path.join(dir, 'index.js')]: {bytes: 18, imports: []}}};
			await expect(thirdPartyNotices([metafile])).rejects.toThrow(`unlicensed@1.0.0 (${path.relative(root, dir)}) is bundled but has no licence file (LICENSE, LICENCE, COPYING): its licence text must ship with drainboard.`);
			await writeFile(path.join(dir, 'LICENSE.md'), 'The unlicensed licence.\n');
			expect(await thirdPartyNotices([metafile])).toContain('\nunlicensed 1.0.0 (MIT)\n');
		} finally {
			await rm(tmp, {recursive: true, force: true});
		}
	});
});
