import {describe, expect, it} from 'vitest';
import {machineChoices} from '../../source/ui/machine-choices.js';
import {makeBackend, makeInstance, makePool, makeServer} from '../helpers/model.js';

// A machine 10.0.0.5 serving the web app on 8080 in two backends and an API on 9000; its neighbour 10.0.0.6.
const app01 = makeServer({backend: 'webapps', server: 'app01', address: '10.0.0.5', port: 8080});
const pool = makePool([
	makeInstance([
		makeBackend('webapps', [app01, makeServer({backend: 'webapps', server: 'app02', address: '10.0.0.6', port: 8080})]),
		makeBackend('static', [makeServer({backend: 'static', server: 'app01', address: '10.0.0.5', port: 8080}), makeServer({backend: 'static', server: 'app02', address: '10.0.0.6', port: 8080})]),
		makeBackend('api', [makeServer({backend: 'api', server: 'api1', address: '10.0.0.5', port: 9000}), makeServer({backend: 'api', server: 'app01', address: '10.0.0.7', port: 9000})]),
	]),
]);

describe('machineChoices (the grid\'s m)', () => {
	it('offers the address and port, the whole machine and the name everywhere, each naming its servers in HAProxy\'s order', () => {
		expect(machineChoices(pool, app01)).toEqual([
			{label: '@10.0.0.5:8080', what: 'every server at 10.0.0.5 port 8080', servers: ['webapps/app01', 'static/app01']},
			{label: '@10.0.0.5', what: 'every server at 10.0.0.5, the whole machine', servers: ['webapps/app01', 'static/app01', 'api/api1']},
			{label: '*/app01', what: 'app01 in every backend that has one', servers: ['webapps/app01', 'static/app01', 'api/app01']},
		]);
	});

	it('offers a set once, in its narrowest form, and nothing for a server alone at its address and in its name', () => {
		const alone = makeServer({backend: 'api', server: 'api1', address: '10.0.0.5', port: 9000});
		// api1 shares only its machine's address: the port form names it alone, the name form too.
		expect(machineChoices(pool, alone).map((choice) => choice.label)).toEqual(['@10.0.0.5']);
		const lonely = makeServer({backend: 'db', server: 'pg1', address: '10.0.0.9', port: 5432});
		const withDb = makePool([makeInstance([makeBackend('db', [lonely])])]);
		expect(machineChoices(withDb, lonely)).toEqual([]);
		expect(machineChoices(null, lonely)).toEqual([]);
	});

	it('writes an IPv6 address with its port in brackets, and leaves out what cannot be typed back (no address, a name that is no command-line name)', () => {
		const v6 = makeServer({backend: 'webapps', server: 'app01', address: '2001:db8::5', port: 8080});
		const v6pool = makePool([makeInstance([makeBackend('webapps', [v6]), makeBackend('static', [makeServer({backend: 'static', server: 'x', address: '2001:db8::5', port: 8080})])])]);
		expect(machineChoices(v6pool, v6).map((choice) => choice.label)).toEqual(['@[2001:db8::5]:8080']);
		const unresolved = makeServer({backend: 'webapps', server: 'app01', address: '', port: 8080});
		const twoUnresolved = makePool([makeInstance([makeBackend('webapps', [unresolved]), makeBackend('static', [makeServer({backend: 'static', server: 'app01', address: '', port: 8080})])])]);
		expect(machineChoices(twoUnresolved, unresolved).map((choice) => choice.label)).toEqual(['*/app01']);
		const odd = makeServer({backend: 'static', server: 'app 01', address: '10.0.0.5', port: 8080});
		const withOdd = makePool([makeInstance([makeBackend('webapps', [app01]), makeBackend('static', [odd])])]);
		expect(machineChoices(withOdd, app01)).toEqual([]);
	});
});
