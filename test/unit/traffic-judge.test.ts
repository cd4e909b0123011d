import {describe, expect, it} from 'vitest';
import {sourcePersistence} from '../../source/config/backend-facts.js';
import {judgeTraffic, ratePerSecond} from '../../source/runbook/traffic-judge.js';
import {compareCounters, probeBudget, probeCeiling, type InstanceCounters} from '../../source/runbook/traffic.js';

const live = (final: boolean) => ({basis: 'live' as const, requests: 10, final});
const probe = {basis: 'probe' as const, requests: 10, final: false, succeeded: 10};

describe('judging traffic: the target serves (baseline, restore)', () => {
	it('passes on live traffic as soon as the target served one', () => {
		expect(judgeTraffic('target-serves', {targetDelta: 1, othersDelta: 0, targetPicks: 1}, live(false))).toBe('pass');
	});

	it('waits while live traffic is thin, then says too little when the window is over', () => {
		const thin = {targetDelta: 0, othersDelta: 9, targetPicks: 0};
		expect(judgeTraffic('target-serves', thin, live(false))).toBe('wait');
		expect(judgeTraffic('target-serves', thin, live(true))).toBe('too-little');
	});

	it('says the target got none once the others served enough, window over or not', () => {
		const others = {targetDelta: 0, othersDelta: 10, targetPicks: 0};
		expect(judgeTraffic('target-serves', others, live(false))).toBe('target-none');
		expect(judgeTraffic('target-serves', others, live(true))).toBe('target-none');
	});

	it('with several instances, live: the target serving on one does not pass while another carried enough and gave it none', () => {
		const split = (second: {target: number; others: number; lastSession?: number}) => ({targetDelta: 4 + second.target, othersDelta: 6 + second.others, targetPicks: 4, perInstance: [{target: 4, others: 6}, second]});
		expect(judgeTraffic('target-serves', split({target: 0, others: 10}), live(false))).toBe('target-none');
		// Some traffic on the second, too little yet: waited for; the window over, the first one's evidence stands (the sentence says what each saw).
		expect(judgeTraffic('target-serves', split({target: 0, others: 3}), live(false))).toBe('wait');
		expect(judgeTraffic('target-serves', split({target: 0, others: 3}), live(true))).toBe('pass');
		// No traffic at all on the second (a passive load balancer): nothing to wait for.
		expect(judgeTraffic('target-serves', split({target: 0, others: 0}), live(false))).toBe('pass');
		expect(judgeTraffic('target-serves', split({target: 0, others: 0, lastSession: 600}), {...live(false), activeWithinSeconds: 30})).toBe('pass');
		// None yet in this window on the second, but its backend had a session a second ago: the first read
		// came before its next request; waited for, then judged on what it shows.
		const busy = {...live(false), activeWithinSeconds: 30};
		expect(judgeTraffic('target-serves', split({target: 0, others: 0, lastSession: 1}), busy)).toBe('wait');
		expect(judgeTraffic('target-serves', split({target: 0, others: 0, lastSession: 1}), {...busy, final: true})).toBe('pass');
		expect(judgeTraffic('target-serves', split({target: 0, others: 10, lastSession: 0}), busy)).toBe('target-none');
		expect(judgeTraffic('target-serves', split({target: 1, others: 10}), live(false))).toBe('pass');
		// A probe goes through one listener: judged on the sum, as before.
		expect(judgeTraffic('target-serves', split({target: 0, others: 10}), probe)).toBe('pass');
	});

	it('judges a probe burst at once', () => {
		expect(judgeTraffic('target-serves', {targetDelta: 3, othersDelta: 7, targetPicks: 3}, probe)).toBe('pass');
		expect(judgeTraffic('target-serves', {targetDelta: 0, othersDelta: 10, targetPicks: 0}, probe)).toBe('target-none');
	});
});

describe('judging traffic: a probe that did not reach the backend', () => {
	it('proves nothing when the backend counted fewer requests than the probe had answered, whatever the target got', () => {
		// All ten went to another backend (a Host that routes elsewhere): nobody in this backend grew.
		expect(judgeTraffic('target-idle', {targetDelta: 0, othersDelta: 0, targetPicks: 0}, probe)).toBe('probe-missed');
		// One real client's request on the target is not the probe's ten.
		expect(judgeTraffic('target-serves', {targetDelta: 1, othersDelta: 0, targetPicks: 1}, probe)).toBe('probe-missed');
		expect(judgeTraffic('target-idle', {targetDelta: 0, othersDelta: 9, targetPicks: 0}, probe)).toBe('probe-missed');
		// Every answered request counted (other clients' on top are fine).
		expect(judgeTraffic('target-serves', {targetDelta: 1, othersDelta: 9, targetPicks: 1}, probe)).toBe('pass');
		expect(judgeTraffic('target-idle', {targetDelta: 0, othersDelta: 14, targetPicks: 0}, probe)).toBe('pass');
		// Live traffic sends nothing: nothing to miss.
		expect(judgeTraffic('target-serves', {targetDelta: 1, othersDelta: 0, targetPicks: 1}, live(false))).toBe('pass');
	});
});

describe('judging traffic: new traffic goes elsewhere (confirm)', () => {
	it('passes when the others served --requests new ones and the target none', () => {
		expect(judgeTraffic('target-idle', {targetDelta: 0, othersDelta: 10, targetPicks: 0}, live(false))).toBe('pass');
		expect(judgeTraffic('target-idle', {targetDelta: 0, othersDelta: 9, targetPicks: 0}, live(false))).toBe('wait');
		expect(judgeTraffic('target-idle', {targetDelta: 0, othersDelta: 9, targetPicks: 0}, live(true))).toBe('too-little');
	});

	it('fails at once when load balancing still picks the target', () => {
		expect(judgeTraffic('target-idle', {targetDelta: 2, othersDelta: 1, targetPicks: 2}, live(false))).toBe('target-picked');
		expect(judgeTraffic('target-idle', {targetDelta: 2, othersDelta: 8, targetPicks: 2}, probe)).toBe('target-picked');
	});

	it('calls requests that reached the target without a pick sticky, not "goes elsewhere"', () => {
		expect(judgeTraffic('target-idle', {targetDelta: 4, othersDelta: 10, targetPicks: 0}, live(false))).toBe('sticky');
		expect(judgeTraffic('target-idle', {targetDelta: 4, othersDelta: 3, targetPicks: 0}, live(false))).toBe('wait');
		expect(judgeTraffic('target-idle', {targetDelta: 4, othersDelta: 3, targetPicks: 0}, live(true))).toBe('sticky');
		expect(judgeTraffic('target-idle', {targetDelta: 1, othersDelta: 10, targetPicks: 0}, probe)).toBe('sticky');
	});

	it('passes a probe burst the target got none of', () => {
		expect(judgeTraffic('target-idle', {targetDelta: 0, othersDelta: 10, targetPicks: 0}, probe)).toBe('pass');
	});
});

describe('rates', () => {
	it('gives requests per second with one decimal', () => {
		expect(ratePerSecond(9, 2000)).toBe(4.5);
		expect(ratePerSecond(1, 3000)).toBe(0.3);
		expect(ratePerSecond(5, 0)).toBe(0);
	});
});

describe('comparing counters over instances', () => {
	const instance = (socket: string, pid: number, counters: Record<string, number>, picks: Record<string, number> = {}): InstanceCounters => ({
		socket,
		pid,
		startTime: 1000,
		counters: new Map(Object.entries(counters)),
		picks: new Map(Object.entries(picks)),
	});

	it('sums the growth of each server over every instance', () => {
		const before = [instance('/a.sock', 1, {app01: 10, app02: 5}, {app01: 10}), instance('/b.sock', 2, {app01: 0, app02: 0}, {app01: 0})];
		const after = [instance('/a.sock', 1, {app01: 12, app02: 9}, {app01: 11}), instance('/b.sock', 2, {app01: 1, app02: 3}, {app01: 1})];
		expect(compareCounters(before, after, 'app01')).toEqual({
			deltas: {app01: 3, app02: 7},
			targetDelta: 3,
			othersDelta: 7,
			targetPicks: 2,
			restarted: [],
			perInstance: [
				{socket: '/a.sock', target: 2, others: 4},
				{socket: '/b.sock', target: 1, others: 3},
			],
		});
	});

	it('leaves out an instance that restarted (its counters start again), and names it', () => {
		const before = [instance('/a.sock', 1, {app01: 10, app02: 5}), instance('/b.sock', 2, {app01: 50, app02: 50})];
		const after = [instance('/a.sock', 1, {app01: 10, app02: 8}), instance('/b.sock', 3, {app01: 1, app02: 1})];
		expect(compareCounters(before, after, 'app01')).toEqual({deltas: {app01: 0, app02: 3}, targetDelta: 0, othersDelta: 3, targetPicks: 0, restarted: ['/b.sock'], perInstance: [{socket: '/a.sock', target: 0, others: 3}]});
	});
});

describe('how many probe requests may look for the target', () => {
	it('lets follow-up bursts run to 4 bursts, or 7 requests per server (random misses one of n in 7n with chance under 0.1 %), bounded', () => {
		expect(probeBudget(10, 3, 'roundrobin')).toBe(40);
		expect(probeBudget(3, 12, 'roundrobin')).toBe(84);
		expect((1 - 1 / 12) ** 84).toBeLessThan(0.001);
		expect(probeBudget(10, 50, 'leastconn')).toBe(probeCeiling);
		// No balance line on 3.3+: random; HAProxy names it `unknown`, drainboard null.
		expect(probeBudget(10, 3, null)).toBe(40);
		expect(probeBudget(10, 3, 'random(2)')).toBe(40);
	});

	it('sends one burst when the same client always lands on the same server (hash, first)', () => {
		expect(probeBudget(10, 3, 'source')).toBe(10);
		expect(probeBudget(10, 3, 'uri whole')).toBe(10);
		expect(probeBudget(10, 3, 'first')).toBe(10);
	});

	it('sends one burst when a stick table holds the probe\'s one address on one server', () => {
		expect(probeBudget(10, 3, 'roundrobin', true)).toBe(10);
		expect(sourcePersistence(['cookie SRV insert', 'stick on src'])).toBe('stick on src');
		expect(sourcePersistence(['stick match src,ipmask(24) table t'])).toBe('stick match src,ipmask(24) table t');
		// Keyed on something else than the client's address, or only stored: a probe is not held by it.
		expect(sourcePersistence(['stick on req.cook(sid)', 'stick store-request src', 'stick on src_port', 'cookie SRV insert'])).toBeNull();
	});

	it('never sends fewer than asked, however large the ask', () => {
		expect(probeBudget(500, 3, 'roundrobin')).toBe(500);
	});
});
