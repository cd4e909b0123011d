import {readdirSync, readFileSync} from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The layers of source/ and what each may import (source/README.md, "Layers and import rules").
 * A file's layer is its folder under source/; the files at the top of source/ are `base`, except
 * the command line's own (`shell`). A layer imports itself and the layers listed for it, nothing else.
 */
export const layerRules: Readonly<Record<string, readonly string[]>> = {
	base: [],
	decode: ['base'],
	runtime: ['base'],
	model: ['base', 'decode'],
	probe: ['base', 'runtime'],
	config: ['base', 'runtime', 'probe'],
	shell: ['base', 'runtime'],
	poll: ['base', 'decode', 'runtime', 'model', 'config', 'shell'],
	runbook: ['base', 'decode', 'runtime', 'model', 'probe', 'config', 'shell', 'poll'],
	headless: ['base', 'decode', 'runtime', 'model', 'probe', 'config', 'shell', 'poll', 'runbook'],
	ui: ['base', 'decode', 'runtime', 'model', 'probe', 'config', 'shell', 'poll', 'runbook'],
	lab: ['base', 'decode', 'runtime', 'model', 'probe', 'config', 'shell', 'poll', 'runbook', 'headless', 'ui'],
};

/** The files at the top of source/ that belong to the command line rather than to every layer. */
const shellFiles = new Set(['cli-args.ts', 'options.ts', 'crash.ts']);

/** One import of one source file: whom it names, and which of its exports it uses (`*`: all). */
export type Import = {from: string; to: string; names: readonly string[]; line: number};

export type SourceGraph = {root: string; files: readonly string[]; imports: readonly Import[]; exports: ReadonlyMap<string, readonly string[]>};

/** The layer of a file, by its path relative to the repository (`source/runtime/transport.ts`). */
export function layerOf(file: string): string | undefined {
	const parts = file.split('/');
	if (parts[0] !== 'source') {
		return undefined;
	}

	if (parts.length === 2) {
		return shellFiles.has(parts[1]!) ? 'shell' : 'base';
	}

	return parts[1];
}

function listFiles(directory: string): string[] {
	return readdirSync(directory, {withFileTypes: true, recursive: true})
		.filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
		.map((entry) => path.join(entry.parentPath, entry.name));
}

/** The repository file a relative specifier names (`./x.js` is `x.ts` or `x.tsx`), if it is one. */
function resolveSpecifier(root: string, importer: string, specifier: string, known: ReadonlySet<string>): string | undefined {
	if (!specifier.startsWith('.')) {
		return undefined;
	}

	const target = path.relative(root, path.resolve(root, path.dirname(importer), specifier));
	const stem = target.replace(/\.(?:js|jsx|ts|tsx)$/, '');
	return [`${stem}.ts`, `${stem}.tsx`, target].find((candidate) => known.has(candidate));
}

/** `const {a, b} = await import('./x.js')`: the names taken, or all (`*`) when they cannot be told. */
function dynamicNames(call: ts.CallExpression): string[] {
	const awaited = ts.isAwaitExpression(call.parent) ? call.parent : undefined;
	const declaration = awaited && ts.isVariableDeclaration(awaited.parent) ? awaited.parent : undefined;
	if (declaration && ts.isObjectBindingPattern(declaration.name)) {
		return declaration.name.elements.map((element) => (element.propertyName ?? element.name).getText());
	}

	return ['*'];
}

function isExported(node: ts.Node): boolean {
	return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
}

/** The names a file exports, and every import it makes of a repository file. */
function readFile(root: string, file: string, known: ReadonlySet<string>): {imports: Import[]; exports: string[]} {
	const text = readFileSync(path.join(root, file), 'utf8');
	const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
	const imports: Import[] = [];
	const exports: string[] = [];
	const add = (node: ts.Node, specifier: string, names: string[]) => {
		const to = resolveSpecifier(root, file, specifier, known);
		if (to !== undefined) {
			imports.push({from: file, to, names, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1});
		}
	};

	const visit = (node: ts.Node) => {
		if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
			const bindings = node.importClause?.namedBindings;
			const names = bindings && ts.isNamedImports(bindings) ? bindings.elements.map((element) => (element.propertyName ?? element.name).text) : ['*'];
			add(node, node.moduleSpecifier.text, node.importClause?.name ? [...names, 'default'] : names);
		} else if (ts.isExportDeclaration(node)) {
			const clause = node.exportClause;
			if (node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
				add(node, node.moduleSpecifier.text, clause && ts.isNamedExports(clause) ? clause.elements.map((element) => (element.propertyName ?? element.name).text) : ['*']);
			}

			if (clause && ts.isNamedExports(clause)) {
				exports.push(...clause.elements.map((element) => element.name.text));
			}
		} else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
			add(node, node.arguments[0].text, dynamicNames(node));
		} else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
			add(node, node.argument.literal.text, node.qualifier ? [node.qualifier.getText().split('.')[0]!] : ['*']);
		} else if (ts.isExportAssignment(node)) {
			exports.push('default');
		} else if (isExported(node)) {
			if (ts.isVariableStatement(node)) {
				exports.push(...node.declarationList.declarations.map((declaration) => declaration.name.getText()));
			} else if ('name' in node && node.name && ts.isIdentifier(node.name as ts.Node)) {
				exports.push((node.name as ts.Identifier).text);
			}
		}

		ts.forEachChild(node, visit);
	};

	visit(source);
	return {imports, exports};
}

/**
 * Every import between the repository's TypeScript files under `folders` (paths relative to
 * `root`), and the exports of those under source/.
 */
export function readSourceGraph(root: string, folders: readonly string[] = ['source', 'test', 'cli.tsx', 'vitest.config.ts']): SourceGraph {
	const files = folders
		.flatMap((folder) => (/\.tsx?$/.test(folder) ? [path.join(root, folder)] : listFiles(path.join(root, folder))))
		.map((file) => path.relative(root, file))
		.sort();
	const known = new Set(files);
	const imports: Import[] = [];
	const exports = new Map<string, string[]>();
	for (const file of files) {
		const read = readFile(root, file, known);
		imports.push(...read.imports);
		if (file.startsWith('source/')) {
			exports.set(file, read.exports);
		}
	}

	return {root, files, imports, exports};
}

/** The imports of source/ that break a layer rule, as `file:line imports target (from → to)`. */
export function layerViolations(graph: SourceGraph): string[] {
	const problems: string[] = [];
	for (const {from, to, line} of graph.imports) {
		const source = layerOf(from);
		const target = layerOf(to);
		if (source === undefined || target === undefined || source === target) {
			continue;
		}

		const allowed = layerRules[source];
		if (allowed === undefined) {
			problems.push(`${from}: the folder ${source} has no layer rule in test/tools/import-graph.ts (source/README.md lists the layers)`);
		} else if (!allowed.includes(target)) {
			problems.push(`${from}:${line} imports ${to}: ${source} may not import ${target} (it may import ${allowed.join(', ') || 'nothing in source/'})`);
		}
	}

	return [...new Set(problems)];
}

/** How many imports go from each layer to each other layer: `from → to: count`. */
export function layerEdges(graph: SourceGraph): Map<string, Map<string, number>> {
	const edges = new Map<string, Map<string, number>>();
	for (const layer of Object.keys(layerRules)) {
		edges.set(layer, new Map());
	}

	for (const {from, to} of graph.imports) {
		const source = layerOf(from);
		const target = layerOf(to);
		if (source === undefined || target === undefined || source === target) {
			continue;
		}

		const row = edges.get(source) ?? new Map<string, number>();
		row.set(target, (row.get(target) ?? 0) + 1);
		edges.set(source, row);
	}

	return edges;
}

/**
 * The files of source/ nothing imports (cli.tsx is the entry), and the exports of source/ files
 * that no other file imports, from source/ or test/: `file: name`.
 */
export function deadCode(graph: SourceGraph): {files: string[]; exports: string[]} {
	const used = new Map<string, Set<string>>();
	for (const {from, to, names} of graph.imports) {
		if (from === to) {
			continue;
		}

		const set = used.get(to) ?? new Set<string>();
		for (const name of names) {
			set.add(name);
		}

		used.set(to, set);
	}

	const files: string[] = [];
	const exports: string[] = [];
	for (const [file, names] of graph.exports) {
		const set = used.get(file);
		if (set === undefined) {
			files.push(file);
			continue;
		}

		if (set.has('*')) {
			continue;
		}

		exports.push(
			...names
				.filter((name) => !set.has(name))
				.map((name) => `${file}: ${name}`),
		);
	}

	return {files, exports};
}
