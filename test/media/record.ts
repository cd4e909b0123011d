/**
 * Makes the pictures in media/ from a real run: `npm run media` (after `npm run build`).
 * Drives `drainboard lab` in tmux through a whole maintenance, samples the screen for an
 * animated SVG, and writes PNG snapshots of the grid and of wizard steps (rsvg-convert, from
 * Debian's librsvg2-bin, rasterizes them). Look at every image before committing it.
 */
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import {fileURLToPath} from 'node:url';
import {checklist} from '../helpers/checklist.js';
import {startCliInTmux, type TmuxSession} from '../helpers/tmux.js';
import {animatedSvg, screenSvg} from './ansi-to-svg.js';

const columns = 100;
const rows = 30;
const media = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'media');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'drainboard-media-'));

try {
	execFileSync('rsvg-convert', ['--version']);
} catch {
	console.error('rsvg-convert is missing: install it with "sudo apt-get install -y librsvg2-bin".');
	process.exit(1);
}

const frames: Array<{screen: string; at: number}> = [];
let sampling = true;
const session: TmuxSession = await startCliInTmux(['lab'], {columns, rows, env: {TMPDIR: tmp}});

async function sample(): Promise<void> {
	while (sampling) {
		const screen = await session.screen(true).catch(() => '');
		const visibleLines = screen.replace(/\u001B\[[0-9;]*m/g, '').split('\n').filter((line) => line.trim() !== '').length;
		if (visibleLines >= 3 && screen !== frames.at(-1)?.screen) {
			frames.push({screen, at: Date.now()});
		}

		await new Promise((resolve) => {
			setTimeout(resolve, 250);
		});
	}
}

async function snapshot(name: string): Promise<void> {
	const svgFile = path.join(tmp, `${name}.svg`);
	writeFileSync(svgFile, screenSvg(await session.screen(true), columns, rows));
	execFileSync('rsvg-convert', ['--zoom', '1.5', '-o', path.join(media, `${name}.png`), svgFile]);
	console.log(`wrote media/${name}.png`);
}

const pause = async (ms: number) =>
	new Promise((resolve) => {
		setTimeout(resolve, ms);
	});

const sampler = sample();
try {
	await session.waitForScreen((screen) => ['app01', 'app02', 'app03', 'api1', 'api2'].every((name) => new RegExp(`● ${name} .* UP`).test(screen)), 20_000);
	await pause(1500);
	await snapshot('grid');
	await session.press('j');
	await pause(700);
	await session.press('Enter', 'Enter run validate');
	await pause(1500);
	await session.press('Enter', (screen) => checklist(screen).includes('▶ baseline'));
	await pause(1500);
	await snapshot('wizard-validate');
	await session.press('Enter', (screen) => checklist(screen).includes('▶ drain'));
	await pause(1500);
	await session.press('Enter', 'y send it');
	await pause(1500);
	await snapshot('wizard-drain');
	await session.press('y', (screen) => checklist(screen).includes('▶ confirm'));
	await pause(1200);
	await session.press('Enter', (screen) => checklist(screen).includes('▶ maintain'));
	await pause(1500);
	await session.press('s', (screen) => / ✗ app01 .* DOWN/.test(screen), 15_000);
	await pause(800);
	await session.press('Enter', 'waiting for its health check to pass');
	await pause(2500);
	await snapshot('wizard-maintain');
	await session.press('s', (screen) => checklist(screen).includes('▶ restore'), 30_000);
	await pause(1500);
	await session.press('Enter', 'y send it');
	await pause(1200);
	await session.press('y', 'maintenance complete', 20_000);
	await pause(2500);
	await snapshot('wizard-restored');
	await session.send('q');
	await session.exited();
} finally {
	sampling = false;
	await sampler;
	await session.kill();
	rmSync(tmp, {recursive: true, force: true});
}

const timed = frames.map((entry, index) => ({screen: entry.screen, ms: Math.min(4000, Math.max(250, (frames[index + 1]?.at ?? entry.at + 3000) - entry.at))}));
writeFileSync(path.join(media, 'walkthrough.svg'), animatedSvg(timed, columns, rows));
console.log(`wrote media/walkthrough.svg (${timed.length} frames, ${Math.round(timed.reduce((sum, entry) => sum + entry.ms, 0) / 1000)} s)`);
