/**
 * The wizard's step checklist (` ✓ validate › ▶ baseline › · drain …`) as a screen or a frame shows
 * it: the last such line (the live screen's, below any step log), or '' when there is none.
 */
export function checklist(screen: string): string {
	return (
		screen
			.split('\n')
			.filter((line) => line.startsWith(' ') && line.includes('validate ›'))
			.at(-1) ?? ''
	);
}
