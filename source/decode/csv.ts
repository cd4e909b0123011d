/** One CSV record read from `text` at `position`, and where the next record starts. */
type CsvRecord = {fields: string[]; next: number; complete: boolean};

/**
 * Reads one RFC 4180 record: fields quoted only when they contain `,` `"` CR or LF, `""` inside
 * quotes for a quote, and line breaks allowed inside quotes. `complete` is false when the text
 * ends inside a quoted field or before the record's line break.
 */
export function readCsvRecord(text: string, position: number): CsvRecord {
	const fields: string[] = [];
	let field = '';
	let index = position;
	let quoted = false;
	let fieldStart = true;
	while (index < text.length) {
		const char = text[index]!;
		if (quoted) {
			if (char === '"') {
				if (text[index + 1] === '"') {
					field += '"';
					index += 2;
					continue;
				}

				quoted = false;
				index++;
				continue;
			}

			field += char;
			index++;
			continue;
		}

		if (char === '"' && fieldStart) {
			quoted = true;
			fieldStart = false;
			index++;
			continue;
		}

		if (char === ',') {
			fields.push(field);
			field = '';
			fieldStart = true;
			index++;
			continue;
		}

		if (char === '\n' || char === '\r') {
			fields.push(field);
			const next = char === '\r' && text[index + 1] === '\n' ? index + 2 : index + 1;
			return {fields, next, complete: true};
		}

		field += char;
		fieldStart = false;
		index++;
	}

	fields.push(field);
	return {fields, next: text.length, complete: false};
}
