import type {Route} from '../config/routes.js';
import {wrap} from '../wrap.js';
import {visible} from '../visible-text.js';

const widestName = 20;

/**
 * `routes` for a terminal: one block per backend, readable at 80 columns. The first line holds
 * the backend, its mode and the probe URL (or `none`); the lines under the URL say Host, SNI and
 * PROXY header, where the route comes from, or why there is no probe.
 */
export function routesTable(routes: readonly Route[], width: number): string {
	const nameWidth = Math.min(widestName, Math.max('BACKEND'.length, ...routes.map((route) => visible(route.backend).length)));
	const indent = nameWidth + 2 + 4 + 2;
	const textWidth = Math.max(24, width - indent);
	const pad = ' '.repeat(indent);
	const lines = [`${'BACKEND'.padEnd(nameWidth)}  MODE  PROBE`];
	for (const route of routes) {
		const name = visible(route.backend);
		if (name.length > nameWidth) {
			lines.push(...wrap(name, width));
		}

		const lead = `${(name.length > nameWidth ? '' : name).padEnd(nameWidth)}  ${route.mode.padEnd(4)}  `;

		const details: string[] = [];
		let first: string;
		if (route.probe) {
			first = route.probe.url;
			const talk = [
				route.probe.host === null ? null : route.probe.host === route.probe.sni ? `Host and SNI ${route.probe.host}` : `Host ${route.probe.host}`,
				route.probe.sni === null || route.probe.sni === route.probe.host ? null : `SNI ${route.probe.sni}`,
				route.probe.proxyProtocol === null ? null : `PROXY ${route.probe.proxyProtocol} header first`,
			].filter((part) => part !== null);
			if (talk.length > 0) {
				details.push(...wrap(talk.join(', '), textWidth));
			}

			details.push(...wrap(`via ${route.probe.from}`, textWidth));
		} else {
			first = 'none';
			details.push(...wrap(route.why ?? '', textWidth));
		}

		const [url = '', ...more] = wrap(first, textWidth);
		lines.push(`${lead}${url}`.trimEnd(), ...[...more, ...details].map((detail) => `${pad}${detail}`));
	}

	const none = routes.filter((route) => route.probe === null).length;
	const summary = `${routes.length - none} of ${routes.length} backend${routes.length === 1 ? '' : 's'} ha${routes.length === 1 ? 's' : 've'} a probe; ${none} ha${none === 1 ? 's' : 've'} none.`;
	return [...lines, '', ...wrap(summary, width)].join('\n');
}
