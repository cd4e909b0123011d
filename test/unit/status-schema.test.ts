import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {serverFields} from '../../source/headless/status-schema.js';
import {readmeFieldsTable, readmeFile, statusFields, statusFieldsTable, statusSchemaFile, statusSchemaText} from '../tools/status-schema.js';

describe('the status --json contract, from its one zod schema', () => {
	it('is published as the JSON Schema z.toJSONSchema() makes of it now (npm run schema writes it)', () => {
		expect(readFileSync(statusSchemaFile, 'utf8')).toBe(statusSchemaText());
	});

	it('is listed in source/headless/README.md, field by field, as the schema describes it (npm run schema writes it)', () => {
		expect(readmeFieldsTable(readFileSync(readmeFile, 'utf8'))).toBe(statusFieldsTable());
	});

	it('lists in source/headless/README.md every server field status --json prints, each with a description', () => {
		const fields = statusFields();
		expect(fields.filter(({field}) => field.startsWith('servers[].')).map(({field}) => field.slice('servers[].'.length))).toEqual(serverFields);
		expect(fields.every(({description}) => description.length > 0)).toBe(true);
	});
});
