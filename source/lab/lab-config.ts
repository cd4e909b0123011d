/** Where the lab's pieces listen. */
type LabPorts = {frontend: number; servers: Record<string, number>; dir: string};

/** Demo servers by backend. */
export const labServers = {webapps: ['app01', 'app02', 'app03'], api: ['api1', 'api2']} as const;

/** A small, realistic configuration: one frontend, two backends with HTTP health checks. */
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
`;
}
