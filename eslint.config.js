import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
	{ignores: ['dist/', 'node_modules/', 'coverage/', 'media/']},
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		rules: {
			'@typescript-eslint/consistent-type-definitions': ['error', 'type'],
			'@typescript-eslint/consistent-type-imports': 'error',
			'@typescript-eslint/no-explicit-any': 'error',
			'@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
			'no-restricted-syntax': ['error', {selector: 'TSEnumDeclaration', message: 'Use a literal union instead of an enum.'}],
		},
	},
	{
		files: ['test/**'],
		rules: {
			// Tests match terminal escape codes on purpose.
			'no-control-regex': 'off',
		},
	},
	{
		files: ['source/ui/**/*.ts', 'source/ui/**/*.tsx'],
		ignores: ['source/ui/text/shown-text.tsx'],
		rules: {
			'no-restricted-imports': [
				'error',
				{paths: [{name: 'ink', importNames: ['Text'], message: 'Use Text from source/ui/text/shown-text.tsx: it shows control characters in outside text as \\x1b, never raw.'}]},
			],
		},
	},
	{
		files: ['source/**/*.ts', 'source/**/*.tsx'],
		ignores: ['source/ui/**'],
		rules: {
			'no-restricted-imports': ['error', {paths: [{name: 'ink', message: 'Only source/ui/ imports Ink.'}]}],
		},
	},
);
