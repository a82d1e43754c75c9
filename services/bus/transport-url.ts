// Reads an oslo.messaging-style transport_url (rabbit://USER:PASSWORD@HOST:PORT[,USER:PASSWORD@HOST2:PORT]/VHOST)
// and writes it back with every password masked, for log lines and error messages.

/** One RabbitMQ node of a transport URL. oslo.messaging lets each node carry its own credentials. */
export interface RabbitNode {
  hostname: string;
  port: number;
  username: string;
  password: string;
}

export interface TransportUrl {
  /** Nodes in the order given; ulm tries them round-robin, like oslo.messaging's default failover. */
  nodes: RabbitNode[];
  /** Virtual host, decoded; '/' when the URL has no path, as with kombu. */
  virtualHost: string;
  /** TLS (amqps) when the URL says ?ssl=1 or ?ssl=true, as oslo.messaging accepts. */
  tls: boolean;
}

export class TransportUrlError extends Error {
  override name = 'TransportUrlError';
}

const EXAMPLE = 'rabbit://USER:PASSWORD@HOST:5672/VHOST (several nodes: rabbit://USER:PASSWORD@HOST1:5672,USER:PASSWORD@HOST2:5672/VHOST)';
const SCHEMES = ['rabbit', 'amqp'];
const MASK = '***';

function fail(url: string, problem: string): never {
  throw new TransportUrlError(`transport_url: "${maskTransportUrl(url)}" ${problem}; expected ${EXAMPLE}`);
}

function decode(url: string, text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return fail(url, `has a badly percent-encoded ${what}`);
  }
}

/** Splits one node `[user[:password]@]host[:port]`; IPv6 addresses go in brackets, as in any URL. */
function parseNode(url: string, text: string): { hostname: string; port: number; username?: string; password?: string } {
  const at = text.lastIndexOf('@');
  const userInfo = at >= 0 ? text.slice(0, at) : undefined;
  const hostPort = at >= 0 ? text.slice(at + 1) : text;
  let username: string | undefined;
  let password: string | undefined;
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    username = decode(url, colon >= 0 ? userInfo.slice(0, colon) : userInfo, 'user name');
    password = colon >= 0 ? decode(url, userInfo.slice(colon + 1), 'password') : '';
  }
  const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(hostPort);
  const plain = /^([^:[\]]*)(?::(\d*))?$/.exec(hostPort);
  const match = bracketed ?? plain;
  if (!match || !match[1]) return fail(url, `has a node without a host name ("${userInfo === undefined ? hostPort : `…@${hostPort}`}")`);
  const port = match[2] ? Number(match[2]) : 5672;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(url, `has port ${match[2]}, which is not between 1 and 65535`);
  return { hostname: match[1], port, username, password };
}

export function parseTransportUrl(url: string): TransportUrl {
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(url.trim());
  if (!schemeMatch) return fail(url, 'is not a URL');
  const scheme = schemeMatch[1].toLowerCase();
  if (!SCHEMES.includes(scheme)) return fail(url, `uses the "${scheme}" driver; ulm speaks only to RabbitMQ (rabbit://)`);
  const rest = schemeMatch[2];
  const pathStart = rest.search(/[/?]/);
  const netloc = pathStart >= 0 ? rest.slice(0, pathStart) : rest;
  const pathAndQuery = pathStart >= 0 ? rest.slice(pathStart) : '';
  const queryStart = pathAndQuery.indexOf('?');
  const path = queryStart >= 0 ? pathAndQuery.slice(0, queryStart) : pathAndQuery;
  const query = new URLSearchParams(queryStart >= 0 ? pathAndQuery.slice(queryStart + 1) : '');
  if (!netloc) return fail(url, 'names no host');

  const parsed = netloc.split(',').map((node) => parseNode(url, node));
  // kombu (and so oslo.messaging) uses the first node's credentials for nodes that give none.
  const first = parsed.find((node) => node.username !== undefined);
  const nodes = parsed.map((node): RabbitNode => ({
    hostname: node.hostname,
    port: node.port,
    username: node.username ?? first?.username ?? 'guest',
    password: node.username !== undefined ? (node.password ?? '') : (first?.password ?? 'guest'),
  }));

  const virtualHost = decode(url, path.replace(/^\//, ''), 'virtual host') || '/';
  const ssl = (query.get('ssl') ?? '').toLowerCase();
  if (ssl && !['0', '1', 'true', 'false', 'yes', 'no'].includes(ssl)) fail(url, `has ssl=${ssl}; use ssl=1 or ssl=0`);
  return { nodes, virtualHost, tls: ['1', 'true', 'yes'].includes(ssl) };
}

/**
 * The URL with every password replaced by ***. Works on URLs that do not parse too, because the
 * error about a bad URL must not leak the password either: everything up to the last '@' is
 * credentials or hosts, and a piece that does not look like a host is masked whole.
 */
export function maskTransportUrl(url: string): string {
  const schemeEnd = url.indexOf('://');
  const lastAt = url.lastIndexOf('@');
  if (lastAt < 0) return url;
  if (schemeEnd < 0 || lastAt < schemeEnd) return MASK;
  const pieces = url.slice(schemeEnd + 3, lastAt).split(',');
  const masked = pieces.map((piece, index) => {
    const colon = piece.indexOf(':');
    // The last piece is the credentials of the last node, whose host follows the final '@'.
    if (index === pieces.length - 1) return colon >= 0 ? `${piece.slice(0, colon)}:${MASK}` : MASK;
    const at = piece.lastIndexOf('@');
    if (at >= 0) return colon >= 0 && colon < at ? `${piece.slice(0, colon)}:${MASK}@${piece.slice(at + 1)}` : piece;
    // A node without credentials, or a fragment of a password with an unencoded ','.
    return /^(\[[0-9a-f:.]+\]|[\w.-]+)(:\d+)?$/i.test(piece) ? piece : MASK;
  });
  return url.slice(0, schemeEnd + 3) + masked.join(',') + url.slice(lastAt);
}

/** The transport written back without passwords: what log lines show. */
export function describeTransport(transport: TransportUrl): string {
  const nodes = transport.nodes.map((node) => `${encodeURIComponent(node.username)}:${MASK}@${node.hostname.includes(':') ? `[${node.hostname}]` : node.hostname}:${node.port}`);
  const virtualHost = transport.virtualHost === '/' ? '' : encodeURIComponent(transport.virtualHost);
  return `rabbit://${nodes.join(',')}/${virtualHost}${transport.tls ? '?ssl=1' : ''}`;
}

/** `host:port`, for naming the node ulm is talking to. */
export function describeNode(node: RabbitNode): string {
  return `${node.hostname.includes(':') ? `[${node.hostname}]` : node.hostname}:${node.port}`;
}

/** Every form in which a password of this transport could appear in a message. */
export function secretsOf(transport: TransportUrl): string[] {
  const secrets = new Set<string>();
  for (const node of transport.nodes) {
    if (!node.password) continue;
    secrets.add(node.password);
    secrets.add(encodeURIComponent(node.password));
  }
  return [...secrets];
}
