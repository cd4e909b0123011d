/**
 * A big HAProxy for profiling by hand: `node --import tsx test/bench/hold-haproxy.ts 500` starts
 * 500 backends x 20 servers, prints its admin socket, and stops it on Ctrl-C or SIGTERM (or
 * after 15 minutes). Then, e.g.: `node --cpu-prof dist/cli.js status --json --socket <socket>`.
 */
import process from 'node:process';
import {setTimeout as delay} from 'node:timers/promises';
import {startBigHaproxy} from './big-haproxy.js';

const backends = Number(process.argv[2] ?? 500);
const bed = await startBigHaproxy(backends, 20);
console.log(bed.adminSocket);
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());
await delay(15 * 60_000, undefined, {signal: stop.signal}).catch(() => undefined);
await bed.stop();
