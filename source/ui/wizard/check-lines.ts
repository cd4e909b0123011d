import type {CheckResult, Verdict} from '../../runbook/check-result.js';
import {wrap} from '../../wrap.js';

/** One line of the step panel, ready to print. */
export type PanelLine = {
	text: string;
	tone: 'pass' | 'warn' | 'fail' | 'skip' | 'info' | 'live' | 'title';
	/** A check's line after its first (its wrapped text, its Means and Do): no place to begin a cut panel. */
	more?: true;
};

const verdictSymbol: Record<Verdict, string> = {pass: '✓', warn: '!', fail: '✗', skip: '–'};

/**
 * A check as wrapped lines: `✓ Title: what was seen`, then for a warning or failure what it
 * means and what to do, indented under it.
 */
export function checkLines(check: CheckResult, width: number): PanelLine[] {
	const tone = check.verdict;
	const head = wrap(`${verdictSymbol[check.verdict]} ${check.title}: ${check.observed}`, width - 2).map((text, index): PanelLine => (index === 0 ? {text, tone} : {text: `  ${text}`, tone, more: true}));
	const extra: PanelLine[] = [];
	if (check.verdict !== 'pass' && check.meaning) {
		extra.push(...wrap(`Means: ${check.meaning}`, width - 4).map((text) => ({text: `    ${text}`, tone: 'info' as const, more: true as const})));
	}

	if (check.verdict !== 'pass' && check.todo) {
		extra.push(...wrap(`Do: ${check.todo}`, width - 4).map((text) => ({text: `    ${text}`, tone: 'info' as const, more: true as const})));
	}

	return [...head, ...extra];
}

/**
 * The last `height` lines, with a first line saying how many earlier ones are hidden (the step log
 * printed above the screen has them). They start with a check's first line: the rest of a check
 * cut off (its wrapped text, its Means and Do, indented) is hidden with it, not shown as a
 * fragment, as long as half of them is left to show.
 */
export function lastLines(lines: readonly PanelLine[], height: number): PanelLine[] {
	if (lines.length <= height) {
		return [...lines];
	}

	if (height <= 1) {
		return lines.slice(-height);
	}

	const cut = lines.length - height + 1;
	// The first check that begins in what is kept, unless that hides most of it (one long check
	// filling the panel): then its end, as it falls.
	const whole = lines.findIndex((line, index) => index >= cut && !line.more);
	const from = whole !== -1 && lines.length - whole >= Math.ceil((height - 1) / 2) ? whole : cut;
	const hidden = from;
	return [{text: `… ${hidden} earlier line${hidden === 1 ? '' : 's'} in the step log above (scroll back)`, tone: 'info'}, ...lines.slice(from)];
}
