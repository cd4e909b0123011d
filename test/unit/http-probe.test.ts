import {readFileSync} from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, {type AddressInfo} from 'node:net';
import tls from 'node:tls';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {UsageError} from '../../source/errors.js';
import {localAddressOf} from '../../source/probe/connection.js';
import {createProbe, probeFor, targetFromUrl} from '../../source/probe/create-probe.js';
import {describeProbe, probeEvidence} from '../../source/probe/probe.js';
import {proxyHeader} from '../../source/probe/proxy-header.js';

/** A self-signed certificate for 127.0.0.1, made for these tests only. */
const certificate = {key: readFileSync(new URL('../fixtures/tls/localhost.key', import.meta.url)), cert: readFileSync(new URL('../fixtures/tls/localhost.crt', import.meta.url))};

/** What a listener saw of one request: Host, path, the TLS server name. */
type Seen = {host: string | undefined; path: string | undefined; servername: string | false | null};

const answer = (name: string, seen: Seen[], status = 200) => (request: http.IncomingMessage, response: http.ServerResponse) => {
	const socket = request.socket as tls.TLSSocket;
	seen.push({host: request.headers.host, path: request.url, servername: typeof socket.servername === 'string' || socket.servername === false ? socket.servername : null});
	response.writeHead(status, {'x-served-by': name});
	response.end(`${name}\n`);
};

const listen = async (server: net.Server) =>
	new Promise<number>((resolve) => {
		server.listen(0, '127.0.0.1', () => {
			resolve((server.address() as AddressInfo).port);
		});
	});

const close = async (server: net.Server) =>
	new Promise((resolve) => {
		server.close(resolve);
	});

describe('the HTTP probe, against local listeners', () => {
	const servers: net.Server[] = [];
	const seen: Seen[] = [];
	let plain = 0;
	let secure = 0;
	let failing = 0;
	beforeAll(async () => {
		servers.push(http.createServer(answer('app01', seen)), https.createServer(certificate, answer('app02', seen)), http.createServer(answer('app03', seen, 503)));
		[plain, secure, failing] = await Promise.all(servers.map(listen)) as [number, number, number];
	});
	afterAll(async () => {
		await Promise.all(servers.map(close));
	});

	it('sends the requests over http and names the server that answered', async () => {
		const attempts = await createProbe(`http://127.0.0.1:${plain}/`).send(3, {serverNames: ['app01', 'app02']});
		expect(attempts.map(({ok, status, servedBy}) => ({ok, status, servedBy}))).toEqual(Array.from({length: 3}, () => ({ok: true, status: 200, servedBy: 'app01'})));
	});

	it('sends --host as the Host header and --path as the path, to the listener address', async () => {
		seen.length = 0;
		const attempts = await createProbe(`http://127.0.0.1:${plain}/`, {host: 'shop.example.com', path: '/cart'}).send(2);
		expect(attempts.every((attempt) => attempt.ok)).toBe(true);
		expect(seen).toEqual([
			{host: 'shop.example.com', path: '/cart', servername: null},
			{host: 'shop.example.com', path: '/cart', servername: null},
		]);
	});

	it('a Host no request can carry (a control character) is a failed attempt that says so, not a thrown error', async () => {
		const target = {...targetFromUrl(`http://127.0.0.1:${plain}/`), host: 'ev\u001B[31mil.example.com'};
		const attempts = await probeFor(target).send(2);
		expect(attempts.map(({ok, status}) => ({ok, status}))).toEqual([{ok: false, status: null}, {ok: false, status: null}]);
		expect(attempts[0]!.error).toMatch(/^no request sent: Invalid character in header content \["host"\]/);
	});

	it('sends the address and port as Host when no name is given', async () => {
		seen.length = 0;
		await createProbe(`http://127.0.0.1:${plain}/x?y=1`).send(1);
		expect(seen).toEqual([{host: `127.0.0.1:${plain}`, path: '/x?y=1', servername: null}]);
	});

	it('sends them over https with the name as SNI, certificate not verified, and says so', async () => {
		seen.length = 0;
		const probe = createProbe(`https://127.0.0.1:${secure}/`, {host: 'shop.example.com'});
		const attempts = await probe.send(2, {serverNames: ['app01', 'app02']});
		expect(attempts.map(({ok, servedBy}) => ({ok, servedBy}))).toEqual([
			{ok: true, servedBy: 'app02'},
			{ok: true, servedBy: 'app02'},
		]);
		expect(seen.map((one) => [one.host, one.servername])).toEqual([
			['shop.example.com', 'shop.example.com'],
			['shop.example.com', 'shop.example.com'],
		]);
		expect(probeEvidence(probe.target)).toEqual({
			url: `https://127.0.0.1:${secure}/`,
			host: 'shop.example.com',
			sni: 'shop.example.com',
			tls: 'certificate not verified',
			proxyProtocol: null,
			from: '--url',
		});
		expect(describeProbe(probe.target)).toBe(`https://127.0.0.1:${secure}/ with Host shop.example.com, SNI shop.example.com, certificate not verified`);
	});

	it('with --verify-tls, refuses a certificate it cannot verify', async () => {
		const [attempt] = await createProbe(`https://127.0.0.1:${secure}/`, {verifyTls: true}).send(1);
		expect(attempt).toMatchObject({ok: false, status: null, error: 'TLS: self-signed certificate'});
	});

	it('counts a 503 as not served, and a closed port as refused', async () => {
		const [unavailable] = await createProbe(`http://127.0.0.1:${failing}/`).send(1, {serverNames: ['app03']});
		expect(unavailable).toMatchObject({ok: false, status: 503, error: 'HTTP 503'});
		await close(servers.pop()!);
		const [refused] = await createProbe(`http://127.0.0.1:${failing}/`).send(1);
		expect(refused).toMatchObject({ok: false, status: null, error: 'connection refused'});
	});
});

describe('the PROXY protocol header', () => {
	it('v1 states the connection ends in one text line', () => {
		expect(proxyHeader('v1', {source: '127.0.0.1', sourcePort: 40_000, destination: '127.0.0.2', destinationPort: 80}).toString('latin1')).toBe('PROXY TCP4 127.0.0.1 127.0.0.2 40000 80\r\n');
		expect(proxyHeader('v1', {source: '::1', sourcePort: 40_000, destination: '::1', destinationPort: 443}).toString('latin1')).toBe('PROXY TCP6 ::1 ::1 40000 443\r\n');
	});

	it('v2 is the signature, PROXY over TCP4 or TCP6, the addresses and the ports', () => {
		expect(proxyHeader('v2', {source: '127.0.0.1', sourcePort: 5000, destination: '127.0.0.2', destinationPort: 80}).toString('hex')).toBe('0d0a0d0a000d0a515549540a' + '21' + '11' + '000c' + '7f000001' + '7f000002' + '1388' + '0050');
		expect(proxyHeader('v2', {source: '::1', sourcePort: 5000, destination: '::1', destinationPort: 443}).toString('hex')).toBe(
			'0d0a0d0a000d0a515549540a' + '21' + '21' + '0024' + '0'.repeat(31) + '1' + '0'.repeat(31) + '1' + '1388' + '01bb',
		);
	});

	it('goes first on the connection, with the real ends, before the request', async () => {
		const received: string[] = [];
		const server = net.createServer((socket) => {
			let data = '';
			socket.on('data', (chunk) => {
				data += chunk.toString('latin1');
				if (data.includes('\r\n\r\n')) {
					received.push(`${data.split('\r\n')[0]!}|${socket.remotePort ?? 0}`, data.split('\r\n')[1]!);
					socket.end('HTTP/1.1 200 OK\r\ncontent-length: 3\r\nconnection: close\r\n\r\nok\n');
				}
			});
		});
		const port = await listen(server);
		try {
			const [attempt] = await createProbe(`http://127.0.0.1:${port}/`, {proxyProtocol: 'v1'}).send(1);
			expect(attempt).toMatchObject({ok: true, status: 200});
			const [line, request] = received;
			const [header, clientPort] = line!.split('|');
			expect(header).toBe(`PROXY TCP4 127.0.0.1 127.0.0.1 ${clientPort!} ${port}`);
			expect(request).toBe('GET / HTTP/1.1');
		} finally {
			await close(server);
		}
	});
});

describe('TCP over TLS (tls://)', () => {
	it('counts a connection whose TLS handshake completed, with the SNI sent', async () => {
		const names: Array<string | false | null> = [];
		const server = tls.createServer(certificate, (socket) => {
			names.push(socket.servername);
			socket.on('data', () => undefined);
		});
		const port = await listen(server);
		try {
			const probe = createProbe(`tls://127.0.0.1:${port}`, {host: 'db.example.com'});
			const attempts = await probe.send(2);
			expect(attempts.map((attempt) => attempt.ok)).toEqual([true, true]);
			expect(names).toEqual(['db.example.com', 'db.example.com']);
			expect(probe.kind).toBe('tcp');
		} finally {
			await close(server);
		}
	});

	it('fails a connection that does not speak TLS', async () => {
		const server = net.createServer((socket) => {
			socket.resume();
			socket.end('not tls\r\n');
		});
		const port = await listen(server);
		try {
			const [attempt] = await createProbe(`tls://127.0.0.1:${port}`).send(1);
			expect(attempt!.ok).toBe(false);
			expect(attempt!.error).toBe('TLS: wrong version number');
		} finally {
			await close(server);
		}
	});
});

describe('a probe never leaves this host', () => {
	it('refuses an address that is not on this host, in one sentence, before sending anything', () => {
		expect(() => createProbe('http://203.0.113.77:80/', {}, {interfaces: {}})).toThrow(UsageError);
		expect(() => createProbe('http://203.0.113.77:80/', {}, {interfaces: {}})).toThrow(
			'The probe goes only to addresses of this host, and 203.0.113.77 is not one; give --url an address of this host (127.0.0.1 for a wildcard bind) and the name with --host.',
		);
		expect(() => createProbe('https://[2001:db8::5]:443/', {}, {interfaces: {}})).toThrow(UsageError);
	});

	it('takes loopback (all of 127.0.0.0/8, ::1) and any address an interface of this host carries', () => {
		const interfaces = {eth0: [{address: '203.0.113.77', family: 'IPv4'}], eth1: [{address: '2001:db8::5', family: 'IPv6'}]};
		expect(createProbe('http://127.0.0.2:80/', {}, {interfaces: {}}).url).toBe('http://127.0.0.2:80/');
		expect(createProbe('http://[::1]:80/', {}, {interfaces: {}}).url).toBe('http://[::1]:80/');
		expect(createProbe('http://203.0.113.77:80/', {}, {interfaces}).url).toBe('http://203.0.113.77:80/');
		expect(createProbe('tcp://[2001:db8:0::5]:5432', {}, {interfaces}).url).toBe('tcp://[2001:db8::5]:5432');
	});

	it('checks a name when it resolves it: a name that does not resolve says to use --host', async () => {
		expect(await localAddressOf({address: 'localhost'}, {})).toMatchObject({address: expect.stringMatching(/^(?:127\.|::1$)/) as string});
		expect(await localAddressOf({address: 'shop.example.invalid'}, {})).toEqual({
			refused: "shop.example.invalid does not resolve here; give --url the listener's address (127.0.0.1 for a wildcard bind) and pass shop.example.invalid with --host.",
		});
	});

	it('a target built by hand to another host fails at connecting, with the same sentence', async () => {
		const [attempt] = await probeFor({...targetFromUrl('http://127.0.0.1:80/'), address: '203.0.113.77'}, {interfaces: {}}).send(1);
		expect(attempt).toMatchObject({ok: false, error: expect.stringContaining('203.0.113.77 is not one') as string});
	});

	it('refuses URLs that are not http, https, tcp or tls, and tcp without a port', () => {
		expect(() => createProbe('ftp://127.0.0.1/')).toThrow('is not http://, https://, tcp:// or tls://');
		expect(() => createProbe('tcp://127.0.0.1')).toThrow('needs a host and a port');
		expect(() => createProbe('not a url')).toThrow('is not a URL');
	});
});
