import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {deadCode, layerOf, layerViolations, readSourceGraph, type SourceGraph} from '../tools/import-graph.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const graph = readSourceGraph(root);

describe('the layers of source/ (source/README.md, "Layers and import rules"; npm run layers)', () => {
	it('reads the imports of every source file, static, dynamic and type-only', () => {
		const edges = graph.imports.map(({from, to}) => `${from} → ${to}`);
		expect(edges).toContain('source/poll/client.ts → source/runtime/connection.ts');
		expect(edges).toContain('cli.tsx → source/headless/run-status.ts');
		expect(layerOf('source/errors.ts')).toBe('base');
		expect(layerOf('source/options.ts')).toBe('shell');
		expect(layerOf('source/runtime/transport.ts')).toBe('runtime');
	});

	it('breaks no import rule', () => {
		expect(layerViolations(graph)).toEqual([]);
	});

	it('finds an import that breaks a rule: runtime importing the model', () => {
		const broken: SourceGraph = {...graph, imports: [...graph.imports, {from: 'source/runtime/transport.ts', to: 'source/model/types.ts', names: ['Server'], line: 1}]};
		expect(layerViolations(broken)).toEqual(['source/runtime/transport.ts:1 imports source/model/types.ts: runtime may not import model (it may import base)']);
	});

	it('has no file nothing imports and no export nothing else imports', () => {
		expect(deadCode(graph)).toEqual({files: [], exports: []});
	});
});
