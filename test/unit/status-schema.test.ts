import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {statusSchemaFile, statusSchemaText} from '../tools/status-schema.js';

describe('the published JSON Schema of status --json', () => {
	it('is what z.toJSONSchema() makes of the zod schema now (npm run schema writes it)', () => {
		expect(readFileSync(statusSchemaFile, 'utf8')).toBe(statusSchemaText());
	});
});
