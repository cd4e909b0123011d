import {defaultsSection, startTestBed, type TestBed} from '../helpers/test-bed.js';

/** A real HAProxy with `backends` x `servers` servers on 127.0.0.1, no health checks. */
export async function startBigHaproxy(backends = 500, servers = 20): Promise<TestBed> {
	return startTestBed({
		demos: [],
		// 50,000 servers take HAProxy seconds to parse and set up, more on a busy machine.
		readyTimeoutMs: 120_000,
		config(context) {
			const sections: string[] = [context.global(['maxconn 2000']), defaultsSection, `frontend web\n    bind 127.0.0.1:${context.frontendPort}\n    default_backend backend000\n`];
			for (let b = 0; b < backends; b++) {
				const lines = [`backend backend${String(b).padStart(3, '0')}`];
				for (let s = 0; s < servers; s++) {
					lines.push(`    server srv${String(s).padStart(2, '0')} 127.0.0.1:${20_000 + s}`);
				}

				sections.push(`${lines.join('\n')}\n`);
			}

			return sections.join('\n');
		},
	});
}
