import {describe, expect, it} from 'vitest';
import {initialRunbookState, runbookReducer} from '../../source/runbook/state.js';
import {targetState, targetStateSentence, type TargetSeen} from '../../source/runbook/target-state.js';
import {parseTarget} from '../../source/runtime/names.js';
import {clockTime} from '../../source/time-format.js';
import {makeServer} from '../helpers/model.js';

const target = parseTarget('webapps/app01');
const at = Date.parse('2026-11-25T14:02:11Z');
const seen = (socket: string, adminState: number | null, failingSince: number | null = null): TargetSeen => ({
	socket,
	server: adminState === null ? null : makeServer({backend: 'webapps', server: 'app01', adminState}),
	readAt: at,
	failingSince,
});

describe('the target as last read, in one sentence', () => {
	it.each([
		['drained everywhere', [seen('/a.sock', 8), seen('/b.sock', 8)], 'drained', `webapps/app01 is drained (out of rotation), as HAProxy showed at ${clockTime(at)}`],
		['drained on one instance only', [seen('/a.sock', 8), seen('/b.sock', 0)], 'partly-drained', `webapps/app01 is drained on /a.sock but not on /b.sock, as HAProxy showed at ${clockTime(at)}`],
		['in maintenance', [seen('/a.sock', 1)], 'not-drained', `webapps/app01 is not drained (in maintenance, admin flags FMAINT), as HAProxy showed at ${clockTime(at)}`],
		['gone from one instance', [seen('/a.sock', 8), seen('/b.sock', null)], 'missing', `webapps/app01 is not in HAProxy at /b.sock (removed, or reloaded without it), as HAProxy showed at ${clockTime(at)}`],
		[
			'last seen drained, HAProxy silent since',
			[seen('/a.sock', 8, at + 5000)],
			'drained',
			`webapps/app01 was drained (out of rotation) when HAProxy last answered, at ${clockTime(at)}; HAProxy at /a.sock does not answer since ${clockTime(at + 5000)}, so its state now is unknown`,
		],
		['never read', [{socket: '/a.sock', server: null, readAt: null, failingSince: null}], 'unknown', 'the state of webapps/app01 is unknown: HAProxy at /a.sock has not answered yet'],
	] as const)('%s', (_case, views, state, sentence) => {
		expect(targetState(views)).toBe(state);
		expect(targetStateSentence(target, views)).toBe(sentence);
	});

	it('says, for the live screen, that every read since showed the same; a silent instance still makes it a state now unknown', () => {
		expect(targetStateSentence(target, [seen('/a.sock', 8)], {live: true})).toBe(`webapps/app01 is drained (out of rotation), as HAProxy has shown at every read since ${clockTime(at)}`);
		expect(targetStateSentence(target, [seen('/a.sock', 8, at + 5000)], {live: true})).toMatch(/^webapps\/app01 was drained \(out of rotation\) when HAProxy last answered, at .*, so its state now is unknown$/);
	});

	it('dates "every read since" from the first read that showed these admin flags, not from the poll\'s last change of health or counters', () => {
		const read = (readAt: number, adminState: number, status = 'UP'): TargetSeen[] => [{socket: '/a.sock', server: makeServer({backend: 'webapps', server: 'app01', adminState, status}), readAt, failingSince: null}];
		let state = initialRunbookState('webapps/app01', at);
		state = runbookReducer(state, {type: 'target-seen', seen: read(at, 8)});
		// The service stopped (DOWN) and came back while drained: the drain was shown all along.
		state = runbookReducer(state, {type: 'target-seen', seen: read(at + 12_000, 8, 'DOWN')});
		state = runbookReducer(state, {type: 'target-seen', seen: read(at + 20_000, 8)});
		expect(state.seenSince).toBe(at);
		expect(targetStateSentence(target, state.seen, {live: true, since: state.seenSince})).toBe(`webapps/app01 is drained (out of rotation), as HAProxy has shown at every read since ${clockTime(at)}`);
		// Other flags: dated from the read that showed them.
		state = runbookReducer(state, {type: 'target-seen', seen: read(at + 30_000, 0)});
		expect(state.seenSince).toBe(at + 30_000);
		state = runbookReducer(state, {type: 'target-seen', seen: [{socket: '/a.sock', server: null, readAt: at + 35_000, failingSince: at + 34_000}]});
		state = runbookReducer(state, {type: 'target-seen', seen: read(at + 40_000, 0)});
		expect(state.seenSince).toBe(at + 40_000);
	});
});

describe('a maintenance taken over and ended by another restore', () => {
	it('says no more what it said of its own doings (a drain put back, confirm to run again): only who ended it', () => {
		let state = initialRunbookState('webapps/app03', at);
		state = runbookReducer(state, {type: 'problem-shown', problem: 'The drain is back on webapps/app03, after it was in rotation: confirm runs again, for the traffic and sessions it took meanwhile.'});
		state = runbookReducer(state, {type: 'taken-over', message: "bob took this maintenance's drain over and put it back into rotation.", other: true});
		expect(state.problem).toBeNull();
		expect(state.takenOver).toEqual({message: "bob took this maintenance's drain over and put it back into rotation.", other: true});
		expect(state.finished).toBe(true);
	});
});
