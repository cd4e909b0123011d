/** Text from a configuration or /proc with its control characters (C0, DEL, C1) shown as `\xNN`, safe for a terminal. */
export function visible(text: string): string {
	// eslint-disable-next-line no-control-regex
	return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
