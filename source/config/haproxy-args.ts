/** A runtime option `.if enabled(<name>)` asks about, as HAProxy's cfgcond.c names them. */
type RuntimeOption = 'POLL' | 'EPOLL' | 'KQUEUE' | 'EVPORTS' | 'SPLICE' | 'GETADDRINFO' | 'REUSEPORT' | 'FAST-FORWARD' | 'SERVER-SSL-VERIFY-NONE';

/** What drainboard needs from a HAProxy command line. */
export type HaproxyArgs = {
	/** Each `-f` value and each word after `--`, in order, as written (files or directories). */
	configs: string[];
	/** `-C <dir>`: HAProxy changes to it before it reads the files. */
	changeDir: string | null;
	/** `-W` or `-Ws`. */
	masterWorker: boolean;
	/** `run` for a serving HAProxy; `check` for `-c`/`-cc`, `other` for `-v…`, which exit at once. */
	mode: 'run' | 'check' | 'other';
	/** `-L <name>`. */
	localPeer: string | null;
	/** Options the command line turns off (`-de`, `-dp`, `-dk`, `-dv`, `-dS`, `-dG`, `-dR`, `-dF`) or on (`-dV`). */
	disabled: RuntimeOption[];
	serverSslVerifyNone: boolean;
};

const debugOff: Record<string, RuntimeOption> = {e: 'EPOLL', p: 'POLL', k: 'KQUEUE', v: 'EVPORTS', S: 'SPLICE', G: 'GETADDRINFO', R: 'REUSEPORT', F: 'FAST-FORWARD'};

/**
 * Reads a HAProxy command line (argv without the program name) the way haproxy_init_args() in
 * HAProxy's src/haproxy.c does: an option is the first letter after `-` (so `-fx` and `-f=x` are
 * `-f` too, and its value is always the next word, even one starting with `-`); `--` makes every
 * later word a configuration file; `-sf`/`-st` take the following words that do not start with `-`.
 */
export function parseHaproxyArgs(argv: readonly string[]): HaproxyArgs {
	const result: HaproxyArgs = {configs: [], changeDir: null, masterWorker: false, mode: 'run', localPeer: null, disabled: [], serverSslVerifyNone: false};
	let index = 0;
	while (index < argv.length) {
		const word = argv[index]!;
		if (!word.startsWith('-')) {
			index++;
			continue;
		}

		const flag = word.slice(1);
		const first = flag[0] ?? '';
		if (first === 'v') {
			result.mode = 'other';
		} else if (first === 'd') {
			const off = debugOff[flag[1] ?? ''];
			if (off && !result.disabled.includes(off)) {
				result.disabled.push(off);
			} else if (flag[1] === 'V') {
				result.serverSslVerifyNone = true;
			} else if (flag[1] === 't' && flag.length === 2 && (argv[index + 1] ?? '-').startsWith('-') === false) {
				index++;
			} else if (flag[1] === 'C' || flag[1] === 'K' || flag[1] === 'A') {
				result.mode = 'other';
			}
		} else if (first === 'V' || first === '4' || first === 'D' || first === 'q' || first === 'W') {
			result.masterWorker ||= first === 'W';
		} else if (first === 'c') {
			result.mode = 'check';
			if (flag[1] === 'c') {
				index++;
			}
		} else if (first === 'x' || first === 'S') {
			index++;
		} else if (first === 's' && (flag[1] === 'f' || flag[1] === 't')) {
			while (index + 1 < argv.length && !argv[index + 1]!.startsWith('-')) {
				index++;
			}
		} else if (flag === '-') {
			result.configs.push(...argv.slice(index + 1));
			break;
		} else {
			const value = argv[index + 1];
			index++;
			if (value !== undefined) {
				if (first === 'f') {
					result.configs.push(value);
				} else if (first === 'C') {
					result.changeDir = value;
				} else if (first === 'L') {
					result.localPeer = value;
				}
			}
		}

		index++;
	}

	return result;
}
