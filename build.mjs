#!/usr/bin/env node
/**
 * drainboard's build: the one build script of the repository.
 *
 *   node build.mjs            (npm run build)    type-check, then the npm bundle: dist/cli.js,
 *                                                 dist/chunks/, their source maps, dist/THIRD_PARTY_NOTICES
 *
 * vitest.config.ts imports {@link textAliases} from here, so the tests render Ink with the same
 * text code as the bundle; the tests check {@link thirdPartyNotices}.
 */
import {execFile} from 'node:child_process';
import {chmod, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {promisify} from 'node:util';

const run = promisify(execFile);
const root = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(root, 'dist');

/**
 * Packages replaced by drainboard's own code in the bundle (esbuild's `alias`), and in the tests
 * (vitest.config.ts). Ink measures and cuts every line of every frame with these two; the
 * replacements in source/ui/text/ give the same answers at a fraction of the cost on drainboard's
 * text (see the comments there). Both packages are pinned exactly in package.json: the
 * replacements copy string-width's algorithm and import @alcalzone/ansi-tokenize's files by path,
 * and Ink's use of them is an internal detail of the Ink version pinned beside them.
 */
export const textAliases = {
	'string-width': path.join(root, 'source/ui/text/string-width.ts'),
	'@alcalzone/ansi-tokenize': path.join(root, 'source/ui/text/ansi-tokenize.ts'),
};

/**
 * Code adapted from packages into source/ui/text/: their licences ship in the notices too, though
 * esbuild, which sees only our files, does not list them.
 */
const adaptedPackages = {
	'string-width': ['source/ui/text/string-width.ts', 'source/ui/text/unicode-width.ts'],
	'@alcalzone/ansi-tokenize': ['source/ui/text/ansi-tokenize.ts'],
};

/** esbuild's options for drainboard's bundles. */
function commonOptions() {
	return {
		entryPoints: [],
		bundle: true,
		platform: 'node',
		format: 'esm',
		alias: textAliases,
		// slice-ansi and @alcalzone/ansi-tokenize make an Intl.Segmenter when imported, which starts
		// ICU at every start; the bundle reads `Intl.Segmenter` as a class that makes the real one
		// at its first use (source/ui/text/lazy-segmenter.ts).
		define: {'Intl.Segmenter': 'LazySegmenter', 'process.env.NODE_ENV': '"production"'},
		inject: [path.join(root, 'source/ui/text/lazy-segmenter.ts')],
		// Bundled CommonJS packages (React, scheduler) call `require` for Node's built-in modules.
		banner: {js: "import {createRequire as __createRequire} from 'node:module'; const require = __createRequire(import.meta.url);"},
		// The licences are in THIRD_PARTY_NOTICES, whole, rather than scattered comments.
		legalComments: 'none',
		metafile: true,
		logLevel: 'warning',
		absWorkingDir: root,
	};
}

/**
 * The entry of the npm bundle: turns source maps on before any of drainboard's modules loads (Node
 * reads a module's map only when it loads with maps on), then runs cli.tsx, which the splitting
 * puts in a chunk of its own.
 */
const sourceMapsFirst = {
	name: 'source-maps-first',
	setup(build) {
		build.onResolve({filter: /^drainboard:entry$/}, () => ({path: 'entry', namespace: 'drainboard'}));
		build.onLoad({filter: /.*/, namespace: 'drainboard'}, () => ({
			contents: "#!/usr/bin/env node\nimport process from 'node:process';\nprocess.setSourceMapsEnabled(true);\nawait import('./cli.tsx');\n",
			resolveDir: root,
			loader: 'js',
		}));
	},
};

/**
 * Type-checks, then bundles cli.tsx and everything it imports into dist/cli.js and dist/chunks/
 * (each with a linked source map), and writes dist/THIRD_PARTY_NOTICES. tsc also writes dist/source/,
 * which `npm run bench` loads.
 */
async function buildApp() {
	await run(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], {cwd: root});
	await rm(path.join(dist, 'chunks'), {recursive: true, force: true});
	const esbuild = await import('esbuild');
	const result = await esbuild.build({
		...commonOptions(),
		entryPoints: [{in: 'drainboard:entry', out: 'cli'}],
		plugins: [sourceMapsFirst],
		target: 'node20',
		// cli.tsx imports each command's modules dynamically: they load only when that command runs.
		splitting: true,
		outdir: dist,
		chunkNames: 'chunks/[name]-[hash]',
		// Ink imports it only when DEV=true, and says how to install it when it is missing.
		external: ['react-devtools-core'],
		sourcemap: 'linked',
		// Stack traces need the names and positions only; the sources are in the repository.
		sourcesContent: false,
	});
	await chmod(path.join(dist, 'cli.js'), 0o755);
	await writeFile(path.join(dist, 'cli.meta.json'), JSON.stringify(result.metafile));
	await writeFile(path.join(dist, 'THIRD_PARTY_NOTICES'), await thirdPartyNotices([result.metafile]));
	return result.metafile;
}

/** The package an input of esbuild's metafile belongs to (`node_modules/<name>/…`), if any. */
function packageDirOf(input) {
	const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
	return match ? match[1] : undefined;
}

const licenceFile = /^(?:licen[cs]e|copying)(?:[.-].*)?$/i;

/** The MIT licence's text, under a copyright line. */
const mitLicence = (copyright) => `MIT License

${copyright}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.`;

/**
 * Licence texts of bundled packages that publish none in their npm package, by exact version
 * (another version must be checked again): taken from the package's repository at that release.
 */
const licencesNotInPackages = {
	// package.json: "license": "MIT"; its files point to "the LICENSE file in the root directory of
	// this source tree": github.com/facebook/yoga/blob/v3.2.1/LICENSE.
	'yoga-layout@3.2.1': mitLicence('Copyright (c) Meta Platforms, Inc. and affiliates.'),
};

/**
 * A package's licence text: its LICENSE (LICENCE, COPYING…) files, else the text kept above for
 * that exact version; the build fails without one.
 */
async function licenceOf(dir, id) {
	const names = (await readdir(dir)).filter((name) => licenceFile.test(name)).sort();
	if (names.length === 0) {
		if (licencesNotInPackages[id]) {
			return licencesNotInPackages[id];
		}

		throw new Error(`${id} (${path.relative(root, dir)}) is bundled but has no licence file (LICENSE, LICENCE, COPYING): its licence text must ship with drainboard.`);
	}

	const texts = await Promise.all(names.map((name) => readFile(path.join(dir, name), 'utf8')));
	return texts.map((text) => text.trim()).join('\n\n');
}

/** name@version, licence and text of each package whose files esbuild put in the bundles. */
async function bundledPackages(metafiles) {
	const dirs = new Set(metafiles.flatMap((metafile) => Object.keys(metafile.inputs).map(packageDirOf).filter((dir) => dir !== undefined)));
	for (const name of Object.keys(adaptedPackages)) {
		dirs.add(`node_modules/${name}`);
	}

	const packages = await Promise.all([...dirs].map(async (dir) => {
		const absolute = path.resolve(root, dir);
		const manifest = JSON.parse(await readFile(path.join(absolute, 'package.json'), 'utf8'));
		return {
			name: manifest.name,
			version: manifest.version,
			licence: typeof manifest.license === 'string' ? manifest.license : 'see the text',
			text: await licenceOf(absolute, `${manifest.name}@${manifest.version}`),
			adaptedIn: adaptedPackages[manifest.name],
		};
	}));
	const unique = new Map(packages.map((item) => [`${item.name}@${item.version}`, item]));
	return [...unique.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

const rule = '='.repeat(78);

/** `text` in lines of at most 78 columns. */
const wrap = (text) => text.split(' ').reduce((lines, word) => {
	const last = lines.at(-1);
	return last && `${last} ${word}`.length <= 78 ? [...lines.slice(0, -1), `${last} ${word}`] : [...lines, word];
}, []).join('\n');

/**
 * THIRD_PARTY_NOTICES: every package esbuild bundled (from its metafiles), and the code adapted
 * from packages, each with its licence text.
 */
export async function thirdPartyNotices(metafiles) {
	const packages = await bundledPackages(metafiles);
	const sections = packages.map((item) => {
		const adapted = item.adaptedIn ? `\nAdapted in drainboard's ${item.adaptedIn.join(' and ')}.` : '';
		return `${rule}\n${item.name} ${item.version} (${item.licence})${adapted}\n${rule}\n\n${item.text}\n`;
	});
	const what = "drainboard's bundle (dist/cli.js and dist/chunks/, the npm package) contains the software below";
	return `drainboard: third-party notices\n\n${wrap(`${what}, each under its own licence, whose text follows.`)}\n\n${sections.join('\n')}`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	const task = process.argv[2] ?? 'build';
	try {
		if (task === 'build') {
			await buildApp();
		} else {
			throw new Error(`Unknown task "${task}": node build.mjs [build].`);
		}
	} catch (error) {
		// What the tools (tsc) printed says what was wrong: it comes first.
		const output = [error.stdout, error.stderr].filter(Boolean).join('');
		process.stderr.write(`${output}${error.message}\n`);
		process.exitCode = 1;
	}
}
