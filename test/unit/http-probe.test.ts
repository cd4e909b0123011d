import {readFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {httpProbe} from '../../source/probe/http-probe.js';

/** A self-signed certificate for 127.0.0.1, made for these tests only. */
const tls = {key: readFileSync(new URL('../fixtures/tls/localhost.key', import.meta.url)), cert: readFileSync(new URL('../fixtures/tls/localhost.crt', import.meta.url))};

const answer = (name: string, status = 200) => (_request: http.IncomingMessage, response: http.ServerResponse) => {
	response.writeHead(status, {'x-served-by': name});
	response.end(`${name}\n`);
};

const listen = async (server: http.Server) =>
	new Promise<string>((resolve) => {
		server.listen(0, '127.0.0.1', () => {
			resolve(`127.0.0.1:${(server.address() as AddressInfo).port}`);
		});
	});

describe('the HTTP probe, against local listeners', () => {
	const servers: http.Server[] = [];
	let plain = '';
	let secure = '';
	let failing = '';
	beforeAll(async () => {
		servers.push(http.createServer(answer('app01')), https.createServer(tls, answer('app02')), http.createServer(answer('app03', 503)));
		const addresses = await Promise.all(servers.map(listen));
		[plain, secure, failing] = [addresses[0]!, addresses[1]!, addresses[2]!];
	});
	afterAll(async () => {
		await Promise.all(servers.map(async (server) => new Promise((resolve) => server.close(resolve))));
	});

	it('sends the requests over http and names the server that answered', async () => {
		const attempts = await httpProbe(new URL(`http://${plain}/`)).send(3, {serverNames: ['app01', 'app02']});
		expect(attempts.map(({ok, status, servedBy}) => ({ok, status, servedBy}))).toEqual(Array.from({length: 3}, () => ({ok: true, status: 200, servedBy: 'app01'})));
	});

	it('sends them over https too, whatever the certificate (it checks routing, not TLS)', async () => {
		const attempts = await httpProbe(new URL(`https://${secure}/`)).send(2, {serverNames: ['app01', 'app02']});
		expect(attempts.map(({ok, servedBy}) => ({ok, servedBy}))).toEqual([
			{ok: true, servedBy: 'app02'},
			{ok: true, servedBy: 'app02'},
		]);
	});

	it('counts a 503 as not served, and a closed port as refused', async () => {
		const [unavailable] = await httpProbe(new URL(`http://${failing}/`)).send(1, {serverNames: ['app03']});
		expect(unavailable).toMatchObject({ok: false, status: 503, error: 'HTTP 503'});
		const closed = servers[2]!;
		await new Promise((resolve) => closed.close(resolve));
		servers.pop();
		const [refused] = await httpProbe(new URL(`http://${failing}/`)).send(1);
		expect(refused).toMatchObject({ok: false, status: null, error: 'connection refused'});
	});
});
