/**
 * `npm run layers`: the import graph of source/ by layer, the imports that break a layer rule
 * (source/README.md, "Layers and import rules"), and the dead code: files of source/ that nothing
 * imports and exports nothing else imports. Exits 1 when it finds any; test/unit/layers.test.ts
 * runs the same checks.
 */
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {deadCode, layerEdges, layerRules, layerViolations, readSourceGraph} from './import-graph.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const graph = readSourceGraph(root);
const sourceFiles = graph.files.filter((file) => file.startsWith('source/'));
console.log(`Import graph of source/ by layer (${sourceFiles.length} files; a layer imports only those listed after "may"):`);
for (const [layer, row] of layerEdges(graph)) {
	const targets = [...row].map(([target, count]) => `${target} (${count})`).join(', ');
	console.log(`  ${layer.padEnd(9)} → ${targets || '—'}`);
	console.log(`  ${''.padEnd(9)}   may: ${layerRules[layer]?.join(', ') || 'nothing in source/'}`);
}

const violations = layerViolations(graph);
const dead = deadCode(graph);
const problems = [
	...violations.map((line) => `layer rule broken: ${line}`),
	...dead.files.map((file) => `dead file (nothing imports it): ${file}`),
	...dead.exports.map((line) => `dead export (nothing else imports it): ${line}`),
];
console.log(problems.length === 0 ? 'No layer rule broken, no dead file or export.' : problems.join('\n'));
process.exitCode = problems.length === 0 ? 0 : 1;
