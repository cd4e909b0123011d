import {readFile} from 'node:fs/promises';
import {defineConfig, type Plugin} from 'vitest/config';
import {textAliases} from './build.mjs';

/**
 * The packages that import an aliased package by name (Ink, and Ink's helpers that measure text)
 * or import Ink (so there is one Ink): vitest runs them through its own module loader, where the
 * aliases apply, rather than Node's. test/ui/shipped-text.test.tsx holds this list to the bundle's.
 */
export const textImporters = ['ink', 'ink-select-input', 'ink-spinner', 'ink-testing-library', 'cli-truncate', 'widest-line', 'wrap-ansi'];

/**
 * The bundle's aliases (build.mjs), for the packages' imports only: the tests of the replacements
 * import the packages themselves to compare with them.
 */
function bundleAliases(): Plugin {
	const aliases: Record<string, string> = textAliases;
	return {
		name: 'drainboard-bundle-aliases',
		enforce: 'pre',
		async resolveId(source, importer, options) {
			const replacement = aliases[source];
			if (replacement === undefined || !importer?.includes('/node_modules/')) {
				return null;
			}

			return this.resolve(replacement, importer, {...options, skipSelf: true});
		},
		// The inlined packages' source maps name TypeScript files they do not ship, which Vite
		// warns about for every file: they are read here without them.
		async load(id) {
			if (!/\/node_modules\/.*\.js$/.test(id)) {
				return null;
			}

			const code = await readFile(id, 'utf8');
			return {code: code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'), map: null};
		},
	};
}

export default defineConfig({
	plugins: [bundleAliases()],
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		setupFiles: ['test/helpers/setup.ts'],
		// The integration tests mostly wait (health checks, proof windows, a real terminal): on 2 cores
		// one worker per core left the CPU 89% idle and a run took 11 minutes; 5 workers, 2.5.
		maxWorkers: 5,
		// A safety net for a hang, never a measure: the integration tests that run several whole
		// maintenances (each with its health and proof windows) took up to 29 s on 2 cores with 5
		// workers, where 30 s failed one of them once.
		testTimeout: 60_000,
		hookTimeout: 30_000,
		env: {CI: 'false'},
		server: {deps: {inline: textImporters}},
	},
});
