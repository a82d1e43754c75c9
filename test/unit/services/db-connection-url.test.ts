// [database] connection URLs: the oslo.db / SQLAlchemy forms operators already write.
import assert from 'node:assert/strict';
import { ConnectionUrlError, maskUrlPasswords, parseConnectionUrl } from '../../../services/db/connection-url.js';

describe('database connection URLs', () => {
  it('reads SQLite paths as SQLAlchemy does: three slashes relative, four absolute', () => {
    assert.deepEqual(parseConnectionUrl('sqlite:////var/lib/ulm/ulm.sqlite'), { engine: 'sqlite', filename: '/var/lib/ulm/ulm.sqlite' });
    assert.deepEqual(parseConnectionUrl('sqlite:///ulm.sqlite'), { engine: 'sqlite', filename: 'ulm.sqlite' });
    assert.deepEqual(parseConnectionUrl('sqlite://'), { engine: 'sqlite', filename: ':memory:' });
  });

  it('reads MariaDB/MySQL URLs with credentials, port and charset', () => {
    assert.deepEqual(parseConnectionUrl('mysql+pymysql://ulm:s%40cret@db.example.org:3307/ulm?charset=utf8mb4'), {
      engine: 'mysql', host: 'db.example.org', port: 3307, user: 'ulm', password: 's@cret', database: 'ulm', charset: 'utf8mb4',
    });
    assert.deepEqual(parseConnectionUrl('mysql://root@127.0.0.1/ulm'), { engine: 'mysql', host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'ulm', charset: 'utf8mb4' });
    // An unencoded "@" in a password still works: the last "@" ends the credentials.
    assert.equal((parseConnectionUrl('mysql+pymysql://ulm:p@ss@db/ulm') as { password: string }).password, 'p@ss');
    assert.equal((parseConnectionUrl('mysql+pymysql://ulm:pw@[::1]:3307/ulm') as { host: string }).host, '::1');
    assert.equal((parseConnectionUrl('mysql+pymysql://ulm:pw@/ulm?unix_socket=/run/mysqld/mysqld.sock') as { socketPath: string }).socketPath, '/run/mysqld/mysqld.sock');
  });

  it('says what is expected for URLs it cannot use', () => {
    assert.throws(() => parseConnectionUrl('postgresql://u:p@h/db'), (error: Error) => error instanceof ConnectionUrlError && /unsupported scheme "postgresql"; expected sqlite:\/\/\//.test(error.message));
    assert.throws(() => parseConnectionUrl('mysql+pymysql://u:p@h'), /names no database; expected mysql\+pymysql:\/\/USER:PASSWORD@HOST:PORT\/DATABASE/);
    assert.throws(() => parseConnectionUrl('mysql+pymysql://u:p@h:99999/db'), /expected a port from 1 to 65535/);
    assert.throws(() => parseConnectionUrl('mysql+pymysql://u:p@h/db?read_default_file=x'), /query parameter "read_default_file", which ulm does not use; supported: charset, unix_socket, ssl_ca/);
    assert.throws(() => parseConnectionUrl('/var/lib/ulm.sqlite'), /is not a URL/);
  });

  it('masks passwords without leaking any part of them', () => {
    assert.equal(maskUrlPasswords('mysql+pymysql://ulm:p@ss,w@db:3306/ulm?charset=utf8mb4'), 'mysql+pymysql://ulm:****@db:3306/ulm?charset=utf8mb4');
    assert.equal(maskUrlPasswords('rabbit://a:x@h1:5672,b:y@h2:5672/'), 'rabbit://a:****@h2:5672/');
    assert.equal(maskUrlPasswords('sqlite:////var/lib/ulm/ulm.sqlite'), 'sqlite:////var/lib/ulm/ulm.sqlite');
    assert.equal(maskUrlPasswords('mysql://root@db/ulm'), 'mysql://root@db/ulm');
  });
});
