import {describe, expect, it} from 'vitest';
import {animatedSvg, defaultBackground, defaultForeground, parseAnsiLine, screenSvg} from '../media/ansi-to-svg.js';

describe('parseAnsiLine', () => {
	it('splits a tmux capture line into styled runs at the right columns', () => {
		const runs = parseAnsiLine('  \u001B[32m●\u001B[39m app01 \u001B[0;1;7mDRAIN\u001B[0m x');
		expect(runs).toEqual([
			{column: 0, text: '  ', fg: defaultForeground, bg: null, bold: false, dim: false},
			{column: 2, text: '●', fg: '#98c379', bg: null, bold: false, dim: false},
			{column: 3, text: ' app01 ', fg: defaultForeground, bg: null, bold: false, dim: false},
			{column: 10, text: 'DRAIN', fg: defaultBackground, bg: defaultForeground, bold: true, dim: false},
			{column: 15, text: ' x', fg: defaultForeground, bg: null, bold: false, dim: false},
		]);
	});
});

describe('SVG output', () => {
	it('escapes text and draws backgrounds for inverse runs', () => {
		const svg = screenSvg('a <b> & \u001B[7mc\u001B[0m', 10, 1);
		expect(svg).toContain('&lt;b&gt; &amp;');
		expect(svg).toMatch(/<rect x="[\d.]+" y="12" width="8.43" height="17" fill="#dcdfe4"\/>/);
		expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
	});

	it('shows frames one after the other for their share of the loop', () => {
		const svg = animatedSvg(
			[
				{screen: 'one', ms: 1000},
				{screen: 'two', ms: 3000},
			],
			10,
			1,
		);
		expect(svg).toContain('animation-duration:4000ms');
		expect(svg).toContain('@keyframes k0{0%{opacity:0}0.000%{opacity:1}25.000%{opacity:0}100%{opacity:0}}');
		expect(svg).toContain('@keyframes k1{0%{opacity:0}25.000%{opacity:1}100.000%{opacity:0}100%{opacity:0}}');
	});
});
