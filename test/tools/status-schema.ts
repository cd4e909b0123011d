// `npm run schema`: writes source/headless/status.schema.json, the JSON Schema of `status --json`,
// from its zod schema (source/headless/status-schema.ts). test/unit/status-schema.test.ts fails
// when the committed file is not what this writes.
import {writeFileSync} from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import * as z from 'zod/mini';
import {statusJsonSchema} from '../../source/headless/status-schema.js';

/** The committed JSON Schema's path. */
export const statusSchemaFile = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'source', 'headless', 'status.schema.json');

/** The JSON Schema (draft 2020-12) of `status --json`, as text. */
export const statusSchemaText = () => `${JSON.stringify(z.toJSONSchema(statusJsonSchema), null, '\t')}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	writeFileSync(statusSchemaFile, statusSchemaText());
	process.stdout.write(`wrote ${path.relative(process.cwd(), statusSchemaFile)}\n`);
}
