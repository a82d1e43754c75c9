// Reads oslo.db / SQLAlchemy style `[database] connection` URLs into the settings of the engine
// ulm uses for them: better-sqlite3 for `sqlite:///PATH`, mysql2 for MySQL and MariaDB.

export type ConnectionSettings =
  | { engine: 'sqlite'; /** a path, or `:memory:` */ filename: string }
  | {
    engine: 'mysql';
    host: string;
    port: number;
    user: string;
    password: string;
    database: string;
    /** `?unix_socket=`: connect through the server's socket instead of TCP. */
    socketPath?: string;
    charset: string;
    /** `?ssl_ca=`: verify the server's certificate against this CA file. */
    sslCa?: string;
  };

/** The URL forms accepted, for error messages. */
export const CONNECTION_URL_FORMS = 'sqlite:///RELATIVE/PATH, sqlite:////ABSOLUTE/PATH, or mysql+pymysql://USER:PASSWORD@HOST:PORT/DATABASE (MariaDB or MySQL; mysql:// also works)';

const MYSQL_SCHEMES = ['mysql', 'mysql+pymysql', 'mysql+mysqldb', 'mariadb', 'mariadb+pymysql', 'mariadb+mysqldb'];
const MYSQL_QUERY_PARAMETERS = ['charset', 'unix_socket', 'ssl_ca'];

/** A connection URL ulm cannot use; the message says what is expected. */
export class ConnectionUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionUrlError';
  }
}

export function parseConnectionUrl(url: string): ConnectionSettings {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme) throw new ConnectionUrlError(`is not a URL; expected ${CONNECTION_URL_FORMS}`);
  if (scheme === 'sqlite') return parseSqlite(url.slice('sqlite://'.length));
  if (MYSQL_SCHEMES.includes(scheme)) return parseMysql(url.slice(scheme.length + 3));
  throw new ConnectionUrlError(`has the unsupported scheme "${scheme}"; expected ${CONNECTION_URL_FORMS}`);
}

/** SQLAlchemy's rule: `sqlite:///x.db` is relative, `sqlite:////var/x.db` absolute, `sqlite://` in memory. */
function parseSqlite(rest: string): ConnectionSettings {
  if (rest.includes('?')) throw new ConnectionUrlError('has query parameters, which SQLite connections do not take; remove the "?..." part');
  if (rest === '' || rest === '/' || rest === '/:memory:') return { engine: 'sqlite', filename: ':memory:' };
  if (!rest.startsWith('/')) throw new ConnectionUrlError(`names a host for SQLite; expected sqlite:///RELATIVE/PATH or sqlite:////ABSOLUTE/PATH`);
  return { engine: 'sqlite', filename: decodeURIComponent(rest.slice(1)) };
}

function parseMysql(rest: string): ConnectionSettings {
  const queryStart = rest.indexOf('?');
  const beforeQuery = queryStart >= 0 ? rest.slice(0, queryStart) : rest;
  const query = new URLSearchParams(queryStart >= 0 ? rest.slice(queryStart + 1) : '');
  // The last "@" ends the credentials: passwords with an unencoded "@" still work.
  const at = beforeQuery.lastIndexOf('@');
  const credentials = at >= 0 ? beforeQuery.slice(0, at) : '';
  const location = at >= 0 ? beforeQuery.slice(at + 1) : beforeQuery;
  const slash = location.indexOf('/');
  const hostPort = slash >= 0 ? location.slice(0, slash) : location;
  const database = slash >= 0 ? decodeURIComponent(location.slice(slash + 1)) : '';
  if (!database) throw new ConnectionUrlError('names no database; expected mysql+pymysql://USER:PASSWORD@HOST:PORT/DATABASE, e.g. mysql+pymysql://ulm:PASSWORD@db.example.org/ulm');

  const hostMatch = /^(\[[^\]]+\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  if (!hostMatch) throw new ConnectionUrlError(`has the host "${hostPort}", which is not HOST or HOST:PORT`);
  const host = hostMatch[1].replace(/^\[(.*)\]$/, '$1');
  const port = hostMatch[2] ? Number(hostMatch[2]) : 3306;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConnectionUrlError(`has the port "${hostMatch[2]}"; expected a port from 1 to 65535`);

  for (const name of query.keys()) {
    if (!MYSQL_QUERY_PARAMETERS.includes(name)) throw new ConnectionUrlError(`has the query parameter "${name}", which ulm does not use; supported: ${MYSQL_QUERY_PARAMETERS.join(', ')}`);
  }
  const socketPath = query.get('unix_socket') ?? undefined;
  if (!host && !socketPath) throw new ConnectionUrlError('names no host; expected mysql+pymysql://USER:PASSWORD@HOST:PORT/DATABASE, or ?unix_socket=PATH');

  const colon = credentials.indexOf(':');
  const user = decodeURIComponent(colon >= 0 ? credentials.slice(0, colon) : credentials);
  const password = colon >= 0 ? decodeURIComponent(credentials.slice(colon + 1)) : '';
  const settings: ConnectionSettings = { engine: 'mysql', host: host || 'localhost', port, user, password, database, charset: query.get('charset') ?? 'utf8mb4' };
  if (socketPath) settings.socketPath = socketPath;
  const sslCa = query.get('ssl_ca');
  if (sslCa) settings.sslCa = sslCa;
  return settings;
}

/** Kept here for the callers of the database module; the one masker is openstack/secrets.ts. */
export { maskUrlPasswords } from '../../openstack/secrets.js';
