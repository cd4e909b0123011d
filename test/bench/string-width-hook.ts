import type {ResolveHook} from 'node:module';

/**
 * A module resolve hook for the bench: `string-width` (imported by Ink and its helpers) becomes
 * source/ui/string-width.ts, as the app's bundle makes it (package.json's build, `--alias`), so
 * the grid re-rendered in-process measures the same code the app runs.
 */
const replacement = new URL('../../source/ui/string-width.ts', import.meta.url).href;

export const resolve: ResolveHook = async (specifier, context, nextResolve) =>
	// Resolved on through the chain (tsx's hook then reads the TypeScript).
	nextResolve(specifier === 'string-width' && context.parentURL !== replacement ? replacement : specifier, context);
