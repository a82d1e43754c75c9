// `ulm-manage db sync`, `db version` and `config show` on a real database named in a
// configuration file, as an operator runs them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, migrateDownAll, openDatabase } from '../../services/db/index.js';
import { runManage } from '../support/ulm-in-process.js';
import { testEngines } from './engines.js';

for (const engine of testEngines()) {
  describe(`ulm-manage on ${engine.name}`, function () {
    let directory: string;
    let configFile: string;

    before(async function () {
      if (!engine.connection) this.skip();
      directory = mkdtempSync(join(tmpdir(), 'ulm-manage-'));
      configFile = join(directory, 'ulm.conf');
      const connection = engine.name === 'SQLite' ? 'sqlite:///$state_path/ulm.sqlite' : (engine.connection as string).replace(/\$/g, '$$$$');
      writeFileSync(configFile, `[DEFAULT]\nstate_path = ${directory}/state\n\n[database]\nconnection = ${connection}\n`);
      // Start from an empty schema: the database suite may have left one.
      const database = await openDatabase(engine.name === 'SQLite' ? `sqlite:///${directory}/state/ulm.sqlite` : engine.connection as string);
      await migrateDownAll(database);
      await database.close();
    });

    after(() => {
      if (directory) rmSync(directory, { recursive: true, force: true });
      engine.cleanup();
    });

    const run = (...args: string[]) => runManage(configFile, args);

    it('syncs the schema, then finds nothing left to do', async () => {
      const names = MIGRATIONS.map((migration) => migration.name);
      const newest = names.at(-1)!;
      assert.ok((await run('db', 'sync')).endsWith(`: applied ${names.join(', ')}; schema at ${newest}\n`));
      assert.ok((await run('db', 'sync')).endsWith(`: schema already at ${newest}\n`));
      assert.equal(await run('db', 'version'), `${newest}\n`);
    });

    it('shows the configuration with the database password masked', async () => {
      const shown = await run('config', 'show');
      assert.match(shown, new RegExp(`^# from ${configFile}:5\\nconnection = `, 'm'));
      if (engine.name !== 'SQLite') {
        const password = /:([^:@/]*)@/.exec(engine.connection as string)?.[1] as string;
        assert.ok(!shown.includes(password));
        assert.match(shown, /connection = mysql\+pymysql:\/\/ulm:\*\*\*\*@127\.0\.0\.1/);
      }
    });
  });
}
