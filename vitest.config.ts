import {defineConfig} from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.{ts,tsx}'],
		setupFiles: ['test/helpers/setup.ts'],
		testTimeout: 30_000,
		hookTimeout: 30_000,
		env: {CI: 'false'},
	},
});
