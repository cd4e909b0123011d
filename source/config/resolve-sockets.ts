import {parseEndpoint, type Endpoint} from '../runtime/endpoint.js';
import {findDefaultSocket, type DefaultSocketDependencies} from './default-socket.js';

/** Which sockets to talk to, where that choice came from, and the sentence that says so. */
type SocketChoice = {endpoints: Endpoint[]; source: 'flag' | 'default'; note: string | null};

/** `--socket` values when given (duplicates once); else the default socket of {@link findDefaultSocket}. */
export async function resolveSockets(socketFlags: readonly string[], config: string | undefined, dependencies: DefaultSocketDependencies = {}): Promise<SocketChoice> {
	if (socketFlags.length > 0) {
		const endpoints = socketFlags.map((spec): Endpoint => ({...parseEndpoint(spec), flag: '--socket'}));
		const unique = endpoints.filter((endpoint, index) => endpoints.findIndex((other) => other.label === endpoint.label) === index);
		return {endpoints: unique, source: 'flag', note: null};
	}

	const found = await findDefaultSocket(config, dependencies);
	return {endpoints: [found.endpoint], source: 'default', note: found.note};
}
