import type {ResolveHook} from 'node:module';

/**
 * A module resolve hook for the bench: `string-width` and `@alcalzone/ansi-tokenize` (imported
 * by Ink and its helpers) become drainboard's own (source/ui/text/), as the app's bundle makes
 * them (package.json's build, `--alias`), so the grid re-rendered in-process measures the same
 * code the app runs.
 */
const replacements = new Map([
	['string-width', new URL('../../source/ui/text/string-width.ts', import.meta.url).href],
	['@alcalzone/ansi-tokenize', new URL('../../source/ui/text/ansi-tokenize.ts', import.meta.url).href],
]);

export const resolve: ResolveHook = async (specifier, context, nextResolve) => {
	const replacement = replacements.get(specifier);
	// Resolved on through the chain (tsx's hook then reads the TypeScript).
	return nextResolve(replacement && context.parentURL !== replacement ? replacement : specifier, context);
};
