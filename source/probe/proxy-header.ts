import net from 'node:net';

const v2Signature = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** The two ends of a TCP connection, as the PROXY header states them. */
type ConnectionEnds = {source: string; sourcePort: number; destination: string; destinationPort: number};

function ipv6Bytes(written: string): Buffer {
	const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(written);
	const hex = (high: string, low: string) => ((Number(high) << 8) | Number(low)).toString(16);
	const address = dotted ? `${dotted[1]!}${hex(dotted[2]!, dotted[3]!)}:${hex(dotted[4]!, dotted[5]!)}` : written;
	const [head = '', tail = ''] = address.split('::');
	const parts = (text: string) => (text === '' ? [] : text.split(':'));
	const groups = address.includes('::') ? [...parts(head), ...Array.from({length: 8 - parts(head).length - parts(tail).length}, () => '0'), ...parts(tail)] : parts(address);
	const bytes = Buffer.alloc(16);
	for (const [index, group] of groups.entries()) {
		bytes.writeUInt16BE(Number.parseInt(group, 16), index * 2);
	}

	return bytes;
}

/**
 * The PROXY protocol header (haproxy.org/download/3.0/doc/proxy-protocol.txt) a probe sends first
 * to an `accept-proxy` bind, stating the connection's real ends: v1 is the text line
 * `PROXY TCP4 <src> <dst> <sport> <dport>\r\n`; v2 the binary form with command PROXY over
 * TCP (family 0x11 for IPv4, 0x21 for IPv6) and no TLVs.
 */
export function proxyHeader(version: 'v1' | 'v2', ends: ConnectionEnds): Buffer {
	const ipv6 = net.isIPv6(ends.source) || net.isIPv6(ends.destination);
	const source = ipv6 && net.isIPv4(ends.source) ? `::ffff:${ends.source}` : ends.source;
	const destination = ipv6 && net.isIPv4(ends.destination) ? `::ffff:${ends.destination}` : ends.destination;
	if (version === 'v1') {
		return Buffer.from(`PROXY ${ipv6 ? 'TCP6' : 'TCP4'} ${source} ${destination} ${ends.sourcePort} ${ends.destinationPort}\r\n`, 'ascii');
	}

	const addresses = ipv6
		? Buffer.concat([ipv6Bytes(source), ipv6Bytes(destination)])
		: Buffer.from([...source.split('.'), ...destination.split('.')].map(Number));
	const ports = Buffer.alloc(4);
	ports.writeUInt16BE(ends.sourcePort, 0);
	ports.writeUInt16BE(ends.destinationPort, 2);
	const length = Buffer.alloc(2);
	length.writeUInt16BE(addresses.length + 4, 0);
	return Buffer.concat([v2Signature, Buffer.from([0x21, ipv6 ? 0x21 : 0x11]), length, addresses, ports]);
}
