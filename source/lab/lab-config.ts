/** Where the lab's pieces listen. */
type LabPorts = {frontend: number; servers: Record<string, number>; dir: string};

/**
 * Demo servers by backend. app01 and app02 are machines in two backends: the same demo server
 * (same port) serves webapps and static, so a maintenance of a whole machine can be rehearsed.
 */
const labServers = {webapps: ['app01', 'app02', 'app03'], api: ['api1', 'api2'], static: ['app01', 'app02']} as const;

/** The lab's demo servers, each once. */
export const labDemoNames: readonly string[] = [...new Set(Object.values(labServers).flat())];

/** A small, realistic configuration: one frontend, three backends with HTTP health checks. */
export function labConfig(ports: LabPorts): string {
	const servers = (names: readonly string[]) => names.map((name) => `    server ${name} 127.0.0.1:${ports.servers[name]}`).join('\n');
	return `# drainboard lab: a disposable HAProxy on loopback, removed when the lab ends.
global
    stats socket ${ports.dir}/admin.sock mode 600 level admin
    stats timeout 10s

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s

frontend web
    bind 127.0.0.1:${ports.frontend}
    use_backend api if { path_beg /api }
    use_backend static if { path_beg /static }
    default_backend webapps

backend webapps
    balance roundrobin
    option httpchk GET /
    default-server check inter 1s fall 2 rise 2
${servers(labServers.webapps)}

backend api
    balance roundrobin
    option httpchk GET /api
    default-server check inter 1s fall 2 rise 2
${servers(labServers.api)}

backend static
    balance roundrobin
    option httpchk GET /static
    default-server check inter 1s fall 2 rise 2
${servers(labServers.static)}
`;
}
