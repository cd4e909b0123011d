// `npm run schema`: writes, from the zod schema of `status --json` (source/headless/status-schema.ts),
// its JSON Schema (source/headless/status.schema.json) and the field table of source/headless/README.md.
// test/unit/status-schema.test.ts fails when either is not what this writes.
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import * as z from 'zod/mini';
import {statusJsonSchema} from '../../source/headless/status-schema.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The committed JSON Schema's path. */
export const statusSchemaFile = path.join(root, 'source', 'headless', 'status.schema.json');
/** The headless layer's README, whose field table sits between these two lines. */
export const readmeFile = path.join(root, 'source', 'headless', 'README.md');
const tableStart = '<!-- status-fields: written by npm run schema from source/headless/status-schema.ts -->';
const tableEnd = '<!-- /status-fields -->';

type JsonSchema = {description?: string; properties?: Record<string, JsonSchema>; items?: JsonSchema};

const jsonSchema = () => z.toJSONSchema(statusJsonSchema) as JsonSchema;

/** The JSON Schema (draft 2020-12) of `status --json`, as text. */
export const statusSchemaText = () => `${JSON.stringify(jsonSchema(), null, '\t')}\n`;

/** Every field of the contract (`servers[].port`, `error.code`) with its description, in the order printed. */
export function statusFields(): Array<{field: string; description: string}> {
	const fields: Array<{field: string; description: string}> = [];
	for (const [name, part] of Object.entries(jsonSchema().properties ?? {})) {
		const inner = part.items ?? part;
		for (const [field, schema] of Object.entries(inner.properties ?? {})) {
			fields.push({field: `${name}${part.items ? '[]' : ''}.${field}`, description: schema.description ?? ''});
		}
	}

	return fields;
}

/** The README's field table, its two marker lines included. */
export const statusFieldsTable = () =>
	[tableStart, '| field | meaning |', '|---|---|', ...statusFields().map(({field, description}) => `| \`${field}\` | ${description.replaceAll('|', '\\|')} |`), tableEnd].join('\n');

/** The README's field table as it is now, its two marker lines included. */
export function readmeFieldsTable(readme: string): string {
	const start = readme.indexOf(tableStart);
	const end = readme.indexOf(tableEnd);
	return start === -1 || end < start ? '' : readme.slice(start, end + tableEnd.length);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	writeFileSync(statusSchemaFile, statusSchemaText());
	const readme = readFileSync(readmeFile, 'utf8');
	const table = readmeFieldsTable(readme);
	if (table === '') {
		throw new Error(`source/headless/README.md has no "${tableStart}" … "${tableEnd}" block to write the field table into.`);
	}

	writeFileSync(readmeFile, readme.replace(table, statusFieldsTable()));
	process.stdout.write(`wrote ${path.relative(process.cwd(), statusSchemaFile)} and the field table of source/headless/README.md\n`);
}
