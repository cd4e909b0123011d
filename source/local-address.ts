import net from 'node:net';
import os from 'node:os';

/** This host's network interfaces, as `os.networkInterfaces()` lists them (injected in tests). */
export type HostInterfaces = Record<string, Array<{address: string; family: string | number; internal?: boolean}> | undefined>;

/** The interfaces of the host drainboard runs on. */
export function hostInterfaces(): HostInterfaces {
	return os.networkInterfaces();
}

/** `::ffff:127.0.0.2` → `127.0.0.2`; brackets and a zone (`fe80::1%eth0`) removed; IPv6 in lower case. */
function plainAddress(address: string): string {
	const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '').toLowerCase();
	const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
	return mapped ? mapped[1]! : bare;
}

function expandIpv6(address: string): string | undefined {
	if (net.isIPv6(address)) {
		const [head = '', tail = ''] = address.split('::');
		const parts = (text: string) => (text === '' ? [] : text.split(':'));
		const missing = 8 - parts(head).length - parts(tail).length;
		const groups = address.includes('::') ? [...parts(head), ...Array.from({length: missing}, () => '0'), ...parts(tail)] : parts(address);
		return groups.map((group) => group.padStart(4, '0')).join(':');
	}

	return undefined;
}

/**
 * Whether a connection to `address` stays on this host: loopback (127.0.0.0/8, which Linux
 * routes entirely to `lo`, and ::1) or an address one of this host's interfaces carries (a VIP
 * included, once it is up here). Anything else is another machine.
 */
export function isLocalAddress(address: string, interfaces: HostInterfaces = hostInterfaces()): boolean {
	const plain = plainAddress(address);
	if (net.isIPv4(plain)) {
		if (plain.startsWith('127.')) {
			return true;
		}
	} else if (net.isIPv6(plain)) {
		if (expandIpv6(plain) === expandIpv6('::1')) {
			return true;
		}
	} else {
		return false;
	}

	const wanted = net.isIPv6(plain) ? expandIpv6(plain) : plain;
	return Object.values(interfaces).some((entries) =>
		(entries ?? []).some((entry) => {
			const own = plainAddress(entry.address);
			return (net.isIPv6(own) ? expandIpv6(own) : own) === wanted;
		}),
	);
}

/** The address a socket bound to interface `name` answers on (IPv4 first unless `family` asks for IPv6); undefined when this host has no such interface. */
export function interfaceAddress(name: string, family: 'ipv4' | 'ipv6' | 'any', interfaces: HostInterfaces = hostInterfaces()): string | undefined {
	const entries = interfaces[name] ?? [];
	const isV4 = (entry: {family: string | number}) => entry.family === 'IPv4' || entry.family === 4;
	const v4 = entries.find((entry) => isV4(entry));
	const v6 = entries.find((entry) => !isV4(entry) && !plainAddress(entry.address).startsWith('fe80:'));
	const chosen = family === 'ipv6' ? v6 : (v4 ?? (family === 'any' ? v6 : undefined));
	return chosen ? plainAddress(chosen.address) : undefined;
}
